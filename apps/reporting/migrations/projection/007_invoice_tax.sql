-- Tax on issued invoices (InvoiceIssued v3+, issue #12): each invoice's net, tax and reverse-charge
-- marker, each line's tax code, rate and share, and one row per tax code and rate. totalMinor stays the
-- amount due (gross). Events before v3 carry no tax: their net is their total and their tax 0, which is
-- what rows recorded before this migration get too (a projection that recorded taxed invoices before
-- it shows their tax after a rebuild).
ALTER TABLE invoice ADD COLUMN net_minor BIGINT;
UPDATE invoice SET net_minor = total_minor;
ALTER TABLE invoice ALTER COLUMN net_minor SET NOT NULL;
ALTER TABLE invoice ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoice ADD COLUMN reverse_charge BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE invoice_line ADD COLUMN tax_code TEXT;
ALTER TABLE invoice_line ADD COLUMN tax_rate_basis_points INTEGER;
ALTER TABLE invoice_line ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE invoice_tax (
  invoice_id TEXT NOT NULL REFERENCES invoice (invoice_id) ON DELETE CASCADE,
  tax_code TEXT NOT NULL,
  rate_basis_points INTEGER NOT NULL CHECK (rate_basis_points BETWEEN 0 AND 10000),
  net_minor BIGINT NOT NULL,
  tax_minor BIGINT NOT NULL,
  PRIMARY KEY (invoice_id, tax_code, rate_basis_points)
);
