-- Approved timesheet entries (TimeEntryApproved), one row per time-tool entry id: the first approval
-- (earliest approved_at, then the greater event id) wins, so an entry approved again or redelivered
-- changes nothing, in any order. Utilisation counts these hours and the timesheet's billable flag, not
-- billing's priced actuals: billing prices fixed-fee time as not billable (the fee is billed, not the
-- hours), although it is client work. Rows are kept as approved, malformed ones too (utilisation
-- leaves those out). Dates are ISO strings (YYYY-MM-DD), hours are hundredths, approved_at is epoch ms.
-- Like every projection migration, it runs in each projection's schema: on start in the projections in
-- use (the live consumer then reads the topic from the beginning: a new group subscription) and when a
-- rebuild creates one.
CREATE TABLE approved_time (
  entry_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  work_date TEXT NOT NULL,
  hours_hundredths BIGINT NOT NULL,
  billable BOOLEAN NOT NULL,
  approved_at BIGINT NOT NULL,
  approved_by TEXT NOT NULL,
  source_system TEXT NOT NULL,
  event_id UUID NOT NULL
);
CREATE INDEX approved_time_work_date ON approved_time (work_date);
CREATE INDEX approved_time_person ON approved_time (person_id);
