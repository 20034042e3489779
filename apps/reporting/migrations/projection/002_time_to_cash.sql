-- Time to cash (issue #4): the current state of every project plan, forecast, assignment, priced
-- actual, invoice, payment, revenue recognition, milestone completion and period close, one row per
-- business key. Handlers replace a row only with a state that supersedes it (plan version, changedAt,
-- refreshedAt, ... then event_id), so redeliveries, rebuild replays and cross-topic reordering all
-- end in the same rows. Dates are ISO strings (YYYY-MM-DD) and periods YYYY-MM, as in the events;
-- money is BIGINT minor units of the row's currency; hours are hundredths.

-- The plan a project was created with (plan version 1, the baseline).
CREATE TABLE project_baseline (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  name TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  budget_minor BIGINT NOT NULL,
  milestones JSONB NOT NULL,
  roles JSONB NOT NULL,
  event_id UUID NOT NULL
);

-- The latest plan after change orders (highest plan_version seen).
CREATE TABLE project_plan (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  plan_version INT NOT NULL,
  change_order_id TEXT NOT NULL,
  effective_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  baseline_end_date TEXT NOT NULL,
  budget_minor BIGINT NOT NULL,
  baseline_budget_minor BIGINT NOT NULL,
  milestones JSONB NOT NULL,
  roles JSONB NOT NULL,
  event_id UUID NOT NULL
);

-- The latest cost forecast per project (latest refreshed_at).
CREATE TABLE project_forecast (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  revenue_minor BIGINT NOT NULL,
  cost_minor BIGINT NOT NULL,
  margin_minor BIGINT NOT NULL,
  trigger_event_id TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  refreshed_at TIMESTAMPTZ(3) NOT NULL,
  event_id UUID NOT NULL
);

-- The latest state of each assignment (latest occurred_at of its AssignmentChanged).
CREATE TABLE assignment (
  assignment_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  currency TEXT NOT NULL,
  forecast_cost_minor BIGINT NOT NULL,
  status TEXT NOT NULL,
  occurred_at TIMESTAMPTZ(3) NOT NULL,
  event_id UUID NOT NULL
);
CREATE INDEX assignment_person ON assignment (person_id);

-- The latest state of each priced actual (latest changed_at, then the status further along).
CREATE TABLE actual (
  actual_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  project_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT,
  work_date TEXT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  billable BOOLEAN NOT NULL,
  currency TEXT NOT NULL,
  bill_amount_minor BIGINT NOT NULL,
  cost_amount_minor BIGINT NOT NULL,
  billing_period TEXT NOT NULL,
  status TEXT NOT NULL,
  invoice_id TEXT,
  approved_at TIMESTAMPTZ(3) NOT NULL,
  changed_at TIMESTAMPTZ(3) NOT NULL,
  event_id UUID NOT NULL
);
CREATE INDEX actual_project ON actual (project_id);
CREATE INDEX actual_work_date ON actual (work_date);
CREATE INDEX actual_uninvoiced ON actual (billing_period) WHERE status IN ('UNPRICED', 'UNBILLED', 'READY_TO_INVOICE');

CREATE TABLE invoice (
  invoice_id TEXT PRIMARY KEY,
  invoice_number TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  legal_entity_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  billing_period TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  due_date TEXT NOT NULL,
  total_minor BIGINT NOT NULL,
  issued_at TIMESTAMPTZ(3) NOT NULL,
  event_id UUID NOT NULL
);
CREATE INDEX invoice_period ON invoice (billing_period);

CREATE TABLE invoice_line (
  invoice_id TEXT NOT NULL REFERENCES invoice (invoice_id) ON DELETE CASCADE,
  line_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  quantity_hundredths BIGINT,
  unit_price_minor BIGINT,
  amount_minor BIGINT NOT NULL,
  source_ids TEXT[] NOT NULL,
  PRIMARY KEY (invoice_id, line_id)
);
CREATE INDEX invoice_line_project ON invoice_line (project_id);

-- Payments by ERP payment id (a payment received again changes nothing). The invoice may arrive later.
CREATE TABLE payment (
  payment_id TEXT PRIMARY KEY,
  invoice_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  received_on TEXT NOT NULL,
  reference TEXT,
  event_id UUID NOT NULL
);
CREATE INDEX payment_invoice ON payment (invoice_id);

-- Revenue recognized per project, period and currency (recognition_id is deterministic for them).
CREATE TABLE revenue_recognition (
  recognition_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  period TEXT NOT NULL,
  revenue_rule TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  cumulative_minor BIGINT NOT NULL,
  percent_complete_basis_points INT,
  occurred_at TIMESTAMPTZ(3) NOT NULL,
  event_id UUID NOT NULL
);
CREATE INDEX revenue_recognition_period ON revenue_recognition (period);

-- Completed milestones (the earliest completion date wins).
CREATE TABLE milestone_completion (
  project_id TEXT NOT NULL,
  milestone_id TEXT NOT NULL,
  deal_id TEXT NOT NULL,
  completed_on TEXT NOT NULL,
  completed_by TEXT NOT NULL,
  event_id UUID NOT NULL,
  PRIMARY KEY (project_id, milestone_id)
);

-- Closed billing periods with their draft invoices (latest close wins).
CREATE TABLE billing_period_close (
  period TEXT PRIMARY KEY,
  closed_at TIMESTAMPTZ(3) NOT NULL,
  closed_by TEXT NOT NULL,
  draft_invoices JSONB NOT NULL,
  event_id UUID NOT NULL
);
