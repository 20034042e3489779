-- Current-state topics: changes to a deal, its business exceptions or its project setup publish
-- the deal's full state, and the contract's once approved, through the outbox
-- (application/current-state.ts; messaging migration 003 defines messaging_track_state).
SELECT messaging_track_state('deal', 'deal', 'deal_id');
SELECT messaging_track_state('deal', 'contract', 'contract_id');
SELECT messaging_track_state('deal_exception', 'deal', 'deal_id');
SELECT messaging_track_state('setup_process', 'deal', 'deal_id');
SELECT messaging_track_state('setup_project', 'deal', 'deal_id');
