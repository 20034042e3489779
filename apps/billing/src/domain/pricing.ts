/**
 * Pricing approved time and expenses into actuals. Pure functions: no I/O.
 *
 * Rounding of time: the exact value of an entry is hoursHundredths × rateMinor / 100 minor units.
 * When that is not a whole minor unit, the entry is billed the whole part (rounded down) and the
 * remainder, in hundredths of a minor unit, is carried per project to the next priced entry. So the
 * billed amounts of a project's priced time always add up to the floor of the exact total — no
 * fraction of a cent is lost, and none is billed twice.
 */
import { isIsoDate, nextPeriod, periodOf } from '@throughline/calendar';
import { ActualStatus, BillingType, RateCardRate } from '@throughline/contracts';

/** One version of an ERP rate card as billing keeps it (the latest version per rateCardId wins). */
export interface RateCard {
  rateCardId: string;
  legalEntityId: string;
  currency: string;
  /** Inclusive. */
  effectiveFrom: string;
  /** Inclusive; null = open-ended. */
  effectiveTo: string | null;
  rates: RateCardRate[];
}

export interface FoundRate {
  rateCardId: string;
  rateMinor: number;
  costRateMinor: number | null;
}

/**
 * The rate for `role` on `workDate` from the rate cards of a legal entity in a currency. When
 * several cards cover the date, the one that took effect last wins (then the highest id, so the
 * choice is deterministic).
 */
export function findRate(
  cards: readonly RateCard[],
  legalEntityId: string,
  currency: string,
  workDate: string,
  role: string,
): FoundRate | null {
  const covering = cards
    .filter(
      (card) =>
        card.legalEntityId === legalEntityId &&
        card.currency === currency &&
        card.effectiveFrom <= workDate &&
        (card.effectiveTo === null || workDate <= card.effectiveTo) &&
        card.rates.some((rate) => rate.role === role),
    )
    .sort((a, b) =>
      a.effectiveFrom === b.effectiveFrom
        ? b.rateCardId.localeCompare(a.rateCardId)
        : b.effectiveFrom.localeCompare(a.effectiveFrom),
    );
  const card = covering[0];
  if (!card) return null;
  const rate = card.rates.find((r) => r.role === role) as RateCardRate;
  return { rateCardId: card.rateCardId, rateMinor: rate.rateMinor, costRateMinor: rate.costRateMinor };
}

export interface PricedTime {
  amountMinor: number;
  /** Hundredths of a minor unit carried to the project's next priced entry (0..99). */
  carryHundredths: number;
}

/** hoursHundredths × rateMinor / 100 plus the carried remainder, rounded down; exact (BigInt). */
export function priceTime(hoursHundredths: number, rateMinor: number, carryHundredths: number): PricedTime {
  assertNonNegativeInteger(hoursHundredths, 'hoursHundredths');
  assertNonNegativeInteger(rateMinor, 'rateMinor');
  assertNonNegativeInteger(carryHundredths, 'carryHundredths');
  const exact = BigInt(hoursHundredths) * BigInt(rateMinor) + BigInt(carryHundredths);
  return { amountMinor: toSafeNumber(exact / 100n), carryHundredths: Number(exact % 100n) };
}

/** Cost of hours at an hourly cost rate, rounded down to a whole minor unit (cost is never billed). */
export function costOf(hoursHundredths: number, costRateMinor: number): number {
  assertNonNegativeInteger(hoursHundredths, 'hoursHundredths');
  assertNonNegativeInteger(costRateMinor, 'costRateMinor');
  return toSafeNumber((BigInt(hoursHundredths) * BigInt(costRateMinor)) / 100n);
}

/**
 * The period an actual is billed in: the month it was worked, or — when that month is already
 * closed — the earliest open month after it (late approvals land on the next invoice).
 */
export function billingPeriodFor(workDate: string, closedPeriods: ReadonlySet<string>): string {
  let period = periodOf(workDate);
  while (closedPeriods.has(period)) period = nextPeriod(period);
  return period;
}

/** What billing knows about a project when it prices an actual. */
export interface ProjectTerms {
  projectId: string;
  legalEntityId: string;
  currency: string;
  billingType: BillingType;
}

export interface TimeToPrice {
  hoursHundredths: number;
  role: string;
  workDate: string;
  billable: boolean;
}

