import { DealDetails, StepStatus, TimelineStepName } from './timeline-entry';

export const DEAL_STATUSES = ['IN_PROGRESS', 'READY', 'OVERDUE', 'BLOCKED'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

/** One entry of a deal's setup timeline, as the API returns it (times as ISO-8601 UTC). */
export interface TimelineStep {
  step: TimelineStepName;
  entityType: string;
  entityId: string;
  status: StepStatus;
  summary: string;
  /** When the business fact happened (envelope occurredAt). */
  occurredAt: string;
  /** When reporting recorded it. */
  recordedAt: string;
  correlationId: string;
  causationId: string | null;
  eventId: string;
  eventType: string;
  source: string;
}

export interface DealTimeline {
  dealId: string;
  dealName: string | null;
  customerName: string | null;
  status: DealStatus;
  openExceptions: number;
  steps: TimelineStep[];
}

/** What status derivation needs of a step. */
export type StatusStep = Pick<TimelineStep, 'step' | 'occurredAt' | 'recordedAt' | 'eventId'>;

/** Steps that decide a deal's status; the rest (assignments, milestones) never change it. */
export const STATUS_STEPS: readonly TimelineStepName[] = [
  'SETUP_READY',
  'SETUP_OVERDUE',
  'SETUP_FAILED',
  'EXCEPTION_RESOLVED',
];

/** Timeline order: by occurredAt, then recordedAt, then eventId so equal times still sort stably. */
export function compareSteps(a: StatusStep, b: StatusStep): number {
  return (
    Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
    Date.parse(a.recordedAt) - Date.parse(b.recordedAt) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

/**
 * A deal's status:
 * - BLOCKED while any of its business exceptions is open;
 * - otherwise the latest setup outcome decides: READY, OVERDUE, or — for FAILED — BLOCKED, unless an
 *   exception of the deal was resolved after it (the setup is then being retried: IN_PROGRESS);
 * - IN_PROGRESS before any outcome.
 */
export function deriveDealStatus(steps: readonly StatusStep[], openExceptions: number): DealStatus {
  if (openExceptions > 0) return 'BLOCKED';
  const ordered = [...steps].sort(compareSteps);
  let status: DealStatus = 'IN_PROGRESS';
  for (const { step } of ordered) {
    if (step === 'SETUP_READY') status = 'READY';
    else if (step === 'SETUP_OVERDUE') status = 'OVERDUE';
    else if (step === 'SETUP_FAILED') status = 'BLOCKED';
    else if (step === 'EXCEPTION_RESOLVED' && status === 'BLOCKED') status = 'IN_PROGRESS';
  }
  return status;
}

/** A deal's timeline: steps in order and the status they add up to. */
export function buildTimeline(
  deal: { dealId: string } & Pick<DealDetails, 'dealName' | 'customerName'>,
  steps: readonly TimelineStep[],
  openExceptions: number,
): DealTimeline {
  return {
    dealId: deal.dealId,
    dealName: deal.dealName,
    customerName: deal.customerName,
    status: deriveDealStatus(steps, openExceptions),
    openExceptions,
    steps: [...steps].sort(compareSteps),
  };
}

/** Merges what an event says about a deal into what is known: authoritative fields overwrite, others fill gaps. */
export function mergeDealDetails(
  current: DealDetails | null,
  update: { details: Partial<DealDetails>; authoritative: boolean } | null,
): DealDetails {
  const known: DealDetails = current ?? {
    dealName: null,
    customerName: null,
    currency: null,
    amountMinor: null,
  };
  if (!update) return known;
  const merged = { ...known };
  for (const field of ['dealName', 'customerName', 'currency', 'amountMinor'] as const) {
    const value = update.details[field];
    if (value === undefined || value === null) continue;
    if (update.authoritative || merged[field] === null)
      (merged as Record<typeof field, unknown>)[field] = value;
  }
  return merged;
}

/** What the deal list needs to know of one deal. */
export interface DealFacts extends DealDetails {
  dealId: string;
  statusSteps: readonly StatusStep[];
  openExceptions: number;
  stepCount: number;
  lastActivityAt: string | null;
}

export interface DealSummary extends DealDetails {
  dealId: string;
  status: DealStatus;
  openExceptions: number;
  stepCount: number;
  /** occurredAt of the deal's latest step. */
  lastActivityAt: string | null;
}

/** Deals with their current status, most recently active first, optionally only those in `status`. */
export function listDeals(deals: readonly DealFacts[], status?: DealStatus): DealSummary[] {
  return deals
    .map(({ statusSteps, ...facts }): DealSummary => ({
      dealId: facts.dealId,
      dealName: facts.dealName,
      customerName: facts.customerName,
      currency: facts.currency,
      amountMinor: facts.amountMinor,
      status: deriveDealStatus(statusSteps, facts.openExceptions),
      openExceptions: facts.openExceptions,
      stepCount: facts.stepCount,
      lastActivityAt: facts.lastActivityAt,
    }))
    .filter((deal) => status === undefined || deal.status === status)
    .sort(
      (a, b) =>
        Date.parse(b.lastActivityAt ?? '1970-01-01T00:00:00Z') -
          Date.parse(a.lastActivityAt ?? '1970-01-01T00:00:00Z') ||
        (a.dealId < b.dealId ? -1 : a.dealId > b.dealId ? 1 : 0),
    );
}
