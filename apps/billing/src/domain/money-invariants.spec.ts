import fc from 'fast-check';

import { ACTUAL_STATUSES, ActualStatus } from '@throughline/contracts';

import { add, floor, fraction, Fraction, ZERO } from './fraction';
import { draftInvoices, InvoiceDetailLine, ProjectBilling } from './invoice-drafting';
import {
  billingPeriodFor,
  billValueHundredths,
  changedRate,
  exactHundredths,
  priceTimeEntry,
  ProjectTerms,
  RateCard,
  repriceProjectTime,
} from './pricing';
import { cumulativeRevenue, recognize } from './revenue-recognition';

/*
 * Property tests of the money invariants over random approved entries, duplicate deliveries, a
 * rate change in the middle of January, roles without a rate, and period closes interleaved with
 * (late) approvals, rate card versions published later (re-pricing unbilled time) and corrections
 * of approved entries (revisions in any order) — the same domain functions the service runs, with
 * an in-memory store.
 */

const PROJECTS = ['PRJ-A', 'PRJ-B'];
const terms = (projectId: string): ProjectTerms => ({
  projectId,
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingType: 'TIME_AND_MATERIALS',
});
const billing = (projectId: string): ProjectBilling => ({
  ...terms(projectId),
  dealId: `D-${projectId}`,
  customerId: `C-${projectId}`,
  feeMinor: 0,
  forecastTotalCostMinor: null,
  costToDateMinor: 0,
  progressBilledMinor: 0,
  retainerFeesBilledMinor: 0,
  retainerUsageMinor: 0,
  retainerOverageBilledMinor: 0,
});

interface SimActual {
  actualId: string;
  revision: number;
  projectId: string;
  role: string;
  hoursHundredths: number;
  billableAsApproved: boolean;
  rateMinor: number | null;
  rateCardId: string | null;
  billAmountMinor: number;
  billable: boolean;
  workDate: string;
  billingPeriod: string;
  status: ActualStatus;
  invoiceId: string | null;
}

const entryArb = fc.record({
  entryId: fc.integer({ min: 0, max: 40 }).map((n) => `TE-${n}`),
  project: fc.constantFrom(...PROJECTS),
  role: fc.constantFrom('Consultant', 'Consultant', 'Architect', 'Unrated'),
  month: fc.constantFrom('2030-01', '2030-02', '2030-03'),
  day: fc.integer({ min: 1, max: 28 }),
  hoursHundredths: fc.integer({ min: 0, max: 2_400 }),
  billable: fc.boolean(),
});
type Entry = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;
type Step =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'close' }
  | { kind: 'card'; change: CardChange }
  | { kind: 'correction'; entry: Entry; revision: number };
const stepsArb = fc.array(
  fc.oneof(
    { weight: 9, arbitrary: entryArb.map((entry): Step => ({ kind: 'entry', entry })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'close' }) },
  ),
  { maxLength: 80 },
);
const ratesArb = fc.tuple(
  fc.integer({ min: 1, max: 50_000 }),
  fc.integer({ min: 1, max: 50_000 }),
  fc.integer({ min: 1, max: 99_999 }),
);

function cardsOf([januaryRate, laterRate, architectRate]: [number, number, number]): RateCard[] {
  return [
    {
      rateCardId: 'RC-A',
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      effectiveFrom: '2030-01-01',
      effectiveTo: '2030-01-15',
      rates: [{ role: 'Consultant', rateMinor: januaryRate, costRateMinor: null }],
    },
    {
      rateCardId: 'RC-B',
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      effectiveFrom: '2030-01-16',
      effectiveTo: null,
      rates: [
        { role: 'Consultant', rateMinor: laterRate, costRateMinor: null },
        { role: 'Architect', rateMinor: architectRate, costRateMinor: 100 },
      ],
    },
  ];
}

/*
 * A later rate card version: a new rate for a role on one of the two cards (other roles kept), or a
 * third card from a random date (replaced when it comes again). Rates down to 0: extreme cuts too.
 */
