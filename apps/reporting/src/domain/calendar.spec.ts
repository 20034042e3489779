import {
  daysBetween,
  isIsoDate,
  isPeriod,
  periodBounds,
  periodEndedBefore,
  weekdaysInPeriod,
} from './calendar';

describe('calendar', () => {
  it('counts Monday–Friday days per month, across month lengths and leap years', () => {
    expect(weekdaysInPeriod('2024-02')).toBe(21); // leap year: 29 days, Thu 1st to Thu 29th
    expect(weekdaysInPeriod('2023-02')).toBe(20); // 28 days: exactly four weeks
    expect(weekdaysInPeriod('2100-02')).toBe(20); // century, not a leap year
    expect(weekdaysInPeriod('2026-10')).toBe(22); // 31 days starting on a Thursday
    expect(weekdaysInPeriod('2026-11')).toBe(21); // 30 days starting on a Sunday
  });

  it('bounds a period by its first and last day', () => {
    expect(periodBounds('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(periodBounds('2000-02')).toEqual({ first: '2000-02-01', last: '2000-02-29' });
    expect(periodBounds('2100-02').last).toBe('2100-02-28');
    expect(periodBounds('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
  });

  it('says whether a period has ended before a date', () => {
    expect(periodEndedBefore('2026-10', '2026-11-01')).toBe(true);
    expect(periodEndedBefore('2026-10', '2026-10-31')).toBe(false);
    expect(periodEndedBefore('2024-02', '2024-02-29')).toBe(false);
    expect(periodEndedBefore('2024-02', '2024-03-01')).toBe(true);
  });

  it('validates periods and dates strictly', () => {
    expect(isPeriod('2026-11')).toBe(true);
    expect(['2026-13', '2026-1', '26-11', '2026-00'].map(isPeriod)).toEqual([false, false, false, false]);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(['2026-02-29', '2026-04-31', '2026-1-01', 'yesterday'].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(RangeError);
  });

  it('counts days between dates across a leap day', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
    expect(daysBetween('2026-11-30', '2026-11-01')).toBe(-29);
  });
});
