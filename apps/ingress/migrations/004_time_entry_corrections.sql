-- Corrections of approved time entries (POST /psa/time-entries/:entryId/corrections): an APPROVED
-- entry is re-approved with corrected facts as its next revision, and TimeEntryApproved is published
-- again with that revision and the correction's reason. psa_time_entry holds the current revision;
-- every revision it superseded is kept in psa_time_entry_revision, as it was approved. Entries
-- approved before this migration are revision 1.
ALTER TABLE psa_time_entry
  ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
  -- Why the current revision was corrected; null for revision 1.
  ADD COLUMN correction_reason TEXT,
  ADD CHECK ((revision = 1) = (correction_reason IS NULL));

-- A correction may withdraw approved time by setting its hours to 0 (a new entry still needs more
-- than 0 hours: that rule is the intake's, in the domain).
ALTER TABLE psa_time_entry DROP CONSTRAINT psa_time_entry_hours_hundredths_check;
ALTER TABLE psa_time_entry
  ADD CONSTRAINT psa_time_entry_hours_hundredths_check CHECK (hours_hundredths >= 0 AND hours_hundredths <= 2400);

CREATE TABLE psa_time_entry_revision (
  entry_id TEXT NOT NULL REFERENCES psa_time_entry (entry_id),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  role TEXT NOT NULL,
  work_date TEXT NOT NULL,
  hours_hundredths INTEGER NOT NULL CHECK (hours_hundredths >= 0 AND hours_hundredths <= 2400),
  billable BOOLEAN NOT NULL,
  approved_by TEXT NOT NULL,
  approved_at TIMESTAMPTZ(3) NOT NULL,
  correction_reason TEXT,
  -- eventId of the TimeEntryApproved that published this revision.
  event_id TEXT NOT NULL,
  correlation_id TEXT,
  superseded_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (entry_id, revision)
);
