import { forecastOf, forecastUpdated } from './forecast';

describe('forecastOf', () => {
  it('sums the active assignments and leaves cancelled ones out (worked example)', () => {
    const forecast = forecastOf(15_000_000, [
      { assignmentId: 'A-1', status: 'CONFIRMED', forecastCostMinor: 3_011_250 }, // 401.5 h × 75.00
      { assignmentId: 'A-2', status: 'PROPOSED', forecastCostMinor: 94_500 }, // 10.5 h × 90.00
      { assignmentId: 'A-3', status: 'CANCELLED', forecastCostMinor: 999_999 },
    ]);
    expect(forecast).toEqual({
      forecastRevenueMinor: 15_000_000,
      forecastCostMinor: 3_105_750,
      forecastMarginMinor: 11_894_250,
    });
  });

  it('has a negative margin when the cost exceeds the budget, and zero cost without assignments', () => {
    expect(forecastOf(100, [{ assignmentId: 'A', status: 'CONFIRMED', forecastCostMinor: 250 }])).toEqual({
      forecastRevenueMinor: 100,
      forecastCostMinor: 250,
      forecastMarginMinor: -150,
    });
    expect(forecastOf(100, [])).toEqual({
      forecastRevenueMinor: 100,
      forecastCostMinor: 0,
      forecastMarginMinor: 100,
    });
  });

  it('stays exact near the safe-integer limit and refuses totals beyond it', () => {
    const big = 4_503_599_627_370_495; // 2^52 - 1
    expect(
      forecastOf(Number.MAX_SAFE_INTEGER, [
        { assignmentId: 'A', status: 'CONFIRMED', forecastCostMinor: big },
      ]),
    ).toEqual({
      forecastRevenueMinor: 9_007_199_254_740_991,
      forecastCostMinor: big,
      forecastMarginMinor: big + 1,
    });
    expect(() =>
      forecastOf(0, [
        { assignmentId: 'A', status: 'CONFIRMED', forecastCostMinor: Number.MAX_SAFE_INTEGER },
        { assignmentId: 'B', status: 'CONFIRMED', forecastCostMinor: 1 },
      ]),
    ).toThrow(RangeError);
  });
});

describe('forecastUpdated', () => {
  it('names the event that triggered the refresh', () => {
    expect(
      forecastUpdated(
        { projectId: 'PRJ-1', dealId: 'D-1', currency: 'EUR' },
        { forecastRevenueMinor: 10, forecastCostMinor: 4, forecastMarginMinor: 6 },
        { eventId: 'evt-1', eventType: 'AssignmentChanged' },
        1_800_000_000_000,
      ),
    ).toEqual({
      projectId: 'PRJ-1',
      dealId: 'D-1',
      currency: 'EUR',
      forecastRevenueMinor: 10,
      forecastCostMinor: 4,
      forecastMarginMinor: 6,
      triggerEventId: 'evt-1',
      triggerType: 'AssignmentChanged',
      refreshedAt: 1_800_000_000_000,
    });
  });
});
