-- The rate card the contract names for the project's delivery (ProjectCreated v2 rateCardId), so
-- billing prices the project's time from it. Null for projects created before it was carried.
ALTER TABLE project ADD COLUMN rate_card_id TEXT;
