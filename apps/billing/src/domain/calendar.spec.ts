import fc from 'fast-check';

import { daysInMonth, isIsoDate, monthsCovering } from './calendar';

describe('calendar', () => {
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
