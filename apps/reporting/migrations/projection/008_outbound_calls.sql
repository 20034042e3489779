-- A deal's timeline shows the outbound calls of the invoices its lines bill (OutboundRecordSynced names
-- the invoice, not the deal): find the deal's invoices, then their sync entries.
CREATE INDEX IF NOT EXISTS invoice_line_deal ON invoice_line (deal_id);
CREATE INDEX IF NOT EXISTS timeline_entry_entity ON timeline_entry (entity_type, entity_id);
