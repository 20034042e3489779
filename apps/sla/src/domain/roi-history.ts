import { periodEnd } from './business-days';
import { nearestRankPercentile } from './percentile';
import { allowanceMs, SlaDefinition } from './sla-definition';

/** Latest known state of one priced actual (from ActualChanged). */
export interface ActualState {
  actualId: string;
  billable: boolean;
  status: string;
  /** YYYY-MM. */
  billingPeriod: string;
  currency: string;
  billAmountMinor: number;
}

/** One business exception by id; times are epoch ms of the events. */
export interface ExceptionState {
  exceptionId: string;
  /** First raise: a re-raise with the same id does not restart the clock. */
  firstRaisedAt: number | null;
  lastRaisedAt: number | null;
  resolvedAt: number | null;
}

/** Statuses of an actual that has not been invoiced (nor written off). */
export const NOT_INVOICED_STATUSES: readonly string[] = ['UNPRICED', 'UNBILLED', 'READY_TO_INVOICE'];

export interface LeakageByCurrency {
  currency: string;
  amountMinor: number;
  actuals: number;
}

export interface BillingLeakage {
  /** ISO instant the figures are computed for. */
  asOf: string;
  /** Billable actuals not invoiced whose billing period's invoice deadline has passed. */
  actuals: number;
  /** Of those, UNPRICED ones: their amount is unknown (0 in the sums). */
  unpriced: number;
  /** Bill amounts per currency (never added across currencies), by currency code. */
  byCurrency: LeakageByCurrency[];
}

/**
 * When a billing period's invoices are due: the invoice SLA's allowance after the period's end
 * (local midnight in the SLA's time zone). Null for a malformed period.
 */
export function invoiceDeadline(
  period: string,
  invoiceSla: Pick<SlaDefinition, 'thresholdMs' | 'businessDays' | 'timeZone' | 'holidays'>,
): number | null {
  const end = periodEnd(period, invoiceSla.timeZone);
  return end === null ? null : end + allowanceMs(invoiceSla, end);
}

/**
 * Billing leakage: billable actuals still UNPRICED, UNBILLED or READY_TO_INVOICE although their
 * billing period's invoices were due before `now` (`deadlineOf(period)`, see invoiceDeadline).
 */
export function billingLeakage(
  actuals: readonly ActualState[],
  now: number,
  deadlineOf: (period: string) => number | null,
): BillingLeakage {
  const sums = new Map<string, { amount: bigint; actuals: number }>();
  let count = 0;
  let unpriced = 0;
  for (const actual of actuals) {
    if (!actual.billable || !NOT_INVOICED_STATUSES.includes(actual.status)) continue;
    const deadline = deadlineOf(actual.billingPeriod);
    if (deadline === null || now <= deadline) continue;
    count += 1;
    if (actual.status === 'UNPRICED') unpriced += 1;
    const sum = sums.get(actual.currency) ?? { amount: 0n, actuals: 0 };
    sums.set(actual.currency, {
      amount: sum.amount + BigInt(actual.billAmountMinor),
      actuals: sum.actuals + 1,
    });
  }
  return {
    asOf: new Date(now).toISOString(),
    actuals: count,
    unpriced,
    byCurrency: [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, sum]) => ({ currency, amountMinor: safeNumber(sum.amount), actuals: sum.actuals })),
  };
}

export interface BusinessExceptionFigures {
  /** Distinct exceptions raised (by exceptionId). */
  raised: number;
  open: number;
  resolved: number;
  /** First raise to resolution of resolved exceptions, nearest-rank percentiles. */
  timeToResolution: { p50Ms: number | null; p95Ms: number | null };
}

/**
 * Exceptions raised, open and resolved, and time to resolution. One resolved after its latest
 * raise is resolved; one raised again after a resolution is open again, its clock still running
 * from the first raise. A resolution without any raise seen (yet) is not counted.
 */
export function businessExceptionFigures(exceptions: readonly ExceptionState[]): BusinessExceptionFigures {
  const raised = exceptions.filter((exception) => exception.firstRaisedAt !== null);
  const durations = raised
    .filter(
      (exception) =>
        exception.resolvedAt !== null && exception.resolvedAt >= (exception.lastRaisedAt ?? Infinity),
    )
    .map((exception) => Math.max(0, (exception.resolvedAt ?? 0) - (exception.firstRaisedAt ?? 0)));
  return {
    raised: raised.length,
    open: raised.length - durations.length,
    resolved: durations.length,
    timeToResolution: {
      p50Ms: nearestRankPercentile(durations, 50),
      p95Ms: nearestRankPercentile(durations, 95),
    },
  };
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError(`amount ${value} minor units exceeds the safe integer range`);
  return Number(value);
}
