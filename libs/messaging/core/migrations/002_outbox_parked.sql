-- An event Kafka can never take as it is (not encodable, larger than a message may be) is parked
-- with its reason instead of blocking the relay; the events after it go on.
ALTER TABLE messaging_outbox ADD COLUMN IF NOT EXISTS parked_at TIMESTAMPTZ;
ALTER TABLE messaging_outbox ADD COLUMN IF NOT EXISTS park_reason TEXT;
DROP INDEX IF EXISTS messaging_outbox_pending;
CREATE INDEX IF NOT EXISTS messaging_outbox_pending ON messaging_outbox (id)
  WHERE published_at IS NULL AND parked_at IS NULL;
