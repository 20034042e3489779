-- PSA time entries as the time tool sent them, with their approval. Personal data: person_id only.
-- An entry may change while SUBMITTED; once APPROVED (TimeEntryApproved published) it is frozen:
-- corrections after approval are refused (409), not applied.
CREATE TABLE psa_time_entry (
  entry_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  work_date TEXT NOT NULL,
  hours_hundredths INTEGER NOT NULL CHECK (hours_hundredths > 0 AND hours_hundredths <= 2400),
  billable BOOLEAN NOT NULL,
  source_system TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED')),
  approved_by TEXT,
  approved_at TIMESTAMPTZ(3),
  -- eventId of the TimeEntryApproved, once approved.
  event_id TEXT,
  correlation_id TEXT,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CHECK ((status = 'APPROVED') = (approved_by IS NOT NULL AND approved_at IS NOT NULL AND event_id IS NOT NULL))
);
CREATE INDEX psa_time_entry_project ON psa_time_entry (project_id, status, work_date);

-- PSA expenses, same life cycle as time entries. amount_minor in minor units of currency.
CREATE TABLE psa_expense (
  expense_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  incurred_on TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  category TEXT NOT NULL,
  receipt_reference TEXT,
  billable BOOLEAN NOT NULL,
  source_system TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED')),
  approved_by TEXT,
  approved_at TIMESTAMPTZ(3),
  event_id TEXT,
  correlation_id TEXT,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CHECK ((status = 'APPROVED') = (approved_by IS NOT NULL AND approved_at IS NOT NULL AND event_id IS NOT NULL))
);
CREATE INDEX psa_expense_project ON psa_expense (project_id, status, incurred_on);

-- ERP payments relayed as PaymentReceived (payload = the event payload): one event per payment id.
CREATE TABLE erp_payment (
  payment_id TEXT PRIMARY KEY,
  payload JSONB NOT NULL,
  event_id TEXT NOT NULL,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);

-- Approved change orders relayed as ChangeOrderApproved (payload = the event payload; currency is
-- the one the amounts were given in, which the event itself does not carry).
CREATE TABLE crm_change_order (
  change_order_id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  payload JSONB NOT NULL,
  event_id TEXT NOT NULL,
  received_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE INDEX crm_change_order_project ON crm_change_order (project_id);
