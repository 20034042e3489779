-- Cash application: payments (PaymentReceived) applied to the invoices they name. An invoice's
-- paid_minor is what has been applied to it (never above its total); the rest of a payment is
-- unapplied cash, with the reason.
ALTER TABLE invoice ADD COLUMN paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoice ADD CONSTRAINT invoice_status CHECK (status IN ('DRAFT', 'ISSUED', 'PARTIALLY_PAID', 'PAID'));
ALTER TABLE invoice ADD CONSTRAINT invoice_paid CHECK (paid_minor >= 0 AND paid_minor <= total_minor);

CREATE TABLE payment (
  payment_id TEXT PRIMARY KEY,
  -- As the payment names it; not a foreign key: unknown invoices are recorded too.
  invoice_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  -- The named invoice's legal entity, when billing knows the invoice.
  legal_entity_id TEXT,
  currency TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  applied_minor BIGINT NOT NULL,
  unapplied_minor BIGINT NOT NULL,
  unapplied_reason TEXT CHECK (unapplied_reason IN ('OVERPAYMENT', 'UNKNOWN_INVOICE', 'INVOICE_NOT_ISSUED', 'CURRENCY_MISMATCH')),
  received_on TEXT NOT NULL,
  reference TEXT,
  recorded_at BIGINT NOT NULL,
  CHECK (applied_minor >= 0 AND unapplied_minor >= 0 AND applied_minor + unapplied_minor = amount_minor)
);
CREATE INDEX payment_invoice ON payment (invoice_id);
