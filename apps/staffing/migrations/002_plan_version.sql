-- The project plan version the demand was derived from: 1 from ProjectCreated, then one per
-- ProjectPlanChanged (change order). An older or repeated plan version has no further effect.
ALTER TABLE project_demand ADD COLUMN plan_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE project_demand ADD COLUMN updated_at TIMESTAMP(3) NOT NULL DEFAULT now();