const cardChangeArb = fc.record({
  which: fc.constantFrom('RC-A', 'RC-B', 'RC-C'),
  role: fc.constantFrom('Consultant', 'Architect'),
  rateMinor: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60_000 })),
  month: fc.constantFrom('2030-01', '2030-02', '2030-03'),
  day: fc.integer({ min: 1, max: 28 }),
});
type CardChange = typeof cardChangeArb extends fc.Arbitrary<infer T> ? T : never;
const withCardChangesArb = fc.array(
  fc.oneof(
    { weight: 12, arbitrary: entryArb.map((entry): Step => ({ kind: 'entry', entry })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'close' }) },
    { weight: 3, arbitrary: cardChangeArb.map((change): Step => ({ kind: 'card', change })) },
  ),
  { maxLength: 100 },
);

/*
 * A correction: the entry approved again as some revision (2..6, any order; an entry not seen yet
 * is recorded at that revision) with new hours (0 too), role, date and billable flag. Few entry ids
 * and long runs, so corrections hit recorded entries in every status. The project never changes.
 */
const fewEntriesArb = fc
  .tuple(entryArb, fc.integer({ min: 0, max: 7 }))
  .map(([entry, n]): Entry => ({ ...entry, entryId: `TE-${n}` }));
const withCorrectionsArb = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fewEntriesArb.map((entry): Step => ({ kind: 'entry', entry })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'close' }) },
    { weight: 1, arbitrary: cardChangeArb.map((change): Step => ({ kind: 'card', change })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fewEntriesArb, fc.integer({ min: 2, max: 6 }))
        .map(([entry, revision]): Step => ({ kind: 'correction', entry, revision })),
    },
  ),
  { minLength: 10, maxLength: 60 },
);

function changedCard(cards: readonly RateCard[], c: CardChange): RateCard {
  const rate = { role: c.role, rateMinor: c.rateMinor, costRateMinor: null };
  const existing = cards.find((card) => card.rateCardId === c.which);
  if (c.which !== 'RC-C' && existing) {
    return { ...existing, rates: [...existing.rates.filter((r) => r.role !== c.role), rate] };
  }
  return {
    rateCardId: c.which,
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    effectiveFrom: `${c.month}-${String(c.day).padStart(2, '0')}`,
    effectiveTo: null,
    rates: [rate],
  };
}

