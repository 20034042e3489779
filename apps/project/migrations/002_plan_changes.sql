-- The project's current delivery plan and financial baseline after change orders. The project row
-- keeps the values at creation (the baseline, plan version 1); a project without a row here has
-- had no change order yet, so its current plan is its baseline.
CREATE TABLE project_plan (
  project_id TEXT PRIMARY KEY REFERENCES project (project_id),
  plan_version INTEGER NOT NULL CHECK (plan_version >= 1),
  end_date TEXT NOT NULL,
  budget_minor BIGINT NOT NULL CHECK (budget_minor >= 0),
  roles JSONB NOT NULL,
  milestones JSONB NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);

-- Every change order seen, once per change_order_id (approving it again has no further effect):
-- PENDING (its project does not exist yet; applied when the project is created), APPLIED (with the
-- plan version it produced) or REJECTED (with the reasons, raised as a business exception).
CREATE TABLE change_order (
  change_order_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'APPLIED', 'REJECTED')),
  plan_version INTEGER,
  change_order JSONB NOT NULL,
  reasons TEXT[] NOT NULL DEFAULT '{}',
  correlation_id TEXT NOT NULL,
  cause_event_id TEXT NOT NULL,
  received_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX change_order_project ON change_order (project_id, status);

CREATE TABLE milestone_completion (
  project_id TEXT NOT NULL REFERENCES project (project_id),
  milestone_id TEXT NOT NULL,
  completed_on TEXT NOT NULL,
  completed_by TEXT NOT NULL,
  recorded_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, milestone_id)
);

-- Replica of staffing's assignments (AssignmentChanged), the latest per assignment: the project's
-- forecast cost is the sum over its assignments. source_occurred_at keeps a late, older event from
-- overwriting a newer one. No foreign key: an assignment may arrive before its project.
CREATE TABLE project_assignment (
  assignment_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  status TEXT NOT NULL,
  forecast_cost_minor BIGINT NOT NULL CHECK (forecast_cost_minor >= 0),
  currency TEXT NOT NULL,
  source_occurred_at BIGINT NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX project_assignment_project ON project_assignment (project_id);
