-- The payload the target last took (status SENT): reconciliation compares the target's record with
-- it. NULL for rows sent before this column existed (then only the record's presence is checked).
ALTER TABLE outbound_call ADD COLUMN sent_payload JSONB;

-- The business exceptions reconciliation raised and no later run has found fixed yet: one per
-- record and kind of difference, so a run raises only what is new and resolves what is gone.
CREATE TABLE reconciliation_exception (
  exception_id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  external_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('MISSING_IN_ERP', 'AMOUNT_DIFFERS', 'STATUS_DIFFERS', 'UNKNOWN_IN_THROUGHLINE')),
  raised_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  resolved_at TIMESTAMP(3)
);
CREATE INDEX reconciliation_exception_open ON reconciliation_exception (target, entity_type) WHERE resolved_at IS NULL;
