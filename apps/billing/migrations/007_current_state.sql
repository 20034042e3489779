-- Current-state topics: changes to these rows publish the entity's full state through the outbox
-- (application/current-state.ts; messaging migration 003 defines messaging_track_state).
SELECT messaging_track_state('actual', 'actual', 'actual_id');
SELECT messaging_track_state('invoice', 'invoice', 'invoice_id');
SELECT messaging_track_state('payment', 'payment', 'payment_id');
