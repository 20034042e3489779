import {
  billingPeriodFor,
  costOf,
  entryProblem,
  findRate,
  priceTime,
  priceTimeEntry,
  ProjectTerms,
  RateCard,
} from './pricing';

const january: RateCard = {
  rateCardId: 'RC-DE-2030-A',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  effectiveFrom: '2030-01-01',
  effectiveTo: '2030-01-15',
  rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
};
// The rate rises in the middle of the period: a second version from the 16th.
const fromMidJanuary: RateCard = {
  rateCardId: 'RC-DE-2030-B',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  effectiveFrom: '2030-01-16',
  effectiveTo: null,
  rates: [{ role: 'Consultant', rateMinor: 11_050, costRateMinor: null }],
};
const cards = [january, fromMidJanuary];

const tm: ProjectTerms = {
  projectId: 'PRJ-1',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingType: 'TIME_AND_MATERIALS',
};

describe('findRate', () => {
  it('picks the rate card version effective on the work date (inclusive bounds)', () => {
    expect(findRate(cards, 'LE-DE', 'EUR', '2030-01-15', 'Consultant')).toEqual({
      rateCardId: 'RC-DE-2030-A',
      rateMinor: 10_000,
      costRateMinor: 6_000,
    });
    expect(findRate(cards, 'LE-DE', 'EUR', '2030-01-16', 'Consultant')?.rateMinor).toBe(11_050);
    expect(findRate(cards, 'LE-DE', 'EUR', '2031-07-01', 'Consultant')?.rateCardId).toBe('RC-DE-2030-B');
  });

  it('finds nothing before the first version, for another currency, entity or role', () => {
    expect(findRate(cards, 'LE-DE', 'EUR', '2029-12-31', 'Consultant')).toBeNull();
    expect(findRate(cards, 'LE-DE', 'USD', '2030-01-10', 'Consultant')).toBeNull();
    expect(findRate(cards, 'LE-FR', 'EUR', '2030-01-10', 'Consultant')).toBeNull();
    expect(findRate(cards, 'LE-DE', 'EUR', '2030-01-10', 'Architect')).toBeNull();
  });
});

describe('priceTime', () => {
  it('rounds down and carries the remainder (hundredths of a minor unit) to the next entry', () => {
    // 1.5 h × 123.45 = 185.175 EUR → 18517 cents, 0.50 cent carried.
    expect(priceTime(150, 12_345, 0)).toEqual({ amountMinor: 18_517, carryHundredths: 50 });
    // 2 h × 123.45 = 246.90 + 0.005 → 24690, 0.50 carried.
    expect(priceTime(200, 12_345, 50)).toEqual({ amountMinor: 24_690, carryHundredths: 50 });
    // 0.5 h × 123.45 = 61.725 + 0.005 = 61.73 → 6173, nothing carried.
    expect(priceTime(50, 12_345, 50)).toEqual({ amountMinor: 6_173, carryHundredths: 0 });
    // Sum 18517 + 24690 + 6173 = 49380 = 4 h × 123.45 exactly.
  });

  it('is exact beyond 2^53 intermediate products and refuses unsafe results', () => {
    expect(priceTime(9_000_000_000, 1_000_000, 0).amountMinor).toBe(90_000_000_000_000);
    expect(() => priceTime(Number.MAX_SAFE_INTEGER, 1_000, 0)).toThrow(RangeError);
    expect(() => priceTime(-1, 1_000, 0)).toThrow(RangeError);
  });
});

describe('priceTimeEntry', () => {
  const entry = { hoursHundredths: 800, role: 'Consultant', workDate: '2030-01-20', billable: true };

  it('prices billable T&M time from the rate card version of the work date', () => {
    expect(priceTimeEntry(entry, tm, cards, 7_500, 0)).toEqual({
      status: 'UNBILLED',
      billable: true,
      rateMinor: 11_050,
      rateCardId: 'RC-DE-2030-B',
      billAmountMinor: 88_400,
      costRateMinor: 7_500,
      costAmountMinor: 60_000,
      carryHundredths: 0,
      note: null,
    });
  });

  it("uses the role's cost rate without an assignment, else costs 0 and notes it", () => {
    const early = priceTimeEntry({ ...entry, workDate: '2030-01-02' }, tm, cards, null, 0);
    expect([early.costRateMinor, early.costAmountMinor, early.billAmountMinor]).toEqual([
      6_000, 48_000, 80_000,
    ]);
    const late = priceTimeEntry(entry, tm, cards, null, 0);
    expect([late.costRateMinor, late.costAmountMinor]).toEqual([null, 0]);
    expect(late.note).toMatch(/no cost rate for role Consultant/);
  });

  it('leaves billable time without a rate UNPRICED, billed 0, carry untouched', () => {
    const unpriced = priceTimeEntry({ ...entry, workDate: '2029-12-31' }, tm, cards, null, 42);
    expect(unpriced).toMatchObject({
      status: 'UNPRICED',
      billAmountMinor: 0,
      rateMinor: null,
      carryHundredths: 42,
    });
    expect(unpriced.note).toBe('no EUR rate for role Consultant of legal entity LE-DE on 2029-12-31');
  });

  it('makes non-billable time and time on fixed-fee projects cost-only actuals', () => {
    const internal = priceTimeEntry({ ...entry, billable: false }, tm, cards, 7_500, 0);
    expect(internal).toMatchObject({
      status: 'UNBILLED',
      billable: false,
      billAmountMinor: 0,
      costAmountMinor: 60_000,
    });
    const fixed = priceTimeEntry(entry, { ...tm, billingType: 'FIXED_FEE_MILESTONE' }, [], 7_500, 0);
    expect(fixed).toMatchObject({
      status: 'UNBILLED',
      billable: false,
      billAmountMinor: 0,
      costAmountMinor: 60_000,
    });
  });
});

describe('billing periods and dates', () => {
  it('bills in the month worked, or the earliest open month after a closed one', () => {
    expect(billingPeriodFor('2030-01-31', new Set())).toBe('2030-01');
    expect(billingPeriodFor('2030-01-31', new Set(['2030-01', '2030-02']))).toBe('2030-03');
    expect(billingPeriodFor('2030-12-05', new Set(['2030-12']))).toBe('2031-01');
    expect(billingPeriodFor('2030-01-31', new Set(['2030-02']))).toBe('2030-01');
  });

  it('costs time at the cost rate', () => {
    expect(costOf(150, 8_000)).toBe(12_000);
  });
});

describe('entryProblem', () => {
  it('accepts a well-formed entry and names what is wrong with a malformed one', () => {
    expect(entryProblem({ workDate: '2030-01-31', hoursHundredths: 0 })).toBeNull();
    expect(entryProblem({ workDate: '2030-02-30', hoursHundredths: 100 })).toBe(
      'date "2030-02-30" is not a calendar date (YYYY-MM-DD)',
    );
    expect(entryProblem({ workDate: '2030-02-03', hoursHundredths: -150 })).toBe(
      'hours -1.5 are negative or not a whole number of hundredths',
    );
    expect(
      entryProblem({ workDate: '2030-02-03', hoursHundredths: 0, amountMinor: -1, currency: 'EUR' }),
    ).toMatch(/amount -1 is negative/);
    expect(
      entryProblem({ workDate: '2030-02-03', hoursHundredths: 0, amountMinor: 1, currency: 'eur' }),
    ).toMatch(/currency "eur"/);
  });
});
