CREATE TABLE project_demand (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL,
  demand_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  lines JSONB NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT now()
);

CREATE TABLE assignment (
  assignment_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES project_demand (project_id),
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  hours_hundredths BIGINT NOT NULL CHECK (hours_hundredths >= 0),
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  cost_rate_minor BIGINT NOT NULL CHECK (cost_rate_minor >= 0),
  forecast_cost_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now()
);
CREATE INDEX assignment_project ON assignment (project_id);
