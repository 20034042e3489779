-- The business exception a refusal raised for this record and no later call has resolved yet, so the
-- first call that goes through resolves it even when retriable failures came in between.
ALTER TABLE outbound_call ADD COLUMN open_exception_id TEXT;
