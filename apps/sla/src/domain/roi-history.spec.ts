import {
  ActualState,
  billingLeakage,
  businessExceptionFigures,
  ExceptionState,
  invoiceDeadline,
} from './roi-history';

function actual(actualId: string, changes: Partial<ActualState>): ActualState {
  return {
    actualId,
    billable: true,
    status: 'UNBILLED',
    billingPeriod: '2026-10',
    currency: 'EUR',
    billAmountMinor: 10_000,
    ...changes,
  };
}

const oneBusinessDay = (period: string) =>
  invoiceDeadline(period, { thresholdMs: null, businessDays: 1, timeZone: 'UTC', holidays: [] });

describe('billingLeakage', () => {
  // 2026-10 ends 2026-11-01T00:00Z (a Sunday): its invoices are due Monday 2026-11-02T00:00Z.
  const actuals = [
    actual('A-1', { billAmountMinor: 112_500 }),
    actual('A-2', { status: 'READY_TO_INVOICE', billAmountMinor: 37_550 }),
    actual('A-3', { status: 'UNPRICED', billAmountMinor: 0 }),
    actual('A-4', { currency: 'USD', billAmountMinor: 99_999 }),
    actual('A-5', { status: 'INVOICED', billAmountMinor: 50_000 }),
    actual('A-6', { status: 'WRITTEN_OFF', billAmountMinor: 50_000 }),
    actual('A-7', { billable: false, billAmountMinor: 0 }),
    actual('A-8', { billingPeriod: '2026-11', billAmountMinor: 70_000 }),
  ];

  it('sums billable, not invoiced actuals past their period deadline per currency', () => {
    const now = Date.parse('2026-11-28T04:00:00Z');
    expect(billingLeakage(actuals, now, oneBusinessDay)).toEqual({
      asOf: '2026-11-28T04:00:00.000Z',
      actuals: 4,
      unpriced: 1,
      byCurrency: [
        { currency: 'EUR', amountMinor: 150_050, actuals: 3 },
        { currency: 'USD', amountMinor: 99_999, actuals: 1 },
      ],
    });
  });

  it('leaves a period alone until its invoice deadline has passed', () => {
    const deadline = Date.parse('2026-11-02T00:00:00Z');
    expect(billingLeakage(actuals, deadline, oneBusinessDay).actuals).toBe(0);
    expect(billingLeakage(actuals, deadline + 1, oneBusinessDay).actuals).toBe(4);
    // November (ends Tuesday 2026-12-01) is due Wednesday 2026-12-02T00:00Z.
    const december = billingLeakage(actuals, Date.parse('2026-12-02T00:00:00.001Z'), oneBusinessDay);
    expect(december.byCurrency).toEqual([
      { currency: 'EUR', amountMinor: 220_050, actuals: 4 },
      { currency: 'USD', amountMinor: 99_999, actuals: 1 },
    ]);
  });

  it('adds exactly up to 2^53 − 1 minor units and refuses an unsafe total', () => {
    const big = Number.MAX_SAFE_INTEGER - 1;
    const now = Date.parse('2027-01-01T00:00:00Z');
    expect(
      billingLeakage(
        [actual('B-1', { billAmountMinor: big }), actual('B-2', { billAmountMinor: 1 })],
        now,
        oneBusinessDay,
      ).byCurrency,
    ).toEqual([{ currency: 'EUR', amountMinor: Number.MAX_SAFE_INTEGER, actuals: 2 }]);
    expect(() =>
      billingLeakage(
        [actual('B-1', { billAmountMinor: big }), actual('B-2', { billAmountMinor: 2 })],
        now,
        oneBusinessDay,
      ),
    ).toThrow(RangeError);
  });
});

describe('invoiceDeadline', () => {
  it('is the invoice allowance after the local end of the period', () => {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const businessDay = { thresholdMs: null, businessDays: 1, holidays: [] };
    // October 2026 ends Sunday midnight: due Monday; in Berlin midnight is 23:00 UTC the day before.
    expect(iso(invoiceDeadline('2026-10', { ...businessDay, timeZone: 'UTC' }))).toBe(
      '2026-11-02T00:00:00.000Z',
    );
    expect(iso(invoiceDeadline('2026-10', { ...businessDay, timeZone: 'Europe/Berlin' }))).toBe(
      '2026-11-01T23:00:00.000Z',
    );
    expect(
      iso(
        invoiceDeadline('2026-10', {
          thresholdMs: 3_600_000,
          businessDays: null,
          timeZone: 'UTC',
          holidays: [],
        }),
      ),
    ).toBe('2026-11-01T01:00:00.000Z');
    expect(invoiceDeadline('October', { ...businessDay, timeZone: 'UTC' })).toBeNull();
  });

  it('skips the invoice SLA’s holidays', () => {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    // March 2026 ends Wednesday 2026-04-01 00:00; with Thursday 2 April a holiday, due Friday 3 April.
    const sla = { thresholdMs: null, businessDays: 1, timeZone: 'UTC' };
    expect(iso(invoiceDeadline('2026-03', { ...sla, holidays: [] }))).toBe('2026-04-02T00:00:00.000Z');
    expect(iso(invoiceDeadline('2026-03', { ...sla, holidays: ['2026-04-02'] }))).toBe(
      '2026-04-03T00:00:00.000Z',
    );
  });
});

describe('businessExceptionFigures', () => {
  const exception = (
    exceptionId: string,
    first: number | null,
    last: number | null,
    resolved: number | null,
  ) =>
    ({
      exceptionId,
      firstRaisedAt: first,
      lastRaisedAt: last,
      resolvedAt: resolved,
    }) satisfies ExceptionState;

  it('counts raised, open and resolved and measures resolution from the first raise', () => {
    const figures = businessExceptionFigures([
      exception('E-1', 0, 0, 60_000),
      // Re-raised at 30 s, resolved at 90 s: 90 s from the first raise.
      exception('E-2', 0, 30_000, 90_000),
      exception('E-3', 1_000, 1_000, 11_000),
      exception('E-4', 0, 0, null),
      // Resolved, then raised again: open again.
      exception('E-5', 0, 50_000, 40_000),
      // A resolution seen before its raise: not counted yet.
      exception('E-6', null, null, 5_000),
    ]);
    expect(figures).toEqual({
      raised: 5,
      open: 2,
      resolved: 3,
      timeToResolution: { p50Ms: 60_000, p95Ms: 90_000 },
    });
  });

  it('has no percentiles without resolved exceptions', () => {
    expect(businessExceptionFigures([])).toEqual({
      raised: 0,
      open: 0,
      resolved: 0,
      timeToResolution: { p50Ms: null, p95Ms: null },
    });
  });
});
