-- Tax on invoices (#12 item 2). Master data from the ERP (TaxRegimeUpserted, CustomerTaxProfileUpserted):
-- the latest record per legal entity / customer. Rates are the regime's dated rates as JSON
-- ([{taxCode, rateBasisPoints, effectiveFrom, effectiveTo}], ISO dates).
CREATE TABLE tax_regime (
  legal_entity_id TEXT PRIMARY KEY,
  country TEXT NOT NULL,
  standard_tax_code TEXT NOT NULL,
  rates JSONB NOT NULL
);

CREATE TABLE customer_tax_profile (
  customer_id TEXT PRIMARY KEY,
  country TEXT NOT NULL,
  tax_id TEXT
);

-- An issued invoice's tax: total_minor becomes the amount due (net + tax) at issue; net_minor keeps
-- the lines' sum; tax holds the per-line and per-rate figures published in InvoiceIssued v3.
ALTER TABLE invoice ADD COLUMN net_minor BIGINT;
ALTER TABLE invoice ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoice ADD COLUMN tax JSONB;
