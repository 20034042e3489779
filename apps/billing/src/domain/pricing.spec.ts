import {
  billingPeriodFor,
  changedRate,
  billValueHundredths,
  costOf,
  describeDifferences,
  entryProblem,
  exactHundredths,
  findRate,
  formatHundredths,
  priceTime,
  priceTimeEntry,
  projectCards,
  ProjectTerms,
  RateCard,
  repriceProjectTime,
  repriceTime,
  writeOffTime,
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

describe('repriceTime', () => {
  it('adds hours × the rate rise to the carry and bills the whole minor units of it', () => {
    // 1.5 h × 123.45 was billed 18517 with 0.50 carried; at 135.79 the entry is worth 20368.50.
    expect(priceTime(150, 12_345, 0)).toEqual({ amountMinor: 18_517, carryHundredths: 50 });
    // delta = 150 × 1234 = 185100 hundredths; 50 + 185100 = 1851 whole + 50.
    expect(repriceTime(18_517, exactHundredths(150, 12_345), exactHundredths(150, 13_579), 50)).toEqual({
      amountMinor: 20_368,
      carryHundredths: 50,
    });
  });

  it('takes a rate cut off the amount by floor division, so the carry stays in 0..99', () => {
    // delta = 150 × (12000 − 12345) = −51750; 10 − 51750 = −51740 = −518 × 100 + 60.
    expect(repriceTime(18_517, exactHundredths(150, 12_345), exactHundredths(150, 12_000), 10)).toEqual({
      amountMinor: 17_999,
      carryHundredths: 60,
    });
    // Σ × 100 + carry: 1851710 → 1799960, exactly −51750.
    expect(repriceTime(18_517, exactHundredths(150, 12_345), exactHundredths(150, 12_000), 50)).toEqual({
      amountMinor: 18_000,
      carryHundredths: 0,
    });
  });

  it('wraps the carry over a whole minor unit on a small rise', () => {
    // 0.01 h, rate +15: delta 15; 90 + 15 = 105 → one more minor unit, 5 carried.
    expect(repriceTime(7, exactHundredths(1, 700), exactHundredths(1, 715), 90)).toEqual({
      amountMinor: 8,
      carryHundredths: 5,
    });
  });

  it('changes nothing when the rate is the same, and can go below 0 only after an extreme cut', () => {
    expect(repriceTime(18_517, exactHundredths(150, 12_345), exactHundredths(150, 12_345), 50)).toEqual({
      amountMinor: 18_517,
      carryHundredths: 50,
    });
    // 0.01 h at 0.50 was billed 0 (0.50 carried, since passed on); at rate 0: 10 − 50 = −1 × 100 + 60.
    expect(repriceTime(0, exactHundredths(1, 50), exactHundredths(1, 0), 10)).toEqual({
      amountMinor: -1,
      carryHundredths: 60,
    });
    expect(() => repriceTime(0, exactHundredths(1, 50), exactHundredths(1, 0), 100)).toThrow(RangeError);
  });
});

describe('changedRate', () => {
  const rise: RateCard = { ...fromMidJanuary, effectiveFrom: '2030-01-10' };
  const after = [january, rise];
  const actual = (workDate: string, rateMinor: number, rateCardId: string) => ({
    workDate,
    role: 'Consultant',
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    rateMinor,
    rateCardId,
  });

  it('gives the new rate of time the changed card now covers', () => {
    expect(changedRate(rise, after, actual('2030-01-12', 10_000, 'RC-DE-2030-A'))).toEqual({
      rateCardId: 'RC-DE-2030-B',
      rateMinor: 11_050,
      costRateMinor: null,
    });
  });

  it('leaves time the card does not cover, already at the rate, or of another entity or currency', () => {
    expect(changedRate(rise, after, actual('2030-01-09', 10_000, 'RC-DE-2030-A'))).toBeNull();
    expect(changedRate(rise, after, actual('2030-01-20', 11_050, 'RC-DE-2030-B'))).toBeNull();
    expect(
      changedRate(rise, after, { ...actual('2030-01-12', 10_000, 'RC-DE-2030-A'), currency: 'USD' }),
    ).toBeNull();
    expect(
      changedRate(rise, after, { ...actual('2030-01-12', 10_000, 'RC-DE-2030-A'), legalEntityId: 'LE-FR' }),
    ).toBeNull();
  });

  it('re-prices time priced from the card that it no longer covers from the card that does', () => {
    // The B version moved from the 10th to the 20th: the 12th was priced from B, now A applies.
    const later: RateCard = { ...fromMidJanuary, effectiveFrom: '2030-01-20' };
    const extended: RateCard = { ...january, effectiveTo: null };
    expect(changedRate(later, [extended, later], actual('2030-01-12', 11_050, 'RC-DE-2030-B'))).toEqual({
      rateCardId: 'RC-DE-2030-A',
      rateMinor: 10_000,
      costRateMinor: 6_000,
    });
    // Nothing covers it any more: billing does not un-price time.
    expect(changedRate(later, [january, later], actual('2030-01-17', 11_050, 'RC-DE-2030-B'))).toBeNull();
  });
});

describe('repriceProjectTime', () => {
  const tiny = { actualId: 'TE-1', exactHundredths: 50n, amountMinor: 0 };
  const hour = { actualId: 'TE-2', exactHundredths: 10_000n, amountMinor: 100 };

  it('re-prices the actuals given a new rate one after the other through the carry', () => {
    const result = repriceProjectTime(
      [
        { actualId: 'TE-A', exactHundredths: exactHundredths(150, 12_345), amountMinor: 18_517 },
        { actualId: 'TE-B', exactHundredths: exactHundredths(200, 12_345), amountMinor: 24_690 },
        { actualId: 'TE-C', exactHundredths: exactHundredths(50, 12_345), amountMinor: 6_173 },
      ],
      new Map([
        ['TE-A', exactHundredths(150, 12_000)],
        ['TE-C', exactHundredths(50, 13_579)],
      ]),
      0,
    );
    // TE-A: 0 − 51750 → −518, carry 50; TE-C: 50 + 50 × 1234 = 61750 → +617, carry 50.
    expect(result).toEqual({
      changed: new Map([
        ['TE-A', 17_999],
        ['TE-C', 6_790],
      ]),
      carryHundredths: 50,
      excessMinor: 0,
    });
    // Exact: 150 × 120 + 200 × 123.45 + 50 × 135.79 = 180 + 246.90 + 67.895 = 494.795 → 49479 + 0.50.
    expect(17_999 + 24_690 + 6_790).toBe(49_479);
  });

  it('bills an actual cut below 0 at 0 and takes the missing unit off the latest other unbilled actual', () => {
    expect(repriceProjectTime([tiny, hour], new Map([['TE-1', 0n]]), 10)).toEqual({
      changed: new Map([
        ['TE-1', 0],
        ['TE-2', 99],
      ]),
      carryHundredths: 60,
      excessMinor: 0,
    });
  });

  it('reports the units it could not take back when nothing else unbilled is left to take them from', () => {
    expect(repriceProjectTime([tiny], new Map([['TE-1', 0n]]), 10)).toEqual({
      changed: new Map([['TE-1', 0]]),
      carryHundredths: 60,
      excessMinor: 1,
    });
  });

  it('formats exact differences in minor units with two decimals', () => {
    expect(formatHundredths(185_100n)).toBe('+1851.00');
    expect(formatHundredths(-51_745n)).toBe('-517.45');
    expect(formatHundredths(-5n)).toBe('-0.05');
  });
});

describe('corrections: repriceProjectTime from an old to a new exact value', () => {
  // 1.5 h × 123.45 = 185.175 → billed 18517, 0.50 carried.
  const consultant = { actualId: 'TE-A', exactHundredths: exactHundredths(150, 12_345), amountMinor: 18_517 };

  it('bills more hours through the carry: 2 h × 123.45 = 246.90 exactly', () => {
    // In hundredths: 50 + 2469000 − 1851750 = 617300 → +6173, 0 carried.
    expect(repriceProjectTime([consultant], new Map([['TE-A', exactHundredths(200, 12_345)]]), 50)).toEqual({
      changed: new Map([['TE-A', 24_690]]),
      carryHundredths: 0,
      excessMinor: 0,
    });
  });

  it('takes hours corrected to 0 off through the carry, the unit it cannot go below 0 by from other unbilled time', () => {
    // TE-B: 0.5 h × 123.45 = 61.725 + 0.50 carried = 6173, 0 carried. TE-A to 0 h: 0 − 1851750 =
    // −18518 × 100 + 50 → TE-A would be −1: billed 0, TE-B gives the unit back (6172 = floor(61.725 + 0)).
    const other = { actualId: 'TE-B', exactHundredths: exactHundredths(50, 12_345), amountMinor: 6_173 };
    expect(repriceProjectTime([consultant, other], new Map([['TE-A', 0n]]), 0)).toEqual({
      changed: new Map([
        ['TE-A', 0],
        ['TE-B', 6_172],
      ]),
      carryHundredths: 50,
      excessMinor: 0,
    });
  });

  it('re-prices a role change at the new role rate (1.5 h Architect × 150.00 = 225.00)', () => {
    // 50 + 2250000 − 1851750 = 398300 → +3983, 0 carried.
    expect(repriceProjectTime([consultant], new Map([['TE-A', exactHundredths(150, 15_000)]]), 50)).toEqual({
      changed: new Map([['TE-A', 22_500]]),
      carryHundredths: 0,
      excessMinor: 0,
    });
  });

  it('flips billable: billable time bills 0 once it is not, and non-billable time bills its value once it is', () => {
    const billable = { hoursHundredths: 800, billable: true, rateMinor: 12_345 };
    expect(billValueHundredths(billable)).toBe(9_876_000n);
    expect(billValueHundredths({ ...billable, billable: false })).toBe(0n);
    expect(billValueHundredths({ ...billable, rateMinor: null })).toBe(0n);
    const eight = { actualId: 'TE-8', exactHundredths: 9_876_000n, amountMinor: 98_760 };
    expect(repriceProjectTime([eight], new Map([['TE-8', 0n]]), 30)).toEqual({
      changed: new Map([['TE-8', 0]]),
      carryHundredths: 30,
      excessMinor: 0,
    });
    // Cost-only 1.5 h made billable at 123.45 with 0.30 carried: 30 + 1851750 = 18517 + 0.80.
    const costOnly = { actualId: 'TE-C', exactHundredths: 0n, amountMinor: 0 };
    expect(repriceProjectTime([costOnly], new Map([['TE-C', exactHundredths(150, 12_345)]]), 30)).toEqual({
      changed: new Map([['TE-C', 18_517]]),
      carryHundredths: 80,
      excessMinor: 0,
    });
  });

  it('wraps the carry over a whole minor unit on a small correction', () => {
    // 0.01 h → 0.03 h at 0.45: 70 + 135 − 45 = 160 → one more minor unit, 0.60 carried.
    const tiny = { actualId: 'TE-T', exactHundredths: exactHundredths(1, 45), amountMinor: 1 };
    expect(repriceProjectTime([tiny], new Map([['TE-T', exactHundredths(3, 45)]]), 70)).toEqual({
      changed: new Map([['TE-T', 2]]),
      carryHundredths: 60,
      excessMinor: 0,
    });
  });

  it('moves the whole units left on time that no longer bills to other unbilled time, else reports them as below the floor', () => {
    // TE-A: 1.50 (value 150 hundredths) was billed 2 with 0.60 carried in; TE-B 0.80 billed 0 (0.90 carried).
    // TE-A to 0: 2 + floor((90 − 150) / 100) = 1 left on it, 0.40 carried: the unit goes to TE-B.
    const a = { actualId: 'TE-A', exactHundredths: 150n, amountMinor: 2 };
    const b = { actualId: 'TE-B', exactHundredths: 80n, amountMinor: 0 };
    expect(repriceProjectTime([a, b], new Map([['TE-A', 0n]]), 90)).toEqual({
      changed: new Map([
        ['TE-A', 0],
        ['TE-B', 1],
      ]),
      carryHundredths: 40,
      excessMinor: 0,
    });
    expect(repriceProjectTime([a], new Map([['TE-A', 0n]]), 90)).toEqual({
      changed: new Map([['TE-A', 0]]),
      carryHundredths: 40,
      excessMinor: -1,
    });
  });

  it('describes exact differences per currency for finance', () => {
    expect(describeDifferences(new Map([['EUR', -51_745n]]))).toEqual({
      text: 'EUR -517.45 minor units',
      details: { 'differenceMinor.EUR': '-517.45' },
    });
  });
});

describe("a project's contract rate card", () => {
  // Two customers' cards of LE-DE cover 2030-01-20: `january` is customer A's card (extended here
  // to run on), `fromMidJanuary` (110.50, took effect last) customer B's.
  const cardA = { ...january, effectiveTo: null };
  const named = new Set(['RC-DE-2030-A', 'RC-DE-2030-B']);
  const projectA = { ...tm, rateCardId: 'RC-DE-2030-A', contractCardIds: named };
  const entry = { hoursHundredths: 800, role: 'Consultant', workDate: '2030-01-20', billable: true };

  it('prices the time from the card the contract names, not the latest card of the entity', () => {
    // 8 h × 100.00 = 800.00 from A's card; the entity's latest card would bill 8 h × 110.50 = 884.00.
    const a = priceTimeEntry(entry, projectA, [cardA, fromMidJanuary], 7_500, 0);
    expect([a.rateCardId, a.rateMinor, a.billAmountMinor]).toEqual(['RC-DE-2030-A', 10_000, 80_000]);
    // A project created before the card was carried keeps the old rule: 884.00 from B's card.
    const legacy = priceTimeEntry(entry, { ...tm, rateCardId: null }, [cardA, fromMidJanuary], 7_500, 0);
    expect([legacy.rateCardId, legacy.billAmountMinor]).toEqual(['RC-DE-2030-B', 88_400]);
  });

  it("takes the successor version after the contract's card ends, never another contract's card", () => {
    // A's card ends on the 15th; from the 16th a new version, RC-DE-2030-B, that no contract names.
    const successor = priceTimeEntry(
      entry,
      { ...projectA, contractCardIds: new Set(['RC-DE-2030-A']) },
      cards,
      null,
      0,
    );
    // 8 h × 110.50 = 884.00.
    expect([successor.rateCardId, successor.billAmountMinor]).toEqual(['RC-DE-2030-B', 88_400]);
    // When customer B's contract names RC-DE-2030-B, A's time on the 20th waits for finance instead.
    const unpriced = priceTimeEntry(entry, projectA, cards, null, 0);
    expect(unpriced).toMatchObject({ status: 'UNPRICED', billAmountMinor: 0 });
    expect(unpriced.note).toBe(
      "no EUR rate for role Consultant on 2030-01-20 on the contract's rate card RC-DE-2030-A (or, outside its dates, a card of legal entity LE-DE no contract names)",
    );
    // Before billing has received the contract's card, nothing prices the time.
    expect(projectCards([fromMidJanuary], projectA, '2030-01-20')).toEqual([]);
    expect(projectCards(cards, { rateCardId: null }, '2030-01-20')).toEqual(cards);
  });

  it('re-prices only the time of projects whose card changed', () => {
    const raised = {
      ...fromMidJanuary,
      rates: [{ role: 'Consultant', rateMinor: 12_000, costRateMinor: null }],
    };
    const actual = {
      workDate: '2030-01-20',
      role: 'Consultant',
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      rateMinor: 10_000,
      rateCardId: 'RC-DE-2030-A',
      project: projectA,
    };
    // B's card rising does not touch A's time, which it covers but must not price.
    expect(changedRate(raised, [cardA, raised], actual)).toBeNull();
    const raisedA = { ...cardA, rates: [{ role: 'Consultant', rateMinor: 10_500, costRateMinor: 6_000 }] };
    expect(changedRate(raisedA, [raisedA, fromMidJanuary], actual)).toEqual({
      rateCardId: 'RC-DE-2030-A',
      rateMinor: 10_500,
      costRateMinor: 6_000,
    });
  });
});

describe('writeOffTime', () => {
  it('takes written-off time out of the exact total through the carry, so invoiced = recognised', () => {
    // 0.50 h × 123.45 = 61.725 → 6172.50 minor units each.
    // TE-1: 6172.50 → billed 6172, carry 50. TE-2: 6172.50 + 0.50 = 6173.00 → billed 6173, carry 0.
    const unbilled = [
      { actualId: 'TE-1', exactHundredths: 617_250n, amountMinor: 6_172 },
      { actualId: 'TE-2', exactHundredths: 617_250n, amountMinor: 6_173 },
    ];
    // Writing TE-2 off: carry 0 − 617,250 = −617,250 = −6173 × 100 + 50 → TE-2 at 0, carry 50
    // (the half unit TE-1 left for it comes back).
    const written = writeOffTime(unbilled, 'TE-2', 0);
    expect(written).toEqual({ changed: new Map([['TE-2', 0]]), carryHundredths: 50, excessMinor: 0 });
    // TE-3 (0.50 h) then prices 6172.50 + 0.50 = 6173.00 → 6173. Invoiced TE-1 + TE-3 =
    // 6172 + 6173 = 12,345 = floor(6172.50 + 6172.50), as recognised. Keeping carry 0 (the old
    // write-off) billed 6172 + 6172 = 12,344, one unit short.
    expect(priceTime(50, 12_345, written.carryHundredths)).toEqual({
      amountMinor: 6_173,
      carryHundredths: 0,
    });
    expect(priceTime(50, 12_345, 0)).toEqual({ amountMinor: 6_172, carryHundredths: 50 });
  });

  it('moves the whole unit written-off time held for an earlier entry to the latest other unbilled time', () => {
    // Three entries of 0.01 h × 50.00 = 0.50 each: A 0 (carry 50), B 0.50 + 0.50 = 1 (carry 0),
    // C 0 (carry 50). Writing B off: 50 − 50 = 0 → carry 0 and B's 1 unit has no exact value left;
    // it goes to C, so A + C = 0 + 1 = floor(0.50 + 0.50).
    const unbilled = [
      { actualId: 'A', exactHundredths: 50n, amountMinor: 0 },
      { actualId: 'B', exactHundredths: 50n, amountMinor: 1 },
      { actualId: 'C', exactHundredths: 50n, amountMinor: 0 },
    ];
    expect(writeOffTime(unbilled, 'B', 50)).toEqual({
      changed: new Map([
        ['B', 0],
        ['C', 1],
      ]),
      carryHundredths: 0,
      excessMinor: 0,
    });
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