function simulate(steps: Step[], rates: [number, number, number]) {
  const cards = cardsOf(rates);
  const excess = new Map(PROJECTS.map((p) => [p, 0]));
  // A rate card version as the service applies it: price the UNPRICED time it now covers, then
  // re-price the unbilled time it changes; time on invoices keeps its rate.
  const applyCard = (change: CardChange) => {
    const card = changedCard(cards, change);
    const at = cards.findIndex((c) => c.rateCardId === card.rateCardId);
    if (at >= 0) cards[at] = card;
    else cards.push(card);
    for (const actual of actuals.values()) {
      if (actual.status !== 'UNPRICED') continue;
      const priced = priceTimeEntry(
        {
          hoursHundredths: actual.hoursHundredths,
          role: actual.role,
          workDate: actual.workDate,
          billable: actual.billableAsApproved,
        },
        terms(actual.projectId),
        cards,
        null,
        carry.get(actual.projectId) as number,
      );
      carry.set(actual.projectId, priced.carryHundredths);
      Object.assign(actual, {
        status: priced.status,
        rateMinor: priced.rateMinor,
        rateCardId: priced.rateCardId,
        billAmountMinor: priced.billAmountMinor,
      });
    }
    for (const projectId of PROJECTS) {
      const unbilled = [...actuals.values()].filter(
        (a) => a.projectId === projectId && a.status === 'UNBILLED' && a.billable && a.rateMinor !== null,
      );
      const newRates = new Map<string, { rateMinor: number; rateCardId: string }>();
      for (const a of unbilled) {
        const rate = changedRate(card, cards, {
          ...a,
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          rateMinor: a.rateMinor as number,
        });
        if (rate) newRates.set(a.actualId, rate);
      }
      const result = repriceProjectTime(
        unbilled.map(unbilledTime),
        new Map(
          unbilled.flatMap((a) => {
            const rate = newRates.get(a.actualId);
            return rate ? [[a.actualId, exactHundredths(a.hoursHundredths, rate.rateMinor)] as const] : [];
          }),
        ),
        carry.get(projectId) as number,
      );
      for (const [actualId, amountMinor] of result.changed) {
        (actuals.get(actualId) as SimActual).billAmountMinor = amountMinor;
      }
      for (const [actualId, rate] of newRates) {
        Object.assign(actuals.get(actualId) as SimActual, {
          rateMinor: rate.rateMinor,
          rateCardId: rate.rateCardId,
        });
      }
      carry.set(projectId, result.carryHundredths);
      excess.set(projectId, (excess.get(projectId) as number) + result.excessMinor);
    }
  };
  // A correction as the service applies it (`ActualsService.correctTime`): see the README's rules.
  const applyCorrection = (entry: Entry, revision: number) => {
    const actual = actuals.get(entry.entryId);
    if (!actual) {
      record(entry, revision);
      return;
    }
    if (revision <= actual.revision) return; // a redelivery or an older revision: no effect
    actual.revision = revision;
    corrections.push({ actualId: actual.actualId, revision, entry });
    if (actual.status !== 'UNPRICED' && actual.status !== 'UNBILLED') return; // on an invoice: finance is told
    const workDate = `${entry.month}-${String(entry.day).padStart(2, '0')}`;
    const facts = {
      hoursHundredths: entry.hoursHundredths,
      role: entry.role,
      workDate,
      billable: entry.billable,
    };
    const projectCarry = carry.get(actual.projectId) as number;
    if (actual.status === 'UNPRICED') {
      const priced = priceTimeEntry(facts, terms(actual.projectId), cards, null, projectCarry);
      carry.set(actual.projectId, priced.carryHundredths);
      Object.assign(actual, {
        ...facts,
        billableAsApproved: entry.billable,
        billingPeriod: billingPeriodFor(workDate, closed),
        status: priced.status,
        billable: priced.billable,
        rateMinor: priced.rateMinor,
        rateCardId: priced.rateCardId,
        billAmountMinor: priced.billAmountMinor,
      });
      return;
    }
    const priced = priceTimeEntry(facts, terms(actual.projectId), cards, null, 0);
    const unbilled = [...actuals.values()].filter(
      (a) => a.projectId === actual.projectId && a.status === 'UNBILLED',
    );
    const result = repriceProjectTime(
      unbilled.map(unbilledTime),
      new Map([
        [actual.actualId, billValueHundredths({ ...priced, hoursHundredths: entry.hoursHundredths })],
      ]),
      projectCarry,
    );
    Object.assign(actual, {
      ...facts,
      billableAsApproved: entry.billable,
      billingPeriod: billingPeriodFor(workDate, closed),
      status: priced.status,
      billable: priced.billable,
      rateMinor: priced.rateMinor,
      rateCardId: priced.rateCardId,
    });
    for (const [actualId, amountMinor] of result.changed) {
      (actuals.get(actualId) as SimActual).billAmountMinor = amountMinor;
    }
    carry.set(actual.projectId, result.carryHundredths);
    excess.set(actual.projectId, (excess.get(actual.projectId) as number) + result.excessMinor);
  };
  const record = (entry: Entry, revision: number) => {
    const workDate = `${entry.month}-${String(entry.day).padStart(2, '0')}`;
    const priced = priceTimeEntry(
      { hoursHundredths: entry.hoursHundredths, role: entry.role, workDate, billable: entry.billable },
      terms(entry.project),
      cards,
      null,
      carry.get(entry.project) as number,
    );
    carry.set(entry.project, priced.carryHundredths);
    actuals.set(entry.entryId, {
      actualId: entry.entryId,
      revision,
      projectId: entry.project,
      role: entry.role,
      hoursHundredths: entry.hoursHundredths,
      billableAsApproved: entry.billable,
      rateMinor: priced.rateMinor,
      rateCardId: priced.rateCardId,
      billAmountMinor: priced.billAmountMinor,
      billable: priced.billable,
      workDate,
      billingPeriod: billingPeriodFor(workDate, closed),
      status: priced.status,
      invoiceId: null,
    });
  };
  const corrections: { actualId: string; revision: number; entry: Entry }[] = [];
  const actuals = new Map<string, SimActual>();
  const carry = new Map(PROJECTS.map((p) => [p, 0]));
  const closed = new Set<string>();
  const lines: InvoiceDetailLine[] = [];
  const recognized = new Map(PROJECTS.map((p) => [p, [] as number[]]));
  const approved = new Set<string>();
  const months = ['2030-01', '2030-02', '2030-03', '2030-04', '2030-05'];
  const close = () => {
    const period = months.find((m) => !closed.has(m));
    if (!period) return;
    closed.add(period);
    const ready = [...actuals.values()].filter(
      (a) => a.status === 'UNBILLED' && a.billable && a.billingPeriod <= period,
    );
    const plan = draftInvoices(
      period,
      new Map(PROJECTS.map((p) => [p, billing(p)])),
      ready.map((a) => ({ ...a, kind: 'TIME' as const, role: 'Consultant', currency: 'EUR' })),
      [],
    );
    for (const invoice of plan.invoices) lines.push(...invoice.lines);
    for (const [actualId, invoiceId] of plan.actualInvoice) {
      Object.assign(actuals.get(actualId) as SimActual, { status: 'READY_TO_INVOICE', invoiceId });
    }
    for (const projectId of PROJECTS) {
      const delivered = [...actuals.values()].filter(
        (a) =>
          a.projectId === projectId && a.billable && a.status !== 'UNPRICED' && a.workDate <= `${period}-31`,
      );
      const previous = recognized.get(projectId) as number[];
      const before = previous.reduce((sum, amount) => sum + amount, 0);
      const r = recognize(
        cumulativeRevenue({
          revenueRule: 'AS_DELIVERED',
          feeMinor: 0,
          delivered: delivered.map((a) => ({ ...a, kind: 'TIME' })),
          costToDateMinor: 0,
          forecastTotalCostMinor: null,
          completedMilestoneFeesMinor: [],
          retainerBilledMinor: 0,
        }).exact ?? ZERO,
        before,
      );
      previous.push(r.amountMinor);
    }
  };
  for (const step of steps) {
    if (step.kind === 'close') {
      close();
      continue;
    }
    if (step.kind === 'card') {
      applyCard(step.change);
      continue;
    }
    const { entry } = step;
    approved.add(entry.entryId);
    if (step.kind === 'correction') {
      // The project of an entry never changes: a correction keeps the recorded one.
      const project = actuals.get(entry.entryId)?.projectId ?? entry.project;
      applyCorrection({ ...entry, project }, step.revision);
      continue;
    }
    if (actuals.has(entry.entryId)) continue; // the same entry again (any event id): no effect
    record(entry, 1);
  }
  do close();
  while (!closed.has('2030-03'));
  return { actuals, lines, approved, recognized, closed, excess, carry, corrections };
}

