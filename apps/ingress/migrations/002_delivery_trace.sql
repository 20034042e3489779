-- W3C trace context of the webhook request that recorded the delivery, so the background fetch
-- and the DealWon it publishes continue the request's trace (one deal, one trace).
ALTER TABLE crm_delivery ADD COLUMN traceparent TEXT;
