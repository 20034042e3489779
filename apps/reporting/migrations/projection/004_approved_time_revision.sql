-- Corrections of approved time (TimeEntryApproved v2): each approved correction of an entry is its next
-- revision and supersedes every lower one, in whatever order they arrive. approved_time keeps the
-- highest revision per entry; of two approvals with the same revision the first (earliest approved_at,
-- then the greater event id) still wins. Rows approved before revisions existed are revision 1 (v1
-- events are revision 1), so a projection migrated in place and one rebuilt from the log agree.
ALTER TABLE approved_time ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
