-- Every verified CRM webhook delivery (one HubSpot event of a batch, or one Salesforce platform
-- event), recorded before the webhook is answered so nothing acknowledged is ever lost.
CREATE TABLE crm_delivery (
  crm TEXT NOT NULL CHECK (crm IN ('HUBSPOT', 'SALESFORCE')),
  -- HubSpot eventId / Salesforce EventUuid: a redelivery carries the same id.
  delivery_id TEXT NOT NULL,
  crm_deal_id TEXT,
  deal_id TEXT,
  event_kind TEXT NOT NULL,
  payload JSONB NOT NULL,
  occurred_at TIMESTAMPTZ(3),
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'PROCESSED', 'IGNORED', 'DUPLICATE', 'REJECTED')),
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  last_error TEXT,
  -- What the CRM API answered (HubSpot), kept so a REJECTED delivery can be inspected.
  crm_snapshot JSONB,
  correlation_id TEXT NOT NULL,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  processed_at TIMESTAMPTZ(3),
  PRIMARY KEY (crm, delivery_id)
);
CREATE INDEX crm_delivery_due ON crm_delivery (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX crm_delivery_status ON crm_delivery (status, received_at);

-- One DealWon ever per CRM deal, whichever delivery announced it first.
CREATE TABLE won_deal (
  crm TEXT NOT NULL,
  crm_deal_id TEXT NOT NULL,
  deal_id TEXT NOT NULL UNIQUE,
  delivery_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  deal_won JSONB NOT NULL,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (crm, crm_deal_id)
);

-- Requests that could not be accepted (bad signature, malformed JSON, wrong shape), kept verbatim.
CREATE TABLE rejected_delivery (
  id BIGSERIAL PRIMARY KEY,
  source TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw_body BYTEA,
  content_type TEXT,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX rejected_delivery_received ON rejected_delivery (received_at);

-- Ingress's copy of the ERP master data it published (payload = the *Upserted event payload), so an
-- identical re-PUT publishes nothing.
CREATE TABLE erp_record (
  kind TEXT NOT NULL CHECK (kind IN ('CUSTOMER', 'LEGAL_ENTITY', 'RATE_CARD', 'PROJECT_TEMPLATE')),
  record_id TEXT NOT NULL,
  payload JSONB NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, record_id)
);
