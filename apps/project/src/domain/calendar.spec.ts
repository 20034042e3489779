import fc from 'fast-check';

import { addDays, isIsoDate, isoDateOf } from './calendar';

describe('calendar', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-01', 0)).toBe('2026-12-01');
    expect(addDays('2026-12-01', 30)).toBe('2026-12-31');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-12-01', 179)).toBe('2027-05-29');
  });

  it('round-trips: moving forward then back returns the same date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }),
        fc.integer({ min: -20_000, max: 20_000 }),
        (date, days) => {
          const start = isoDateOf(date.getTime());
          expect(addDays(addDays(start, days), -days)).toBe(start);
          expect(isIsoDate(addDays(start, days))).toBe(true);
        },
      ),
    );
  });

  it('takes the UTC date of an instant', () => {
    expect(isoDateOf(Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('2026-12-31');
    expect(isoDateOf(Date.UTC(2027, 0, 1, 0, 0, 0))).toBe('2027-01-01');
  });

  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(() => addDays('01/12/2026', 1)).toThrow(/Not an ISO date/);
    expect(() => addDays('2026-12-01', 1.5)).toThrow(/integer/);
  });
});
