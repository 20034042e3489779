-- The read model now lives in one PostgreSQL schema per projection (projection_<version>), so it can
-- be rebuilt from the event log into a fresh schema while the active one keeps serving. Projection
-- tables are created from migrations/projection/*.sql; the tables 001 created become projection 1.
CREATE SCHEMA projection_1;
ALTER TABLE deal SET SCHEMA projection_1;
ALTER TABLE timeline_entry SET SCHEMA projection_1;
ALTER TABLE project_deal SET SCHEMA projection_1;
ALTER TABLE business_exception SET SCHEMA projection_1;

-- Every projection and its lifecycle: BUILDING (replaying the log; the live consumer writes to it
-- too) -> ACTIVE (answers queries; exactly one) -> RETIRED (kept for comparison until dropped).
-- from_timestamp NULL means the rebuild started at the beginning of the log.
CREATE TABLE projection (
  version INT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('BUILDING', 'ACTIVE', 'RETIRED')),
  from_timestamp TIMESTAMPTZ(3),
  created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  activated_at TIMESTAMPTZ(3),
  retired_at TIMESTAMPTZ(3),
  dropped_at TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX projection_one_active ON projection (state) WHERE state = 'ACTIVE';
CREATE UNIQUE INDEX projection_one_building ON projection (state) WHERE state = 'BUILDING';

-- Which migrations/projection/*.sql files each projection's schema has applied.
CREATE TABLE projection_migration (
  version INT NOT NULL REFERENCES projection (version),
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (version, name)
);

INSERT INTO projection (version, state, activated_at) VALUES (1, 'ACTIVE', now());
INSERT INTO projection_migration (version, name) VALUES (1, '001_reporting.sql');

-- Each projection has its own inbox key (<consumer group>@projection_<version>): the live consumer
-- and a rebuild consumer writing the same projection share it, so each event lands there once.
UPDATE messaging_inbox SET consumer_group = consumer_group || '@projection_1';
