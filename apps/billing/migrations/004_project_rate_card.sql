-- The rate card the project's contract names (ProjectCreated v2 rateCardId): the project's time is
-- priced from it only. Null for projects created before it was carried, which keep the old rule
-- (the legal entity's card in the project currency that took effect last).
ALTER TABLE billing_project ADD COLUMN rate_card_id TEXT;