export interface PricedActual {
  status: Extract<ActualStatus, 'UNPRICED' | 'UNBILLED'>;
  /**
   * Billed from actuals: approved billable time on time-and-materials and retainer projects, not
   * time on fixed-fee projects (their fee is billed by milestones or progress).
   */
  billable: boolean;
  rateMinor: number | null;
  rateCardId: string | null;
  billAmountMinor: number;
  costRateMinor: number | null;
  costAmountMinor: number;
  /** The project's pricing carry after this entry. */
  carryHundredths: number;
  /** Why something is missing (no rate, no cost rate), for people reading the actual. */
  note: string | null;
}

/** Fixed-fee projects bill their fee (milestones, progress), not hours: their time is cost only. */
export function billsTime(billingType: BillingType): boolean {
  return billingType === 'TIME_AND_MATERIALS' || billingType === 'RETAINER';
}

/**
 * Prices a time entry on a project. Billable time on time-and-materials and retainer projects is
 * priced from the project's legal entity rate card (project currency, effective on the work date,
 * by role); without a rate it stays UNPRICED (billed 0, nothing carried). Non-billable time and
 * time on fixed-fee projects is a cost-only actual (billed 0). Cost uses the person's assignment
 * cost rate on the project, else the rate card role's cost rate, else 0 (noted).
 */
export function priceTimeEntry(
  entry: TimeToPrice,
  project: ProjectTerms,
  cards: readonly RateCard[],
  personCostRateMinor: number | null,
  carryHundredths: number,
): PricedActual {
  const rate = findRate(cards, project.legalEntityId, project.currency, entry.workDate, entry.role);
  const costRateMinor = personCostRateMinor ?? rate?.costRateMinor ?? null;
  const costAmountMinor = costRateMinor === null ? 0 : costOf(entry.hoursHundredths, costRateMinor);
  const costNote = costRateMinor === null ? `no cost rate for role ${entry.role}: cost counted as 0` : null;
  if (!entry.billable || !billsTime(project.billingType)) {
    return {
      status: 'UNBILLED',
      billable: false,
      rateMinor: null,
      rateCardId: rate?.rateCardId ?? null,
      billAmountMinor: 0,
      costRateMinor,
      costAmountMinor,
      carryHundredths,
      note: entry.billable ? `time on a ${project.billingType} project is billed by its fee` : costNote,
    };
  }
  if (!rate) {
    return {
      status: 'UNPRICED',
      billable: true,
      rateMinor: null,
      rateCardId: null,
      billAmountMinor: 0,
      costRateMinor,
      costAmountMinor,
      carryHundredths,
      note: `no ${project.currency} rate for role ${entry.role} of legal entity ${project.legalEntityId} on ${entry.workDate}`,
    };
  }
  const priced = priceTime(entry.hoursHundredths, rate.rateMinor, carryHundredths);
  return {
    status: 'UNBILLED',
    billable: true,
    rateMinor: rate.rateMinor,
    rateCardId: rate.rateCardId,
    billAmountMinor: priced.amountMinor,
    costRateMinor,
    costAmountMinor,
    carryHundredths: priced.carryHundredths,
    note: costNote,
  };
}

function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

export function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${value} minor units do not fit in a safe integer`);
  }
  return Number(value);
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Why an approved entry cannot be priced as it is (null when it can). Such an entry is still kept
 * as an actual (never dropped) and routed to finance, instead of failing the handler.
 */
export function entryProblem(entry: {
  workDate: string;
  hoursHundredths: number;
  amountMinor?: number;
  currency?: string;
}): string | null {
  if (!isIsoDate(entry.workDate)) return `date "${entry.workDate}" is not a calendar date (YYYY-MM-DD)`;
  if (!Number.isSafeInteger(entry.hoursHundredths) || entry.hoursHundredths < 0) {
    return `hours ${entry.hoursHundredths / 100} are negative or not a whole number of hundredths`;
  }
  if (
    entry.amountMinor !== undefined &&
    (!Number.isSafeInteger(entry.amountMinor) || entry.amountMinor < 0)
  ) {
    return `amount ${entry.amountMinor} is negative or not a whole number of minor units`;
  }
  if (entry.currency !== undefined && !CURRENCY.test(entry.currency)) {
    return `currency "${entry.currency}" is not an ISO 4217 code`;
  }
  return null;
}
