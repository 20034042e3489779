-- Event history behind the ROI figures of GET /roi.

-- Latest state of each priced actual (ActualChanged is re-published on every status change; the
-- one with the latest changedAt wins, so redelivered or reordered events cannot move it back).
CREATE TABLE sla_actual (
  actual_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  billable BOOLEAN NOT NULL,
  status TEXT NOT NULL,
  billing_period TEXT NOT NULL,
  currency TEXT NOT NULL,
  bill_amount_minor BIGINT NOT NULL,
  changed_at TIMESTAMP(3) NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX sla_actual_status ON sla_actual (status);

-- Business exceptions by id: the first raise starts the clock (a re-raise with the same id does not
-- restart it); the latest resolution after the latest raise resolves it. Event times, so the order
-- in which the two topics are consumed does not matter.
CREATE TABLE sla_business_exception (
  exception_id TEXT PRIMARY KEY,
  owner_role TEXT,
  first_raised_at TIMESTAMP(3),
  last_raised_at TIMESTAMP(3),
  resolved_at TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