const unbilledTime = (a: SimActual) => ({
  actualId: a.actualId,
  exactHundredths: billValueHundredths(a),
  amountMinor: a.billAmountMinor,
});

const exactValue = (actuals: SimActual[]): Fraction =>
  actuals.reduce<Fraction>(
    (sum, a) =>
      a.rateMinor === null ? sum : add(sum, fraction(BigInt(a.hoursHundredths) * BigInt(a.rateMinor), 100n)),
    ZERO,
  );

describe('money invariants (property-based)', () => {
  it('no approved entry is dropped: every approved entry id is exactly one actual, in one status', () => {
    fc.assert(
      fc.property(stepsArb, ratesArb, (steps, rates) => {
        const { actuals, approved } = simulate(steps, rates);
        expect(new Set(actuals.keys())).toEqual(approved);
        for (const actual of actuals.values()) expect(ACTUAL_STATUSES).toContain(actual.status);
      }),
    );
  });

  it('per project, invoiced lines equal the priced billable actuals they cite, each actual on at most one line', () => {
    fc.assert(
      fc.property(stepsArb, ratesArb, (steps, rates) => {
        const { actuals, lines, closed } = simulate(steps, rates);
        const cited = lines.flatMap((line) => line.sourceIds);
        expect(new Set(cited).size).toBe(cited.length);
        for (const line of lines) {
          const sources = line.sourceIds.map((id) => actuals.get(id) as SimActual);
          expect(
            sources.every((a) => a.projectId === line.projectId && a.billable && a.rateMinor !== null),
          ).toBe(true);
          expect(line.amountMinor).toBe(sources.reduce((sum, a) => sum + a.billAmountMinor, 0));
        }
        const lastClosed = [...closed].sort().at(-1) as string;
        for (const projectId of PROJECTS) {
          const billable = [...actuals.values()].filter(
            (a) =>
              a.projectId === projectId &&
              a.billable &&
              a.status !== 'UNPRICED' &&
              a.billingPeriod <= lastClosed,
          );
          const projectLines = lines.filter((line) => line.projectId === projectId);
          expect(new Set(projectLines.flatMap((l) => l.sourceIds))).toEqual(
            new Set(billable.map((a) => a.actualId)),
          );
          expect(projectLines.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(
            billable.reduce((sum, a) => sum + a.billAmountMinor, 0),
          );
        }
      }),
    );
  });

  it('pricing and revenue remainders are never lost: sums equal the floor of the exact totals', () => {
    fc.assert(
      fc.property(stepsArb, ratesArb, (steps, rates) => {
        const { actuals, recognized } = simulate(steps, rates);
        for (const projectId of PROJECTS) {
          const priced = [...actuals.values()].filter(
            (a) => a.projectId === projectId && a.billable && a.rateMinor !== null,
          );
          const exact = floor(exactValue(priced));
          expect(BigInt(priced.reduce((sum, a) => sum + a.billAmountMinor, 0))).toBe(exact);
          // Every entry is dated 2030-01..03 and the last close is at least 2030-03: all recognized.
          const total = (recognized.get(projectId) as number[]).reduce((sum, amount) => sum + amount, 0);
          expect(BigInt(total)).toBe(exact);
        }
      }),
    );
  });

  it('rate card versions published later re-price unbilled time exactly and leave invoiced time as invoiced', () => {
    fc.assert(
      fc.property(withCardChangesArb, ratesArb, (steps, rates) => {
        const { actuals, lines, excess, carry } = simulate(steps, rates);
        for (const projectId of PROJECTS) {
          const priced = [...actuals.values()].filter(
            (a) => a.projectId === projectId && a.billable && a.rateMinor !== null,
          );
          expect(priced.every((a) => a.billAmountMinor >= 0)).toBe(true);
          // Σ billed × 100 + carry = Σ hours × rate (hundredths), so Σ billed = floor(Σ exact) —
          // plus the minor units an extreme cut on otherwise invoiced time could not take back.
          const billed = BigInt(priced.reduce((sum, a) => sum + a.billAmountMinor, 0));
          const exactHundredths = priced.reduce(
            (sum, a) => sum + BigInt(a.hoursHundredths) * BigInt(a.rateMinor as number),
            0n,
          );
          const projectExcess = BigInt(excess.get(projectId) as number);
          expect(billed * 100n + BigInt(carry.get(projectId) as number)).toBe(
            exactHundredths + projectExcess * 100n,
          );
          expect(billed - projectExcess).toBe(floor(exactValue(priced)));
        }
        // Invoice lines were drafted before some of the rate changes: the actuals they cite kept
        // the rate and amount they were drafted at.
        for (const line of lines.filter((l) => l.kind === 'TIME')) {
          const sources = line.sourceIds.map((id) => actuals.get(id) as SimActual);
          expect(line.amountMinor).toBe(sources.reduce((sum, a) => sum + a.billAmountMinor, 0));
          expect(sources.map((a) => a.rateMinor)).toEqual(sources.map(() => line.unitPriceMinor));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('corrections re-price unbilled time exactly, keep the highest revision, and leave invoiced time as invoiced', () => {
    fc.assert(
      fc.property(withCorrectionsArb, ratesArb, (steps, rates) => {
        const { actuals, lines, excess, carry, approved } = simulate(steps, rates);
        expect(new Set(actuals.keys())).toEqual(approved);
        for (const projectId of PROJECTS) {
          const mine = [...actuals.values()].filter((a) => a.projectId === projectId);
          expect(mine.every((a) => a.billAmountMinor >= 0)).toBe(true);
          // Time that bills nothing (not billable, cost-only, no rate) is billed 0.
          expect(
            mine.filter((a) => !a.billable || a.rateMinor === null).map((a) => a.billAmountMinor),
          ).toEqual(mine.filter((a) => !a.billable || a.rateMinor === null).map(() => 0));
          const billed = BigInt(mine.reduce((sum, a) => sum + a.billAmountMinor, 0));
          const exactTotal = mine.reduce((sum, a) => sum + billValueHundredths(a), 0n);
          const projectExcess = BigInt(excess.get(projectId) as number);
          expect(billed * 100n + BigInt(carry.get(projectId) as number)).toBe(
            exactTotal + projectExcess * 100n,
          );
        }
        // Lines drafted before a correction: the actuals they cite keep the drafted hours, rate and amount.
        for (const line of lines.filter((l) => l.kind === 'TIME')) {
          const sources = line.sourceIds.map((id) => actuals.get(id) as SimActual);
          expect(sources.every((a) => a.status === 'READY_TO_INVOICE' && a.billable)).toBe(true);
          expect(line.amountMinor).toBe(sources.reduce((sum, a) => sum + a.billAmountMinor, 0));
          expect(line.quantityHundredths).toBe(sources.reduce((sum, a) => sum + a.hoursHundredths, 0));
          expect(sources.map((a) => a.rateMinor)).toEqual(sources.map(() => line.unitPriceMinor));
        }
        // The highest revision wins whatever the order; until invoiced, the actual has its facts.
        const highest = new Map<string, { revision: number; entry: Entry }>();
        for (const step of steps) {
          if (step.kind !== 'entry' && step.kind !== 'correction') continue;
          const revision = step.kind === 'entry' ? 1 : step.revision;
          const seen = highest.get(step.entry.entryId);
          if (!seen || revision > seen.revision)
            highest.set(step.entry.entryId, { revision, entry: step.entry });
        }
        for (const [actualId, { revision, entry }] of highest) {
          const actual = actuals.get(actualId) as SimActual;
          expect(actual.revision).toBe(revision);
          if (actual.status === 'READY_TO_INVOICE') continue;
          expect([actual.hoursHundredths, actual.role, actual.workDate, actual.billableAsApproved]).toEqual([
            entry.hoursHundredths,
            entry.role,
            `${entry.month}-${String(entry.day).padStart(2, '0')}`,
            entry.billable,
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an extreme rate cut that cannot be taken back is counted as excess, and only then', () => {
    const entry = (entryId: string, month: Entry['month'], day: number): Step => ({
      kind: 'entry',
      entry: {
        entryId,
        project: 'PRJ-A',
        role: 'Consultant',
        month,
        day,
        hoursHundredths: 1,
        billable: true,
      },
    });
    const cutFromFebruary: Step = {
      kind: 'card',
      change: { which: 'RC-C', role: 'Consultant', rateMinor: 0, month: '2030-02', day: 1 },
    };
    // 0.01 h at 0.50: TE-FEB billed 0 (0.50 carried), TE-JAN billed 1 (0.50 + 0.50) and invoiced
    // with January; then February's rate is cut to 0. TE-FEB would be −1; nothing unbilled is left
    // to give the unit back, so the project is billed 1 above floor(exact 0.50) = 0.
    const cut = simulate(
      [entry('TE-FEB', '2030-02', 5), entry('TE-JAN', '2030-01', 20), { kind: 'close' }, cutFromFebruary],
      [50, 50, 50],
    );
    expect([...cut.actuals.values()].map((a) => [a.actualId, a.rateMinor, a.billAmountMinor])).toEqual([
      ['TE-FEB', 0, 0],
      ['TE-JAN', 50, 1],
    ]);
    expect([cut.excess.get('PRJ-A'), cut.carry.get('PRJ-A')]).toEqual([1, 50]);

    // With another unbilled actual billed 1 (0.02 h Architect, not cut) the unit is taken from it:
    // billed 1 = floor(exact 0.50 + 1.00), 0.50 carried, no excess.
    const absorbed = simulate(
      [
        entry('TE-FEB', '2030-02', 5),
        entry('TE-JAN', '2030-01', 20),
        { kind: 'close' },
        {
          kind: 'entry',
          entry: {
            entryId: 'TE-ARCH',
            project: 'PRJ-A',
            role: 'Architect',
            month: '2030-02',
            day: 6,
            hoursHundredths: 2,
            billable: true,
          },
        },
        cutFromFebruary,
      ],
      [50, 50, 50],
    );
    expect([...absorbed.actuals.values()].map((a) => [a.actualId, a.rateMinor, a.billAmountMinor])).toEqual([
      ['TE-FEB', 0, 0],
      ['TE-JAN', 50, 1],
      ['TE-ARCH', 50, 0],
    ]);
    expect([absorbed.excess.get('PRJ-A'), absorbed.carry.get('PRJ-A')]).toEqual([0, 50]);
  });

  it('recognized revenue and progress billing on a fixed fee never exceed the fee; remainders are never lost', () => {
    const periodArb = fc.record({
      costDelta: fc.integer({ min: 0, max: 50_000 }),
      forecast: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null }),
      feeDelta: fc.integer({ min: -5_000, max: 20_000 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(periodArb, { minLength: 1, maxLength: 12 }),
        (initialFee, periods) => {
          let fee = initialFee;
          let cost = 0;
          let recognizedToDate = 0;
          let progressBilled = 0;
          let lastExact = ZERO;
          periods.forEach((p, i) => {
            fee = Math.max(0, fee + p.feeDelta);
            cost += p.costDelta;
            const { exact, noCostBasis } = cumulativeRevenue({
              revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
              feeMinor: fee,
              delivered: [],
              costToDateMinor: cost,
              forecastTotalCostMinor: p.forecast,
              completedMilestoneFeesMinor: [],
              retainerBilledMinor: 0,
            });
            // Without a cost basis the close recognises nothing more; otherwise never above the fee.
            expect(noCostBasis !== null).toBe(
              cost > 0 && (p.forecast === null || p.forecast === 0 || cost > p.forecast),
            );
            if (exact !== null) {
              const r = recognize(exact, recognizedToDate);
              recognizedToDate += r.amountMinor;
              expect(r.cumulativeMinor).toBe(recognizedToDate);
              expect(recognizedToDate).toBeLessThanOrEqual(fee);
              lastExact = exact;
            }
            const project: ProjectBilling = {
              ...billing('PRJ-PC'),
              billingType: 'FIXED_FEE_PERCENT_COMPLETE',
              feeMinor: fee,
              costToDateMinor: cost,
              forecastTotalCostMinor: p.forecast,
              progressBilledMinor: progressBilled,
            };
            const plan = draftInvoices(
              `2030-${String(i + 1).padStart(2, '0')}`,
              new Map([['PRJ-PC', project]]),
              [],
              [],
            );
            progressBilled = plan.progressBilled.get('PRJ-PC') ?? progressBilled;
            expect(progressBilled).toBeLessThanOrEqual(Math.max(fee, project.progressBilledMinor));
            if (noCostBasis !== null) expect(progressBilled).toBe(project.progressBilledMinor);
            expect(plan.invoices.flatMap((inv) => inv.lines).every((l) => l.amountMinor > 0)).toBe(true);
          });
          expect(BigInt(recognizedToDate)).toBe(floor(lastExact));
        },
      ),
    );
  });
});
