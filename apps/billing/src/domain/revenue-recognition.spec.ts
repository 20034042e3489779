import { fraction } from './fraction';
import { costToCostProgress, cumulativeRevenue, RecognitionBasis, recognize } from './revenue-recognition';

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

/** Recognizes a sequence of cumulative bases period by period, as period close does. */
function recognizeAll(bases: RecognitionBasis[]) {
  let previous = 0;
  return bases.map((b) => {
    const r = recognize(cumulativeRevenue(b).exact, previous);
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
    expect(recognize(cumulativeRevenue(basis({ delivered })).exact, 0)).toEqual({
      amountMinor: 43_207,
      cumulativeMinor: 43_207,
      carriedRemainder: '1/2',
    });
    const withExpense = [
      ...delivered,
      { kind: 'EXPENSE' as const, hoursHundredths: 0, rateMinor: null, billAmountMinor: 4_250 },
    ];
    expect(recognize(cumulativeRevenue(basis({ delivered: withExpense })).exact, 43_207)).toEqual({
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
      // Cost overran the forecast: progress is capped at 100 %, revenue at the fee.
      basis({
        revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
        costToDateMinor: 9_500,
        forecastTotalCostMinor: 9_000,
      }),
    ]);
    expect(periods).toEqual([
      // 10001 / 3 = 3333 2/3; 20002 / 3 = 6667 1/3; then the whole fee.
      { amountMinor: 3_333, cumulativeMinor: 3_333, carriedRemainder: '2/3' },
      { amountMinor: 3_334, cumulativeMinor: 6_667, carriedRemainder: '1/3' },
      { amountMinor: 3_334, cumulativeMinor: 10_001, carriedRemainder: '0/1' },
    ]);
    expect(costToCostProgress(10_001, 3_000, 9_000).basisPoints).toBe(3_333);
    expect(costToCostProgress(10_001, 9_500, 9_000).basisPoints).toBe(10_000);
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

  it('PERCENT_COMPLETE without a forecast recognizes nothing yet', () => {
    expect(costToCostProgress(10_001, 5_000, null)).toEqual({ earned: fraction(0), basisPoints: null });
    expect(costToCostProgress(10_001, 0, 0)).toEqual({ earned: fraction(0), basisPoints: 0 });
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
    expect(recognize(cumulativeRevenue(milestone).exact, 0).amountMinor).toBe(10_001 + 41_230);
    const progress = basis({
      revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
      costToDateMinor: 1,
      forecastTotalCostMinor: 3,
      delivered: [expense],
    });
    expect(recognize(cumulativeRevenue(progress).exact, 0)).toEqual({
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
