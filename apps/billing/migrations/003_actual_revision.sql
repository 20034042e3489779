-- Corrections of approved time entries: the highest TimeEntryApproved revision applied to the
-- actual (1 = the first approval); a lower or equal revision arriving later has no effect.
ALTER TABLE actual ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
