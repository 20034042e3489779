import fc from 'fast-check';

import { ACTUAL_STATUSES, ActualStatus, InvoiceLine } from '@throughline/contracts';

import { add, floor, fraction, Fraction, ZERO } from './fraction';
import { draftInvoices, ProjectBilling } from './invoice-drafting';
import { billingPeriodFor, priceTimeEntry, ProjectTerms, RateCard } from './pricing';
import { cumulativeRevenue, recognize } from './revenue-recognition';

/*
 * Property tests of the money invariants over random approved entries, duplicate deliveries, a
 * rate change in the middle of January, roles without a rate, and period closes interleaved with
 * (late) approvals — the same domain functions the service runs, with an in-memory store.
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
  projectId: string;
  hoursHundredths: number;
  rateMinor: number | null;
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
type Step = { kind: 'entry'; entry: Entry } | { kind: 'close' };
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

function simulate(steps: Step[], rates: [number, number, number]) {
  const cards = cardsOf(rates);
  const actuals = new Map<string, SimActual>();
  const carry = new Map(PROJECTS.map((p) => [p, 0]));
  const closed = new Set<string>();
  const lines: InvoiceLine[] = [];
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
        }).exact,
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
    const { entry } = step;
    approved.add(entry.entryId);
    if (actuals.has(entry.entryId)) continue; // the same entry again (any event id): no effect
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
      projectId: entry.project,
      hoursHundredths: entry.hoursHundredths,
      rateMinor: priced.rateMinor,
      billAmountMinor: priced.billAmountMinor,
      billable: priced.billable,
      workDate,
      billingPeriod: billingPeriodFor(workDate, closed),
      status: priced.status,
      invoiceId: null,
    });
  }
  do close();
  while (!closed.has('2030-03'));
  return { actuals, lines, approved, recognized, closed };
}

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
            const { exact } = cumulativeRevenue({
              revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
              feeMinor: fee,
              delivered: [],
              costToDateMinor: cost,
              forecastTotalCostMinor: p.forecast,
              completedMilestoneFeesMinor: [],
              retainerBilledMinor: 0,
            });
            const r = recognize(exact, recognizedToDate);
            recognizedToDate += r.amountMinor;
            expect(r.cumulativeMinor).toBe(recognizedToDate);
            expect(recognizedToDate).toBeLessThanOrEqual(fee);
            lastExact = exact;
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
            expect(plan.invoices.flatMap((inv) => inv.lines).every((l) => l.amountMinor > 0)).toBe(true);
          });
          expect(BigInt(recognizedToDate)).toBe(floor(lastExact));
        },
      ),
    );
  });
});
