import { Fraction, fraction } from './fraction';
import {
  costToCostProgress,
  costToDate,
  cumulativeRevenue,
  noCostBasisException,
  RecognitionBasis,
  recognize,
} from './revenue-recognition';

const basis = (overrides: Partial<RecognitionBasis>): RecognitionBasis => ({
  revenueRule: 'AS_DELIVERED',
  feeMinor: 10_001,
  delivered: [],
  costToDateMinor: 0,
  forecastTotalCostMinor: null,
  completedMilestoneFeesMinor: [],
  retainerBilledMinor: 0,
  ...overrides,
});

/** The cumulative exact revenue of an assessable basis. */
function exactOf(b: RecognitionBasis): Fraction {
  const { exact } = cumulativeRevenue(b);
  if (exact === null) throw new Error('not assessable');
  return exact;
}

/** Recognizes a sequence of cumulative bases period by period, as period close does. */
function recognizeAll(bases: RecognitionBasis[]) {
  let previous = 0;
  return bases.map((b) => {
    const r = recognize(exactOf(b), previous);
    previous = r.cumulativeMinor;
    return r;
  });
}

describe('revenue recognition', () => {
  it('AS_DELIVERED: the exact value of time and expenses, the half cent carried', () => {
    const delivered = [
      { kind: 'TIME' as const, hoursHundredths: 150, rateMinor: 12_345, billAmountMinor: 18_517 },
      { kind: 'TIME' as const, hoursHundredths: 200, rateMinor: 12_345, billAmountMinor: 24_690 },
    ];
    expect(recognize(exactOf(basis({ delivered })), 0)).toEqual({
      amountMinor: 43_207,
      cumulativeMinor: 43_207,
      carriedRemainder: '1/2',
    });
    const withExpense = [
      ...delivered,
      { kind: 'EXPENSE' as const, hoursHundredths: 0, rateMinor: null, billAmountMinor: 4_250 },
    ];
    expect(recognize(exactOf(basis({ delivered: withExpense })), 43_207)).toEqual({
      amountMinor: 4_250,
      cumulativeMinor: 47_457,
      carriedRemainder: '1/2',
    });
  });

  it('PERCENT_COMPLETE_COST_TO_COST: thirds of a fee of 10001 over three periods add up to the fee', () => {
    const periods = recognizeAll([
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        costToDateMinor: 3_000,
        forecastTotalCostMinor: 9_000,
      }),
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        costToDateMinor: 6_000,
        forecastTotalCostMinor: 9_000,
      }),
      // Cost overran the forecast, which delivery revised to the cost: 100 %, revenue capped at the fee.
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        costToDateMinor: 9_500,
        forecastTotalCostMinor: 9_500,
      }),
    ]);
    expect(periods).toEqual([
      // 10001 / 3 = 3333 2/3; 20002 / 3 = 6667 1/3; then the whole fee.
      { amountMinor: 3_333, cumulativeMinor: 3_333, carriedRemainder: '2/3' },
      { amountMinor: 3_334, cumulativeMinor: 6_667, carriedRemainder: '1/3' },
      { amountMinor: 3_334, cumulativeMinor: 10_001, carriedRemainder: '0/1' },
    ]);
    expect(costToCostProgress(10_001, 3_000, 9_000).basisPoints).toBe(3_333);
    expect(costToCostProgress(10_001, 9_500, 9_500).basisPoints).toBe(10_000);
  });

  it('PERCENT_COMPLETE: a change order mid-project raises the fee from then on', () => {
    const periods = recognizeAll([
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        costToDateMinor: 3_000,
        forecastTotalCostMinor: 9_000,
      }),
      // Change order: fee 10001 → 12000 and forecast 9000 → 12000; cost to date 6000 → 50 %.
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        feeMinor: 12_000,
        costToDateMinor: 6_000,
        forecastTotalCostMinor: 12_000,
      }),
    ]);
    expect(periods.map((p) => p.amountMinor)).toEqual([3_333, 2_667]);
    expect(periods[1].cumulativeMinor).toBe(6_000);
  });

  it('PERCENT_COMPLETE before any cost earns nothing, with or without a forecast', () => {
    expect(costToCostProgress(10_001, 0, null)).toEqual({
      earned: fraction(0),
      basisPoints: null,
      noCostBasis: null,
    });
    expect(costToCostProgress(10_001, 0, 0)).toEqual({
      earned: fraction(0),
      basisPoints: 0,
      noCostBasis: null,
    });
  });

  it('PERCENT_COMPLETE with cost but no cost basis is not assessable: nothing recognised, never 100 %', () => {
    // 90,000 fee, 500 of cost, forecast 0 (change order before staffing, or every assignment
    // cancelled). Before the fix: 90,000 × 500 / max(0, 500) = 90,000 recognised at once.
    const unstaffed = basis({
      revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
      feeMinor: 90_000,
      costToDateMinor: 500,
      forecastTotalCostMinor: 0,
    });
    expect(cumulativeRevenue(unstaffed)).toEqual({
      exact: null,
      percentCompleteBasisPoints: null,
      noCostBasis: { reason: 'ZERO_FORECAST', costToDateMinor: 500, forecastTotalCostMinor: 0 },
    });
    expect(cumulativeRevenue({ ...unstaffed, forecastTotalCostMinor: null }).noCostBasis?.reason).toBe(
      'NO_FORECAST',
    );
    // A forecast below the cost to date would also be 100 % without completion.
    expect(cumulativeRevenue({ ...unstaffed, forecastTotalCostMinor: 499 }).noCostBasis?.reason).toBe(
      'COST_ABOVE_FORECAST',
    );
    // Staffed: forecast 30,000, cost 6,000 → 6,000 / 30,000 = 20 % (2,000 bp) → 90,000 × 20 % = 18,000.
    const staffed = { ...unstaffed, costToDateMinor: 6_000, forecastTotalCostMinor: 30_000 };
    expect(cumulativeRevenue(staffed).percentCompleteBasisPoints).toBe(2_000);
    expect(recognize(exactOf(staffed), 0)).toEqual({
      amountMinor: 18_000,
      cumulativeMinor: 18_000,
      carriedRemainder: '0/1',
    });
    // Exactly on forecast is assessable: 30,000 / 30,000 = 100 % → the rest, 90,000 − 18,000 = 72,000.
    const done = { ...staffed, costToDateMinor: 30_000 };
    expect(recognize(exactOf(done), 18_000).amountMinor).toBe(72_000);
  });

  it('PERCENT_COMPLETE: a project delivered exactly on forecast ends at exactly 100 %', () => {
    // One assignment: 7.50 h at a cost of 123.45/h. Staffing: 750 × 12,345 / 100 = 92,587.5 → half up 92,588.
    const forecast = 92_588;
    // Delivered as 30 entries of 0.25 h: 25 × 12,345 / 100 = 3,086.25 each.
    // Before: each entry rounded down, 30 × 3,086 = 92,580 → 92,580 / 92,588 = 99.99 % → 9,999 of 10,000.
    expect(costToCostProgress(10_000, 30 * 3_086, forecast).basisPoints).toBe(9_999);
    // Now: exact per person and cost rate, 30 × 25 × 12,345 = 9,258,750 hundredths → half up 92,588.
    const cost = costToDate([30n * 25n * 12_345n]);
    expect(cost).toBe(92_588);
    expect(costToCostProgress(10_000, cost, forecast)).toEqual({
      earned: fraction(10_000),
      basisPoints: 10_000,
      noCostBasis: null,
    });
    // Two people at different rates round separately, as their two assignments do:
    // 150 × 3,333 = 499,950 → 5,000 (4,999.5 half up); 50 × 101 = 5,050 → 51 (50.5 half up); 5,051.
    expect(costToDate([150n * 3_333n, 50n * 101n])).toBe(5_051);
    expect(costToDate([])).toBe(0);
  });

  it('the no-cost-basis exception goes to delivery with a remediation, under one id per project', () => {
    const raised = noCostBasisException({ projectId: 'PRJ-PC', dealId: 'D-1', currency: 'EUR' }, '2030-01', {
      reason: 'ZERO_FORECAST',
      costToDateMinor: 500,
      forecastTotalCostMinor: 0,
    });
    expect(raised).toMatchObject({
      exceptionId: 'EXC-PRJ-PRJ-PC-NO_COST_BASIS',
      ownerRole: 'DELIVERY',
      entityType: 'Project',
      entityId: 'PRJ-PC',
      dealId: 'D-1',
      code: 'NO_COST_BASIS',
      details: {
        projectId: 'PRJ-PC',
        period: '2030-01',
        reason: 'ZERO_FORECAST',
        costToDateMinor: '500',
        forecastTotalCostMinor: '0',
      },
    });
    expect(raised.message).toContain('cost forecast of 0');
    expect(raised.remediation).toContain('staff the project');
  });

  it('ON_MILESTONE: the fees of milestones completed by the period end', () => {
    const periods = recognizeAll([
      basis({ revenueRule: 'ON_MILESTONE', completedMilestoneFeesMinor: [3_333] }),
      basis({ revenueRule: 'ON_MILESTONE', completedMilestoneFeesMinor: [3_333, 6_668] }),
    ]);
    expect(periods.map((p) => [p.amountMinor, p.cumulativeMinor])).toEqual([
      [3_333, 3_333],
      [6_668, 10_001],
    ]);
  });

  it('passes billable expenses through as revenue on fixed-fee projects, on top of the fee', () => {
    const expense = {
      kind: 'EXPENSE' as const,
      hoursHundredths: 0,
      rateMinor: null,
      billAmountMinor: 41_230,
    };
    const time = { kind: 'TIME' as const, hoursHundredths: 25_000, rateMinor: 15_000, billAmountMinor: 0 };
    const milestone = basis({
      revenueRule: 'ON_MILESTONE',
      completedMilestoneFeesMinor: [10_001],
      delivered: [expense, time],
    });
    // The whole fee (never more) plus the expense; time on a fixed fee earns nothing by the hour.
    expect(recognize(exactOf(milestone), 0).amountMinor).toBe(10_001 + 41_230);
    const progress = basis({
      revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
      costToDateMinor: 1,
      forecastTotalCostMinor: 3,
      delivered: [expense],
    });
    expect(recognize(exactOf(progress), 0)).toEqual({
      amountMinor: 3_333 + 41_230,
      cumulativeMinor: 3_333 + 41_230,
      carriedRemainder: '2/3',
    });
  });

  it('RETAINER_USAGE: usage, capped at the retainer fees (plus overage) billed to date', () => {
    const used = (hours: number) => [
      {
        kind: 'TIME' as const,
        hoursHundredths: hours * 100,
        rateMinor: 10_000,
        billAmountMinor: hours * 10_000,
      },
    ];
    const periods = recognizeAll([
      basis({ revenueRule: 'RETAINER_USAGE', delivered: used(2), retainerBilledMinor: 33_334 }),
      basis({ revenueRule: 'RETAINER_USAGE', delivered: used(5), retainerBilledMinor: 33_334 }),
      basis({ revenueRule: 'RETAINER_USAGE', delivered: used(5), retainerBilledMinor: 66_668 }),
    ]);
    expect(periods.map((p) => p.amountMinor)).toEqual([20_000, 13_334, 16_666]);
  });
});
