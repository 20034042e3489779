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

/** What decides which rate cards may price a project's time. */
export interface ProjectCardTerms {
  /** The contract's rate card (ProjectCreated v2); null or absent for projects created before it. */
  rateCardId?: string | null;
  /** Cards named by the contracts of billing's projects (this one's may be among them). */
  contractCardIds?: ReadonlySet<string>;
}

/**
 * The cards that may price a project's time on `workDate`:
 * - projects created before ProjectCreated carried the card (null): every card of their legal
 *   entity and currency, as before (`findRate` takes the one that took effect last);
 * - the contract's card, when it covers the work date — never another customer's card;
 * - on dates it does not cover, its successor: the ERP publishes a rate change as a new card with
 *   its own id and nothing links the two, so the entity's cards that no project's contract names
 *   (another contract's card never prices this project);
 * - none while billing has not received the contract's card (the time waits UNPRICED for it).
 */
export function projectCards(
  cards: readonly RateCard[],
  project: ProjectCardTerms,
  workDate: string,
): readonly RateCard[] {
  const { rateCardId } = project;
  if (rateCardId == null) return cards;
  const own = cards.find((card) => card.rateCardId === rateCardId);
  if (!own) return [];
  if (own.effectiveFrom <= workDate && (own.effectiveTo === null || workDate <= own.effectiveTo))
    return [own];
  const named = project.contractCardIds ?? new Set<string>();
  return cards.filter((card) => !named.has(card.rateCardId));
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

/** What billing knows about a project when it prices an actual (its cards: `projectCards`). */
export interface ProjectTerms extends ProjectCardTerms {
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
 * priced from the project's rate card (`projectCards`: the contract's card, else — projects from
 * before it was carried — the legal entity's cards; project currency, effective on the work date,
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
  const rate = findRate(
    projectCards(cards, project, entry.workDate),
    project.legalEntityId,
    project.currency,
    entry.workDate,
    entry.role,
  );
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
      note:
        project.rateCardId == null
          ? `no ${project.currency} rate for role ${entry.role} of legal entity ${project.legalEntityId} on ${entry.workDate}`
          : `no ${project.currency} rate for role ${entry.role} on ${entry.workDate} on the contract's rate card ${project.rateCardId} (or, outside its dates, a card of legal entity ${project.legalEntityId} no contract names)`,
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

/** The exact value of time, hundredths of a minor unit: hoursHundredths × rateMinor (BigInt, no rounding). */
export function exactHundredths(hoursHundredths: number, rateMinor: number): bigint {
  assertNonNegativeInteger(hoursHundredths, 'hoursHundredths');
  assertNonNegativeInteger(rateMinor, 'rateMinor');
  return BigInt(hoursHundredths) * BigInt(rateMinor);
}

/**
 * The exact bill value of time as priced (hundredths of a minor unit): hours × rate when it is
 * billable and priced; 0 when it bills nothing (non-billable or fixed-fee cost-only time, no rate).
 */
export function billValueHundredths(time: {
  hoursHundredths: number;
  billable: boolean;
  rateMinor: number | null;
}): bigint {
  return time.billable && time.rateMinor !== null
    ? exactHundredths(time.hoursHundredths, time.rateMinor)
    : 0n;
}

/**
 * Re-prices one priced time actual whose exact value changes from `oldExactHundredths` to
 * `newExactHundredths` (a rate change: same hours × new rate; a correction: new hours × new rate,
 * 0 when it no longer bills) against the project's carry. The exact total of the project changes
 * by delta = new − old (hundredths of a minor unit, negative for a cut); carry + delta is split by
 * floor division into whole minor units (added to this actual's amount) and a new carry in 0..99.
 * So Σ amounts × 100 + carry changes by exactly delta and the project's billed amounts stay the
 * floor of its exact total. Only this actual's amount and the carry change, which makes the result
 * unique: it can be negative after an extreme cut (`repriceProjectTime` deals with that).
 */
export function repriceTime(
  amountMinor: number,
  oldExactHundredths: bigint,
  newExactHundredths: bigint,
  carryHundredths: number,
): PricedTime {
  assertNonNegativeInteger(amountMinor, 'amountMinor');
  if (oldExactHundredths < 0n || newExactHundredths < 0n) {
    throw new RangeError(
      `exact values must not be negative, got ${oldExactHundredths} → ${newExactHundredths}`,
    );
  }
  if (!Number.isInteger(carryHundredths) || carryHundredths < 0 || carryHundredths > 99) {
    throw new RangeError(`carryHundredths must be an integer in 0..99, got ${carryHundredths}`);
  }
  const shifted = BigInt(carryHundredths) + newExactHundredths - oldExactHundredths;
  const carry = ((shifted % 100n) + 100n) % 100n; // floor division, also for a negative delta
  return {
    amountMinor: toSafeNumber(BigInt(amountMinor) + (shifted - carry) / 100n),
    carryHundredths: Number(carry),
  };
}

/** A project's time actual that may still change (UNBILLED: not on an invoice). */
export interface UnbilledTime {
  actualId: string;
  /** Its exact bill value as it stands (`billValueHundredths`). */
  exactHundredths: bigint;
  amountMinor: number;
}

export interface RepricedProject {
  /** New bill amounts of the actuals whose value or amount changed, in the order given. */
  changed: Map<string, number>;
  carryHundredths: number;
  /**
   * Minor units the project is billed above (positive) or below (negative) the floor of its exact
   * total because a change could not be absorbed by its unbilled time: a cut below 0 with every
   * other unbilled actual already billed 0, or whole units left on time that no longer bills
   * anything with no other billing unbilled time to move them to. 0 unless the rest of the
   * project's priced time is on invoices.
   */
  excessMinor: number;
}

/**
 * Re-prices some of a project's unbilled time to new exact values (`newExact` by actual id) with
 * `repriceTime`, one after the other through the project's carry. An actual's amount can only go
 * below 0 when its value is cut so far that what is left is smaller than what the carry already
 * passed on for it to later entries (e.g. 0.01 h at 0.50 billed 0 with 0.50 carried, then re-priced
 * to 0 after the carry was used up). Then the actual is billed 0 and the missing minor units are
 * taken off the project's other unbilled actuals, most recently recorded first: the sum of the
 * amounts is the same as with the negative amount, so Σ billed × 100 + carry is still exact.
 * Likewise an actual whose value becomes 0 (hours corrected to 0, no longer billable, no rate) can
 * be left with whole units the carry brought it; they move to the most recently recorded other
 * unbilled actual that still has a value, so time that bills nothing is billed 0. Invoiced time
 * cannot give or take anything; what is left over is returned as `excessMinor`.
 */
export function repriceProjectTime(
  unbilled: readonly UnbilledTime[],
  newExact: ReadonlyMap<string, bigint>,
  carryHundredths: number,
): RepricedProject {
  const current = new Map(
    unbilled.map((a) => [a.actualId, { exactHundredths: a.exactHundredths, amountMinor: a.amountMinor }]),
  );
  const now = (actualId: string) => current.get(actualId) as { exactHundredths: bigint; amountMinor: number };
  const changed = new Set<string>();
  let carry = carryHundredths;
  let excess = 0;
  for (const actual of unbilled) {
    const exact = newExact.get(actual.actualId);
    const before = now(actual.actualId);
    if (exact === undefined || exact === before.exactHundredths) continue;
    const repriced = repriceTime(before.amountMinor, before.exactHundredths, exact, carry);
    carry = repriced.carryHundredths;
    // Units this actual cannot keep: below 0, or any at all once it has no value.
    let rest = repriced.amountMinor < 0 || exact === 0n ? repriced.amountMinor : 0;
    current.set(actual.actualId, { exactHundredths: exact, amountMinor: repriced.amountMinor - rest });
    changed.add(actual.actualId);
    for (let i = unbilled.length - 1; rest !== 0 && i >= 0; i--) {
      const otherId = unbilled[i].actualId;
      const other = now(otherId);
      if (otherId === actual.actualId) continue;
      if (rest < 0 && other.amountMinor > 0) {
        const taken = Math.min(other.amountMinor, -rest);
        other.amountMinor -= taken;
        rest += taken;
        changed.add(otherId);
      } else if (rest > 0 && other.exactHundredths > 0n) {
        other.amountMinor += rest;
        rest = 0;
        changed.add(otherId);
      }
    }
    excess -= rest;
  }
  return {
    changed: new Map(
      unbilled.filter((a) => changed.has(a.actualId)).map((a) => [a.actualId, now(a.actualId).amountMinor]),
    ),
    carryHundredths: carry,
    excessMinor: excess,
  };
}

/**
 * Writes a project's unbilled time actual off: its exact value leaves the project's exact total
 * through the carry, as if it were re-priced to 0 (`repriceProjectTime`). The carry it left for
 * later entries goes back, and whole units it held for earlier ones move to the most recently
 * recorded other unbilled time with a value, so the billed amounts of the time that is not written
 * off stay the floor of its exact total. `changed` holds the written-off actual at 0 (the caller
 * may keep its former amount as the figure written off) and the other actuals that changed.
 */
export function writeOffTime(
  unbilled: readonly UnbilledTime[],
  actualId: string,
  carryHundredths: number,
): RepricedProject {
  return repriceProjectTime(unbilled, new Map([[actualId, 0n]]), carryHundredths);
}

/** A value in hundredths as a decimal with two places: 150n → "1.50", -50n → "-0.50". */
export function hundredthsAsDecimal(hundredths: bigint): string {
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${hundredths < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** An exact amount in hundredths of a minor unit as signed minor units with two decimals ("+1234.50"). */
export function formatHundredths(hundredths: bigint): string {
  return `${hundredths < 0n ? '' : '+'}${hundredthsAsDecimal(hundredths)}`;
}

/**
 * Exact differences per currency as finance reads them in a business exception: the message text
 * ("EUR +2468.00 minor units, …") and the details entries (`differenceMinor.<currency>`).
 */
export function describeDifferences(difference: ReadonlyMap<string, bigint>): {
  text: string;
  details: Record<string, string>;
} {
  const entries = [...difference];
  return {
    text: entries
      .map(([currency, hundredths]) => `${currency} ${formatHundredths(hundredths)} minor units`)
      .join(', '),
    details: Object.fromEntries(
      entries.map(([currency, hundredths]) => [`differenceMinor.${currency}`, formatHundredths(hundredths)]),
    ),
  };
}

/** A priced time actual as a rate card change sees it. */
export interface PricedTimeActual {
  workDate: string;
  role: string;
  legalEntityId: string;
  currency: string;
  rateMinor: number;
  rateCardId: string | null;
  /** Which cards may price the actual's project (`projectCards`). */
  project?: ProjectCardTerms;
}

/**
 * The rate a priced time actual has after `card` was stored (`cards` includes it), when the card
 * concerns the actual — it may price the actual's project (`projectCards`) and covers the work
 * date, or the actual was priced from it — and the rate or the card found differ from the stored
 * ones; otherwise null. A date no card covers any more keeps its rate (null): billing does not
 * un-price time.
 */
export function changedRate(
  card: RateCard,
  cards: readonly RateCard[],
  actual: PricedTimeActual,
): FoundRate | null {
  if (actual.legalEntityId !== card.legalEntityId || actual.currency !== card.currency) return null;
  const covers =
    card.effectiveFrom <= actual.workDate &&
    (card.effectiveTo === null || actual.workDate <= card.effectiveTo);
  if (!covers && actual.rateCardId !== card.rateCardId) return null;
  const found = findRate(
    projectCards(cards, actual.project ?? {}, actual.workDate),
    actual.legalEntityId,
    actual.currency,
    actual.workDate,
    actual.role,
  );
  if (!found || (found.rateMinor === actual.rateMinor && found.rateCardId === actual.rateCardId)) return null;
  return found;
}

/**
 * What a rate card version says, as a canonical string (rates sorted by role): two deliveries of
 * the same version give the same string, whatever their event id or rate order.
 */
export function rateCardVersion(card: RateCard): string {
  return JSON.stringify([
    card.rateCardId,
    card.legalEntityId,
    card.currency,
    card.effectiveFrom,
    card.effectiveTo ?? null,
    [...card.rates]
      .map((r) => [r.role, r.rateMinor, r.costRateMinor ?? null] as const)
      .sort((x, y) => x[0].localeCompare(y[0])),
  ]);
}
