-- One clock per (SLA, entity): opened by the SLA's start event, closed by its end event.
-- status: AWAITING_START (end seen first), RUNNING, BREACHED, MET (closed in time), RECOVERED.
CREATE TABLE sla_clock (
  sla TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  breach_id TEXT NOT NULL UNIQUE,
  owner_role TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  deal_id TEXT,
  threshold_ms BIGINT NOT NULL CHECK (threshold_ms > 0),
  status TEXT NOT NULL,
  started_at TIMESTAMP(3),
  due_at TIMESTAMP(3),
  ended_at TIMESTAMP(3),
  breached_at TIMESTAMP(3),
  money_at_risk_minor BIGINT,
  currency TEXT,
  -- The start event's flow, so breaches the scheduler raises carry its correlation and causation.
  correlation_id TEXT,
  start_event_id TEXT,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (sla, entity_id)
);
CREATE INDEX sla_clock_running_due ON sla_clock (due_at) WHERE status = 'RUNNING';
CREATE INDEX sla_clock_status ON sla_clock (sla, status);
