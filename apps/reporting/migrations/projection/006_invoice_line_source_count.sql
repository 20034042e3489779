-- InvoiceIssued v2 publishes summary lines that count what they bill instead of listing it; which
-- actual an invoice billed is ActualChanged's invoiceId.
ALTER TABLE invoice_line ADD COLUMN IF NOT EXISTS source_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoice_line DROP COLUMN IF EXISTS source_ids;
