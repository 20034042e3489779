import { contractStartDate } from './calendar';

describe('contractStartDate', () => {
  it('starts on the close date when that is a business day', () => {
    expect(contractStartDate('2026-03-02')).toBe('2026-03-02'); // Monday
    expect(contractStartDate('2026-03-06')).toBe('2026-03-06'); // Friday
  });

  it('moves a weekend close date to the following Monday', () => {
    expect(contractStartDate('2026-03-07')).toBe('2026-03-09'); // Saturday
    expect(contractStartDate('2026-03-08')).toBe('2026-03-09'); // Sunday
  });

  it('crosses month and year ends, leap days included', () => {
    expect(contractStartDate('2026-10-31')).toBe('2026-11-02'); // Saturday
    expect(contractStartDate('2028-01-01')).toBe('2028-01-03'); // Saturday
    expect(contractStartDate('2028-02-29')).toBe('2028-02-29'); // Tuesday, leap day
  });

  it('rejects something that is not a calendar date', () => {
    expect(() => contractStartDate('2026-02-30')).toThrow(RangeError);
    expect(() => contractStartDate('31.03.2026')).toThrow(/Not an ISO date/);
  });
});
