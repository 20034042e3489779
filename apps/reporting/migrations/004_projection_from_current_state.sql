-- A rebuild may start from the current-state topics (ActualState instead of every ActualChanged).
ALTER TABLE projection ADD COLUMN from_current_state BOOLEAN NOT NULL DEFAULT false;
