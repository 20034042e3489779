-- Replicas of master data (compacted topics): the latest record per id wins. source_occurred_at
-- (epoch ms of the event) keeps a redelivered or retried older record from overwriting a newer one.
CREATE TABLE project_template (
  template_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  duration_days INTEGER NOT NULL,
  phases JSONB NOT NULL,
  source_occurred_at BIGINT NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);

CREATE TABLE rate_card (
  rate_card_id TEXT PRIMARY KEY,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  effective_to TEXT,
  rates JSONB NOT NULL,
  source_occurred_at BIGINT NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);

-- Approved contracts whose projects cannot be created yet: reference data is missing (out of
-- order) or wrong (a business exception is open). Re-planned when the reference data changes.
CREATE TABLE pending_contract (
  contract_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  rate_card_ids TEXT[] NOT NULL,
  contract JSONB NOT NULL,
  approved_on TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  cause_event_id TEXT NOT NULL,
  waiting_for TEXT[] NOT NULL,
  open_exceptions JSONB NOT NULL DEFAULT '[]'::jsonb,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX pending_contract_template ON pending_contract (template_id);
CREATE INDEX pending_contract_rate_cards ON pending_contract USING GIN (rate_card_ids);

CREATE TABLE project (
  project_id TEXT PRIMARY KEY,
  contract_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  template_id TEXT NOT NULL,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  budget_minor BIGINT NOT NULL CHECK (budget_minor >= 0),
  phases JSONB NOT NULL,
  roles JSONB NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX project_deal ON project (deal_id);
