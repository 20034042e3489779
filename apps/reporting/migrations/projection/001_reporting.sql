-- The read model of ONE projection. Applied, with search_path set to the projection's schema
-- (projection_<version>), when a projection is created, and on service start to every projection
-- still in use (ACTIVE or BUILDING) that lacks it. Add changes as new files; never edit an applied one.

-- Deals known to reporting: created by the first event that belongs to the deal; DealWon (or,
-- until it arrives, ContractApproved) fills in the descriptive fields.
CREATE TABLE deal (
  deal_id TEXT PRIMARY KEY,
  deal_name TEXT,
  customer_name TEXT,
  currency TEXT,
  amount_minor BIGINT,
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- One entry per consumed event (event_id is the key, so a redelivery can never add a second one).
-- deal_id is NULL while the deal is not known yet (an AssignmentChanged before its ProjectCreated,
-- an exception resolved before it was raised); project_id / exception_id say what will link it.
CREATE TABLE timeline_entry (
  event_id UUID PRIMARY KEY,
  deal_id TEXT REFERENCES deal (deal_id),
  project_id TEXT,
  exception_id TEXT,
  step TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  status TEXT NOT NULL,
  summary TEXT NOT NULL,
  event_type TEXT NOT NULL,
  source TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id TEXT,
  occurred_at TIMESTAMPTZ(3) NOT NULL,
  recorded_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX timeline_entry_deal ON timeline_entry (deal_id, occurred_at, recorded_at);
CREATE INDEX timeline_entry_unlinked_project ON timeline_entry (project_id) WHERE deal_id IS NULL;
CREATE INDEX timeline_entry_unlinked_exception ON timeline_entry (exception_id) WHERE deal_id IS NULL;

-- Which deal a project belongs to, learnt from any event that carries both ids.
CREATE TABLE project_deal (
  project_id TEXT PRIMARY KEY,
  deal_id TEXT NOT NULL REFERENCES deal (deal_id),
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- Current state of each business exception. raised_at / resolved_at are the latest occurrences of
-- each; status is derived from them (OPEN, RESOLVED, or UNRAISED when only the resolution arrived).
CREATE TABLE business_exception (
  exception_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'RESOLVED', 'UNRAISED')),
  owner_role TEXT,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  deal_id TEXT,
  project_id TEXT,
  code TEXT,
  message TEXT,
  remediation TEXT,
  details JSONB NOT NULL DEFAULT '{}'::jsonb,
  resolution TEXT,
  raised_at TIMESTAMPTZ(3),
  resolved_at TIMESTAMPTZ(3),
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX business_exception_status_owner ON business_exception (status, owner_role);
CREATE INDEX business_exception_deal ON business_exception (deal_id, status);
CREATE INDEX business_exception_unlinked_project ON business_exception (project_id) WHERE deal_id IS NULL;
