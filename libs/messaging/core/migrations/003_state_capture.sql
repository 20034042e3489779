-- Current-state topics (current-state.ts). Entity tables a service tracks with
-- messaging_track_state get statement-level triggers that note which entities the running
-- transaction changed; the unit of work turns those notes into current-state records in the
-- outbox, in the same transaction, and deletes them before it commits. Every write path is covered,
-- raw SQL included, without each one having to remember to publish.
CREATE TABLE IF NOT EXISTS messaging_state_change (
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  removed BOOLEAN NOT NULL DEFAULT false
);

CREATE OR REPLACE FUNCTION messaging_capture_state_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- TG_ARGV: the entity name, the column holding its id.
  EXECUTE format(
    'INSERT INTO messaging_state_change (entity, entity_id, removed) SELECT %L, %I::text, %L FROM changed_rows WHERE %I IS NOT NULL',
    TG_ARGV[0], TG_ARGV[1], TG_OP = 'DELETE', TG_ARGV[1]);
  RETURN NULL;
END $$;

-- Tracks `entity` (its id in `id_column`) through the rows of `target`; idempotent.
CREATE OR REPLACE FUNCTION messaging_track_state(target regclass, entity text, id_column text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  operation text;
BEGIN
  FOREACH operation IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s',
      'messaging_state_' || entity || '_' || lower(operation), target);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER %s ON %s REFERENCING %s TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION messaging_capture_state_change(%L, %L)',
      'messaging_state_' || entity || '_' || lower(operation), operation, target,
      CASE WHEN operation = 'DELETE' THEN 'OLD' ELSE 'NEW' END, entity, id_column);
  END LOOP;
END $$;
