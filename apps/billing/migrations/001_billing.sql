CREATE TABLE billing_schedule (
  billing_schedule_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL UNIQUE,
  deal_id TEXT NOT NULL,
  billing_type TEXT NOT NULL,
  revenue_rule TEXT NOT NULL,
  currency TEXT NOT NULL,
  budget_minor BIGINT NOT NULL CHECK (budget_minor >= 0),
  created_at TIMESTAMP(3) NOT NULL DEFAULT now()
);

CREATE TABLE billing_schedule_item (
  item_id TEXT PRIMARY KEY,
  billing_schedule_id TEXT NOT NULL REFERENCES billing_schedule (billing_schedule_id),
  position INTEGER NOT NULL,
  description TEXT NOT NULL,
  due_date TEXT,
  -- NULL: billed from actuals (time and materials) or progress (percent complete).
  amount_minor BIGINT CHECK (amount_minor >= 0),
  milestone_id TEXT,
  UNIQUE (billing_schedule_id, position)
);
