-- What was sent to each target: one row per record in the target. A call whose payload hash equals
-- the hash of the last successful call (status SENT) is not made again.
CREATE TABLE outbound_call (
  target TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  external_id TEXT NOT NULL,
  target_record_id TEXT NOT NULL,
  payload_sha256 TEXT NOT NULL CHECK (payload_sha256 ~ '^[0-9a-f]{64}$'),
  status TEXT NOT NULL CHECK (status IN ('SENT', 'FAILED', 'REJECTED')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  sent_at TIMESTAMP(3),
  created_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (target, entity_type, external_id)
);

-- What the CRM deal write-back is built from: the deal's projects, its setup outcome and what was
-- invoiced on it. Each event adds a fact idempotently, so the PATCH always carries the whole state.
CREATE TABLE crm_deal_project (
  deal_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  PRIMARY KEY (deal_id, project_id)
);

CREATE TABLE crm_deal_setup (
  deal_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('READY', 'FAILED', 'OVERDUE')),
  completed_at TIMESTAMP(3) NOT NULL
);

CREATE TABLE crm_deal_invoice (
  invoice_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  PRIMARY KEY (invoice_id, deal_id)
);
