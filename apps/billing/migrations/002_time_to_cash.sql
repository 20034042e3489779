-- Time to cash (issue #4): replicated project terms, rate cards and cost rates; actuals, periods,
-- invoices and revenue recognition.

CREATE TABLE billing_project (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  revenue_rule TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  -- Current budget / fee (after change orders).
  fee_minor BIGINT NOT NULL,
  plan_version INTEGER NOT NULL DEFAULT 1,
  -- Pricing remainder carried to the next priced time entry, hundredths of a minor unit (0..99).
  carry_hundredths INTEGER NOT NULL DEFAULT 0,
  progress_billed_minor BIGINT NOT NULL DEFAULT 0,
  retainer_usage_minor BIGINT NOT NULL DEFAULT 0,
  retainer_overage_billed_minor BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE rate_card (
  rate_card_id TEXT PRIMARY KEY,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  effective_to TEXT,
  rates JSONB NOT NULL
);
CREATE INDEX rate_card_entity ON rate_card (legal_entity_id, currency);

CREATE TABLE person_cost_rate (
  project_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  cost_rate_minor BIGINT NOT NULL,
  assignment_status TEXT NOT NULL,
  PRIMARY KEY (project_id, person_id)
);

CREATE TABLE completed_milestone (
  project_id TEXT NOT NULL,
  milestone_id TEXT NOT NULL,
  completed_on TEXT NOT NULL,
  PRIMARY KEY (project_id, milestone_id)
);

ALTER TABLE billing_schedule_item ADD COLUMN invoice_id TEXT;

-- One actual per time entry / expense id. Project fields are null while the project is unknown.
CREATE TABLE actual (
  actual_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  project_id TEXT NOT NULL,
  deal_id TEXT,
  customer_id TEXT,
  legal_entity_id TEXT,
  person_id TEXT NOT NULL,
  role TEXT,
  work_date TEXT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  approved_billable BOOLEAN NOT NULL,
  billable BOOLEAN NOT NULL,
  currency TEXT,
  -- Expenses: the approved amount in their own currency.
  expense_amount_minor BIGINT,
  description TEXT,
  rate_minor BIGINT,
  rate_card_id TEXT,
  bill_amount_minor BIGINT NOT NULL DEFAULT 0,
  cost_rate_minor BIGINT,
  cost_amount_minor BIGINT NOT NULL DEFAULT 0,
  billing_period TEXT NOT NULL,
  status TEXT NOT NULL,
  invoice_id TEXT,
  note TEXT,
  approved_at BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  recorded_seq BIGSERIAL NOT NULL
);
CREATE INDEX actual_project ON actual (project_id);
CREATE INDEX actual_status ON actual (status, billing_period);

CREATE TABLE billing_period (
  period TEXT PRIMARY KEY,
  closed_at BIGINT NOT NULL,
  closed_by TEXT NOT NULL
);

CREATE TABLE invoice (
  invoice_id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_period TEXT NOT NULL,
  status TEXT NOT NULL,
  lines JSONB NOT NULL,
  total_minor BIGINT NOT NULL,
  invoice_number TEXT UNIQUE,
  issued_on TEXT,
  due_date TEXT,
  issued_at BIGINT
);
CREATE INDEX invoice_customer ON invoice (customer_id, status);

CREATE TABLE invoice_sequence (
  legal_entity_id TEXT PRIMARY KEY,
  last_number INTEGER NOT NULL
);

CREATE TABLE revenue_recognition (
  recognition_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  period TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  cumulative_minor BIGINT NOT NULL,
  carried_remainder TEXT NOT NULL
);
CREATE INDEX revenue_recognition_project ON revenue_recognition (project_id, currency, period);

-- Kept apart from billing_project: a forecast may arrive before the project does.
CREATE TABLE project_forecast (
  project_id TEXT PRIMARY KEY,
  forecast_total_cost_minor BIGINT NOT NULL
);
