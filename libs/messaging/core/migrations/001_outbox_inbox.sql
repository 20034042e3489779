-- Transactional outbox: rows written in the same transaction as the state change, relayed to Kafka.
CREATE TABLE IF NOT EXISTS messaging_outbox (
  id BIGSERIAL PRIMARY KEY,
  event_id UUID NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  message_key TEXT NOT NULL,
  record JSONB NOT NULL,
  headers JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS messaging_outbox_pending ON messaging_outbox (id) WHERE published_at IS NULL;

-- Inbox: one row per (consumer group, event) handled, written in the handler's transaction.
CREATE TABLE IF NOT EXISTS messaging_inbox (
  consumer_group TEXT NOT NULL,
  event_id UUID NOT NULL,
  event_type TEXT NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
