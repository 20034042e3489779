import { SlaBreached, SlaRecovered } from '@throughline/contracts';

/**
 * AWAITING_START: the end event arrived before the start event (different topics, no order);
 * RUNNING: started, within its threshold so far; BREACHED: past its threshold, not closed yet;
 * MET: closed within its threshold; RECOVERED: closed after a breach.
 */
export type ClockStatus = 'AWAITING_START' | 'RUNNING' | 'BREACHED' | 'MET' | 'RECOVERED';

export const CLOCK_STATUSES: readonly ClockStatus[] = [
  'AWAITING_START',
  'RUNNING',
  'BREACHED',
  'MET',
  'RECOVERED',
];

/** What a clock is measured against; fixed when the clock is opened. */
export interface ClockTerms {
  sla: string;
  ownerRole: string;
  entityType: string;
  thresholdMs: number;
}

/** The wait of one entity for the next step of one SLA. Times are epoch ms. */
export interface SlaClock extends ClockTerms {
  entityId: string;
  breachId: string;
  dealId: string | null;
  status: ClockStatus;
  startedAt: number | null;
  endedAt: number | null;
  /** When the breach was detected (by the check, or at a late close). */
  breachedAt: number | null;
  moneyAtRiskMinor: number | null;
  currency: string | null;
}

export interface ClockStart {
  entityId: string;
  dealId: string | null;
  at: number;
  moneyAtRiskMinor: number | null;
  currency: string | null;
}

export interface ClockEnd {
  entityId: string;
  dealId: string | null;
  at: number;
  /** Money at risk known only from the end event (e.g. the priced amount); null when none. */
  moneyAtRiskMinor?: number | null;
  currency?: string | null;
}

export interface ClockTransition {
  clock: SlaClock;
  /** False when the event changed nothing (a repeated start or end). */
  changed: boolean;
  breached: SlaBreached | null;
  recovered: SlaRecovered | null;
}

/** One breach per SLA and entity: a restarted monitor or a redelivered event cannot raise it twice. */
export function breachIdOf(sla: string, entityId: string): string {
  return `${sla}:${entityId}`;
}

/**
 * The start event: opens the clock, or closes one whose end event came first. The start's terms
 * decide the allowance (it may depend on the start time, e.g. business days).
 */
export function startClock(existing: SlaClock | null, terms: ClockTerms, start: ClockStart): ClockTransition {
  if (existing && existing.status !== 'AWAITING_START') return unchanged(existing);
  const startMoney = start.moneyAtRiskMinor !== null && start.currency !== null;
  const clock: SlaClock = {
    ...(existing ?? newClock(terms, start.entityId)),
    thresholdMs: terms.thresholdMs,
    status: 'RUNNING',
    startedAt: start.at,
    dealId: existing?.dealId ?? start.dealId,
    moneyAtRiskMinor: startMoney ? start.moneyAtRiskMinor : (existing?.moneyAtRiskMinor ?? null),
    currency: startMoney ? start.currency : (existing?.currency ?? null),
  };
  return existing && existing.endedAt !== null ? close(clock, existing.endedAt) : changed(clock);
}

/** The end event: closes a running or breached clock, or remembers the end until the start arrives. */
export function endClock(existing: SlaClock | null, terms: ClockTerms, end: ClockEnd): ClockTransition {
  if (!existing) {
    return changed({
      ...newClock(terms, end.entityId),
      ...endMoney(null, end),
      dealId: end.dealId,
      status: 'AWAITING_START',
      endedAt: end.at,
    });
  }
  if (existing.status !== 'RUNNING' && existing.status !== 'BREACHED') return unchanged(existing);
  return close({ ...existing, ...endMoney(existing, end), dealId: existing.dealId ?? end.dealId }, end.at);
}

/** The end's money at risk where the clock has none yet (the start's amount wins). */
function endMoney(clock: SlaClock | null, end: ClockEnd): Pick<SlaClock, 'moneyAtRiskMinor' | 'currency'> {
  if (clock && clock.moneyAtRiskMinor !== null)
    return { moneyAtRiskMinor: clock.moneyAtRiskMinor, currency: clock.currency };
  const amount = end.moneyAtRiskMinor ?? null;
  const currency = end.currency ?? null;
  return amount !== null && currency !== null
    ? { moneyAtRiskMinor: amount, currency }
    : { moneyAtRiskMinor: clock?.moneyAtRiskMinor ?? null, currency: clock?.currency ?? null };
}

/** The periodic check: a running clock older than its threshold breaches, once. */
export function checkClock(clock: SlaClock, now: number): ClockTransition {
  if (clock.status !== 'RUNNING' || clock.startedAt === null) return unchanged(clock);
  const ageMs = now - clock.startedAt;
  if (ageMs <= clock.thresholdMs) return unchanged(clock);
  const breached = { ...clock, status: 'BREACHED' as const, breachedAt: now };
  return { clock: breached, changed: true, breached: breachOf(breached, ageMs), recovered: null };
}

/** When a running clock is due to breach (null when it is not running). */
export function dueAt(clock: SlaClock): number | null {
  return clock.status === 'RUNNING' && clock.startedAt !== null ? clock.startedAt + clock.thresholdMs : null;
}

/**
 * Closes a started clock at `endedAt`. A clock that closes late without having been flagged (the
 * check had not run yet, or the end came first) is a breach all the same: it is raised and
 * recovered at once, so every missed SLA yields exactly one SlaBreached and one SlaRecovered.
 */
function close(clock: SlaClock, endedAt: number): ClockTransition {
  const startedAt = clock.startedAt ?? endedAt;
  const totalMs = Math.max(0, endedAt - startedAt);
  let breached: SlaBreached | null = null;
  let breachedAt = clock.breachedAt;
  if (clock.status !== 'BREACHED') {
    if (totalMs <= clock.thresholdMs) return changed({ ...clock, status: 'MET', endedAt });
    breachedAt = endedAt;
    breached = breachOf(clock, totalMs);
  }
  const recovered: SlaRecovered = {
    breachId: clock.breachId,
    sla: clock.sla,
    entityType: clock.entityType,
    entityId: clock.entityId,
    dealId: clock.dealId,
    recoveredAt: endedAt,
    totalMs,
  };
  return {
    clock: { ...clock, status: 'RECOVERED', endedAt, breachedAt },
    changed: true,
    breached,
    recovered,
  };
}

function breachOf(clock: SlaClock, ageMs: number): SlaBreached {
  return {
    breachId: clock.breachId,
    sla: clock.sla,
    ownerRole: clock.ownerRole,
    entityType: clock.entityType,
    entityId: clock.entityId,
    dealId: clock.dealId,
    startedAt: clock.startedAt ?? 0,
    thresholdMs: clock.thresholdMs,
    ageMs,
    moneyAtRiskMinor: clock.moneyAtRiskMinor,
    currency: clock.currency,
  };
}

function newClock(terms: ClockTerms, entityId: string): SlaClock {
  return {
    ...terms,
    entityId,
    breachId: breachIdOf(terms.sla, entityId),
    dealId: null,
    status: 'RUNNING',
    startedAt: null,
    endedAt: null,
    breachedAt: null,
    moneyAtRiskMinor: null,
    currency: null,
  };
}

function changed(clock: SlaClock): ClockTransition {
  return { clock, changed: true, breached: null, recovered: null };
}

function unchanged(clock: SlaClock): ClockTransition {
  return { clock, changed: false, breached: null, recovered: null };
}
