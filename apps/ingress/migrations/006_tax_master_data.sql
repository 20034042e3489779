-- ERP tax master data (issue #12): tax regimes per legal entity and customer tax profiles are ERP
-- records like the others, kept for the identical-re-send check.
ALTER TABLE erp_record DROP CONSTRAINT erp_record_kind_check;
ALTER TABLE erp_record ADD CONSTRAINT erp_record_kind_check CHECK (
  kind IN ('CUSTOMER', 'LEGAL_ENTITY', 'RATE_CARD', 'PROJECT_TEMPLATE', 'TAX_REGIME', 'CUSTOMER_TAX_PROFILE')
);
