import fc from 'fast-check';

import {
  addDays,
  daysBetween,
  daysInMonth,
  daysOfPeriod,
  epochDay,
  isIsoDate,
  isoDateOfEpochDay,
  isPeriod,
  isWeekend,
  isWorkingDay,
  monthsCovering,
  nextPeriod,
  periodBounds,
  periodEndedBefore,
  periodOf,
  utcDateOf,
  weekdayOf,
  workingDaysOfPeriod,
} from './calendar';

describe('days', () => {
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
          const start = utcDateOf(date.getTime());
          expect(addDays(addDays(start, days), -days)).toBe(start);
          expect(isIsoDate(addDays(start, days))).toBe(true);
        },
      ),
    );
  });

  it('takes the UTC date of an instant', () => {
    expect(utcDateOf(Date.UTC(2026, 11, 31, 23, 59, 59))).toBe('2026-12-31');
    expect(utcDateOf(Date.UTC(2027, 0, 1, 0, 0, 0))).toBe('2027-01-01');
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

describe('days of the week and periods', () => {
  it('knows weekdays and weekends across years', () => {
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('1969-12-28')).toBe(0);
    expect(weekdayOf('2026-11-28')).toBe(6);
    expect(isWeekend('2026-11-29')).toBe(true);
    expect(isWeekend('2026-11-30')).toBe(false);
    expect(weekdayOf('2028-02-29')).toBe(2);
  });

  it('counts days between dates and maps epoch days both ways', () => {
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2027-03-01', '2027-02-01')).toBe(-28);
    expect(epochDay('1970-01-02')).toBe(1);
    expect(isoDateOfEpochDay(epochDay('2028-02-29'))).toBe('2028-02-29');
  });

  it('bounds, follows and lists the days of calendar-month periods', () => {
    expect(periodBounds('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29' });
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(periodOf('2026-11-28')).toBe('2026-11');
    expect(daysOfPeriod('2027-02')).toHaveLength(28);
    expect(daysOfPeriod('2026-11')[29]).toBe('2026-11-30');
    expect(isPeriod('2026-13')).toBe(false);
    expect(() => periodBounds('2026-1')).toThrow(/Not a period/);
    expect(() => periodOf('2026-02-30')).toThrow(/Not an ISO date/);
  });

  it('says whether a period has ended before a date', () => {
    expect(periodEndedBefore('2026-10', '2026-11-01')).toBe(true);
    expect(periodEndedBefore('2026-10', '2026-10-31')).toBe(false);
    expect(periodEndedBefore('2024-02', '2024-02-29')).toBe(false);
    expect(periodEndedBefore('2024-02', '2024-03-01')).toBe(true);
  });
});

describe('months', () => {
  it('knows month ends, leap years included', () => {
    expect(daysInMonth(2027, 1)).toBe(31);
    expect(daysInMonth(2027, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28); // divisible by 100, not by 400
    expect(daysInMonth(2000, 2)).toBe(29); // divisible by 400
    expect(daysInMonth(2027, 4)).toBe(30);
    expect(daysInMonth(2027, 12)).toBe(31);
  });

  it('lists the calendar months a date range touches, across year ends', () => {
    expect(monthsCovering('2027-11-15', '2028-03-01')).toEqual([
      { month: '2027-11', lastDay: '2027-11-30' },
      { month: '2027-12', lastDay: '2027-12-31' },
      { month: '2028-01', lastDay: '2028-01-31' },
      { month: '2028-02', lastDay: '2028-02-29' },
      { month: '2028-03', lastDay: '2028-03-31' },
    ]);
    expect(monthsCovering('2027-02-10', '2027-02-10')).toEqual([{ month: '2027-02', lastDay: '2027-02-28' }]);
  });

  it('always covers the range with consecutive months whose last days are real dates', () => {
    const isoDate = fc
      .date({ min: new Date('1990-01-01'), max: new Date('2199-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    fc.assert(
      fc.property(isoDate, isoDate, (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        const months = monthsCovering(start, end);
        const span =
          (Number(end.slice(0, 4)) - Number(start.slice(0, 4))) * 12 +
          (Number(end.slice(5, 7)) - Number(start.slice(5, 7))) +
          1;
        expect(months).toHaveLength(span);
        expect(months[0].month).toBe(start.slice(0, 7));
        expect(months[months.length - 1].month).toBe(end.slice(0, 7));
        const monthEnds = months.every(
          ({ month, lastDay }) =>
            isIsoDate(lastDay) &&
            lastDay.startsWith(month) &&
            new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000).getUTCDate() === 1,
        );
        expect(monthEnds).toBe(true);
      }),
    );
  });

  it('rejects reversed ranges and malformed dates', () => {
    expect(() => monthsCovering('2027-03-01', '2027-02-28')).toThrow(/before startDate/);
    expect(() => monthsCovering('2027-02-30', '2027-03-31')).toThrow(/Not an ISO date/);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
  });
});

describe('working days', () => {
  it('counts Monday–Friday days per month, across month lengths and leap years', () => {
    const count = (period: string) => workingDaysOfPeriod(period).length;
    expect(count('2024-02')).toBe(21); // leap year: 29 days, Thu 1st to Thu 29th
    expect(count('2023-02')).toBe(20); // 28 days: exactly four weeks
    expect(count('2100-02')).toBe(20); // century, not a leap year
    expect(count('2026-10')).toBe(22); // 31 days starting on a Thursday
    expect(count('2026-11')).toBe(21); // 30 days starting on a Sunday
  });

  it('leaves out holidays on weekdays; weekend and other months’ holidays change nothing', () => {
    const christmas = ['2026-12-25', '2026-12-26', '2026-12-25', '2027-01-01'];
    expect(workingDaysOfPeriod('2026-12')).toHaveLength(23);
    expect(workingDaysOfPeriod('2026-12', christmas)).toHaveLength(22); // the 26th is a Saturday
    expect(workingDaysOfPeriod('2026-12', christmas)).not.toContain('2026-12-25');
    expect(isWorkingDay('2026-12-25', new Set(christmas))).toBe(false);
    expect(isWorkingDay('2026-12-24', new Set(christmas))).toBe(true);
    expect(isWorkingDay('2026-12-27')).toBe(false); // Sunday
  });
});
