-- Local replicas of ERP master data (compacted topics: the latest record per id is the truth).
CREATE TABLE customer (
  customer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  billing_currency TEXT NOT NULL,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE legal_entity (
  legal_entity_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  currency TEXT NOT NULL,
  tax_registration_id TEXT,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

CREATE TABLE rate_card (
  rate_card_id TEXT PRIMARY KEY,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  effective_to TEXT,
  rates JSONB NOT NULL,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX rate_card_legal_entity ON rate_card (legal_entity_id, currency);

CREATE TABLE project_template (
  template_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- Won deals and their contract. The ids the deal references are denormalised into columns so a
-- master-data change finds the PENDING deals it may unblock without scanning every deal.
CREATE TABLE deal (
  deal_id TEXT PRIMARY KEY,
  deal JSONB NOT NULL,
  customer_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  legal_entity_ids TEXT[] NOT NULL,
  rate_card_ids TEXT[] NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'APPROVED')),
  contract_id TEXT NOT NULL,
  contract JSONB,
  -- The deal's business flow: events this service emits for the deal later (approval after a
  -- master-data fix, setup outcome) stay in it.
  correlation_id TEXT NOT NULL,
  received_at TIMESTAMPTZ(3) NOT NULL,
  approved_at TIMESTAMPTZ(3)
);
CREATE INDEX deal_pending_customer ON deal (customer_id) WHERE status = 'PENDING';
CREATE INDEX deal_pending_template ON deal (template_id) WHERE status = 'PENDING';
CREATE INDEX deal_pending_legal_entities ON deal USING GIN (legal_entity_ids) WHERE status = 'PENDING';
CREATE INDEX deal_pending_rate_cards ON deal USING GIN (rate_card_ids) WHERE status = 'PENDING';

-- Business exceptions this service raised for a deal (its open gaps, and resolved ones for audit).
CREATE TABLE deal_exception (
  exception_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL REFERENCES deal (deal_id),
  code TEXT NOT NULL,
  owner_role TEXT NOT NULL,
  message TEXT NOT NULL,
  remediation TEXT NOT NULL,
  details JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
  raised_at TIMESTAMPTZ(3) NOT NULL,
  resolved_at TIMESTAMPTZ(3)
);
CREATE INDEX deal_exception_deal ON deal_exception (deal_id);

-- Project setup process manager: one row per deal, one row per project of the deal.
CREATE TABLE setup_process (
  deal_id TEXT PRIMARY KEY REFERENCES deal (deal_id),
  status TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'OVERDUE', 'READY')),
  deal_won_at TIMESTAMPTZ(3) NOT NULL,
  contract_approved_at TIMESTAMPTZ(3),
  expected_legal_entity_ids TEXT[] NOT NULL DEFAULT '{}',
  deadline_at TIMESTAMPTZ(3),
  overdue_at TIMESTAMPTZ(3),
  completed_at TIMESTAMPTZ(3)
);
CREATE INDEX setup_process_deadline ON setup_process (deadline_at) WHERE status = 'IN_PROGRESS';

CREATE TABLE setup_project (
  deal_id TEXT NOT NULL REFERENCES setup_process (deal_id),
  project_id TEXT NOT NULL,
  legal_entity_id TEXT,
  project_created_at TIMESTAMPTZ(3),
  staffing_demand_published_at TIMESTAMPTZ(3),
  billing_provisioned_at TIMESTAMPTZ(3),
  PRIMARY KEY (deal_id, project_id)
);
