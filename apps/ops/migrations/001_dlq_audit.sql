-- Who replayed, parked or purged which dead letters, when and why. One row per message for replay
-- and park, one per partition for purge (dlq_offset = the partition's new log start).
CREATE TABLE dlq_audit (
  id BIGSERIAL PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('replay', 'park', 'purge')),
  actor TEXT NOT NULL,
  performed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  dlq_topic TEXT NOT NULL,
  dlq_partition INTEGER NOT NULL CHECK (dlq_partition >= 0),
  dlq_offset BIGINT NOT NULL CHECK (dlq_offset >= 0),
  target_topic TEXT,
  event_id TEXT,
  filters JSONB NOT NULL DEFAULT '{}'::jsonb,
  reason TEXT,
  forced BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX dlq_audit_message ON dlq_audit (dlq_topic, dlq_partition, dlq_offset);
CREATE INDEX dlq_audit_performed_at ON dlq_audit (performed_at DESC);
