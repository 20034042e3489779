import { isIsoDate } from '@throughline/calendar';

import { isSaneDate, toCalendarDate } from './calendar';
import { projectTemplateIssues, rateCardIssues, taxRegimeIssues } from './master-data';
import { nextRetry } from './retry';

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
  });

  it('reads CRM dates, date-times (UTC) and epoch milliseconds', () => {
    expect(toCalendarDate('2026-11-30')).toBe('2026-11-30');
    expect(toCalendarDate('2026-11-30T23:30:00.000Z')).toBe('2026-11-30');
    expect(toCalendarDate('2026-12-01T00:30:00+02:00')).toBe('2026-11-30');
    expect(toCalendarDate(String(Date.UTC(2026, 10, 30, 12)))).toBe('2026-11-30');
    expect(toCalendarDate('30.11.2026')).toBeUndefined();
  });

  it('takes dates from 2000-01-01 to 2100-12-31 only', () => {
    expect(['2000-01-01', '2100-12-31', '2026-11-30'].every(isSaneDate)).toBe(true);
    expect(['1999-12-31', '2101-01-01', '9999-12-31', '0001-01-01'].some(isSaneDate)).toBe(false);
    expect(toCalendarDate('9999-12-31')).toBeUndefined();
    expect(toCalendarDate('9999-12-31T00:00:00Z')).toBeUndefined();
    expect(toCalendarDate('0')).toBeUndefined(); // epoch 0: 1970
  });
});

describe('rateCardIssues', () => {
  const card = {
    effectiveFrom: '2026-01-01',
    effectiveTo: '2026-12-31',
    rates: [
      { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
      { role: 'Consultant', rateMinor: 9_500, costRateMinor: null },
    ],
  };

  it('accepts a valid card, open-ended or single-day', () => {
    expect(rateCardIssues(card)).toEqual([]);
    expect(rateCardIssues({ ...card, effectiveTo: null })).toEqual([]);
    expect(rateCardIssues({ ...card, effectiveTo: '2026-01-01' })).toEqual([]);
  });

  it('refuses a window ending before it starts and a role priced twice', () => {
    expect(
      rateCardIssues({
        ...card,
        effectiveTo: '2025-12-31',
        rates: [...card.rates, { role: 'Architect', rateMinor: 1, costRateMinor: null }],
      }),
    ).toEqual([
      { path: ['effectiveTo'], message: 'must be on or after effectiveFrom 2026-01-01 (got 2025-12-31)' },
      { path: ['rates', 2, 'role'], message: 'role "Architect" has more than one rate' },
    ]);
  });
});

describe('taxRegimeIssues', () => {
  const regime = {
    standardTaxCode: 'S',
    rates: [
      { taxCode: 'S', rateBasisPoints: 1_600, effectiveFrom: '2020-07-01', effectiveTo: '2020-12-31' },
      // Overlapping the first version is allowed: from 2021-01-01 the later start wins.
      { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2021-01-01', effectiveTo: null },
      { taxCode: 'R', rateBasisPoints: 700, effectiveFrom: '2007-01-01', effectiveTo: null },
    ],
  };

  it('accepts dated versions of several codes', () => {
    expect(taxRegimeIssues(regime)).toEqual([]);
  });

  it('refuses a backwards window, two versions from one day, a reserved code and a standard code without a rate', () => {
    expect(
      taxRegimeIssues({
        standardTaxCode: 'Z',
        rates: [
          { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2021-01-01', effectiveTo: '2020-12-31' },
          { taxCode: 'S', rateBasisPoints: 2_000, effectiveFrom: '2021-01-01', effectiveTo: null },
          { taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, effectiveFrom: '2021-01-01', effectiveTo: null },
        ],
      }),
    ).toEqual([
      {
        path: ['rates', 0, 'effectiveTo'],
        message: 'must be on or after effectiveFrom 2021-01-01 (got 2020-12-31)',
      },
      { path: ['rates', 1, 'effectiveFrom'], message: 'tax code "S" has more than one rate from 2021-01-01' },
      { path: ['rates', 2, 'taxCode'], message: 'REVERSE_CHARGE is reserved for reverse-charged lines' },
      { path: ['standardTaxCode'], message: '"Z" has no rate in rates' },
    ]);
  });
});

describe('projectTemplateIssues', () => {
  const design = {
    name: 'Design',
    offsetDays: 0,
    durationDays: 30,
    milestones: [{ name: 'Blueprint', offsetDays: 30, percentOfFee: 4_000 }],
  };
  const build = {
    name: 'Build',
    offsetDays: 30,
    durationDays: 60,
    milestones: [{ name: 'Go-live', offsetDays: 90, percentOfFee: 6_000 }],
  };
  const template = { durationDays: 90, phases: [design, build] };

  it('accepts phases within the template and shares adding up to 100 %', () => {
    expect(projectTemplateIssues(template)).toEqual([]);
  });

  it('names the phase, milestone and total at fault', () => {
    const broken = {
      durationDays: 60,
      phases: [
        { ...design, milestones: [{ name: 'Blueprint', offsetDays: 31, percentOfFee: 4_001 }] },
        build,
      ],
    };
    expect(projectTemplateIssues(broken)).toEqual([
      {
        path: ['phases', 0, 'milestones', 0, 'offsetDays'],
        message: 'milestone "Blueprint" on day 31 lies outside its phase (days 0..30)',
      },
      {
        path: ['phases', 1, 'durationDays'],
        message: 'phase "Build" ends on day 90, after the template\'s 60 days',
      },
      {
        path: ['phases'],
        message: 'milestone percentOfFee values add up to 10001 basis points; at most 10000 allowed',
      },
    ]);
  });
});

describe('nextRetry', () => {
  const policy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5 };

  it('backs off exponentially up to a cap, honours Retry-After and gives up', () => {
    expect(nextRetry(policy, 1)).toEqual({ retry: true, delayMs: 1_000 });
    expect(nextRetry(policy, 3)).toEqual({ retry: true, delayMs: 4_000 });
    expect(nextRetry({ ...policy, maxAttempts: 20 }, 10)).toEqual({ retry: true, delayMs: 60_000 });
    expect(nextRetry(policy, 2, 30_000)).toEqual({ retry: true, delayMs: 30_000 });
    expect(nextRetry(policy, 5)).toEqual({ retry: false });
  });
});
