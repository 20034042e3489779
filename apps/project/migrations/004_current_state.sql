-- Current-state topic: changes to a project, its plan or its milestone completions publish the
-- project's full state through the outbox (application/current-state.ts; messaging migration 003
-- defines messaging_track_state).
SELECT messaging_track_state('project', 'project', 'project_id');
SELECT messaging_track_state('project_plan', 'project', 'project_id');
SELECT messaging_track_state('milestone_completion', 'project', 'project_id');
