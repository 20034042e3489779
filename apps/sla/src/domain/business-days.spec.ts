import { businessDayDeadline, isTimeZone, periodEnd } from './business-days';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('businessDayDeadline', () => {
  it('is the next day at the same time for a Monday to Thursday close', () => {
    // 2026-11-23 is a Monday, 2026-11-26 a Thursday.
    expect(iso(businessDayDeadline(at('2026-11-23T16:30:00.000Z'), 1))).toBe('2026-11-24T16:30:00.000Z');
    expect(iso(businessDayDeadline(at('2026-11-26T09:15:42.123Z'), 1))).toBe('2026-11-27T09:15:42.123Z');
  });

  it('is the Monday for a Friday close (three days)', () => {
    const friday = at('2026-11-27T17:45:00.000Z');
    expect(iso(businessDayDeadline(friday, 1))).toBe('2026-11-30T17:45:00.000Z');
    expect(businessDayDeadline(friday, 1) - friday).toBe(3 * 86_400_000);
  });

  it('is the Monday for a Saturday or Sunday close', () => {
    expect(iso(businessDayDeadline(at('2026-11-28T08:00:00.000Z'), 1))).toBe('2026-11-30T08:00:00.000Z');
    expect(iso(businessDayDeadline(at('2026-11-29T23:59:59.999Z'), 1))).toBe('2026-11-30T23:59:59.999Z');
  });

  it('counts only Monday to Friday for several days', () => {
    // Thursday + 2 business days = Monday; Friday + 5 = next Friday.
    expect(iso(businessDayDeadline(at('2026-11-26T12:00:00.000Z'), 2))).toBe('2026-11-30T12:00:00.000Z');
    expect(iso(businessDayDeadline(at('2026-11-27T12:00:00.000Z'), 5))).toBe('2026-12-04T12:00:00.000Z');
  });

  it("takes weekdays and the time of day in the firm's time zone", () => {
    // Friday 20:00 in New York is Saturday 01:00 UTC: due Monday 20:00 New York time, not Sunday.
    const fridayEvening = at('2026-11-28T01:00:00.000Z');
    expect(iso(businessDayDeadline(fridayEvening, 1))).toBe('2026-11-30T01:00:00.000Z');
    expect(iso(businessDayDeadline(fridayEvening, 1, 'America/New_York'))).toBe('2026-12-01T01:00:00.000Z');
    // Monday 00:30 in Berlin is Sunday 23:30 UTC: due Tuesday 00:30 Berlin time.
    expect(iso(businessDayDeadline(at('2026-11-29T23:30:00.000Z'), 1, 'Europe/Berlin'))).toBe(
      '2026-11-30T23:30:00.000Z',
    );
  });

  it('keeps the local time of day across a daylight-saving change', () => {
    // Friday 2026-10-23 09:00 CEST (07:00 UTC) → Monday 2026-10-26 09:00 CET (08:00 UTC).
    expect(iso(businessDayDeadline(at('2026-10-23T07:00:00.000Z'), 1, 'Europe/Berlin'))).toBe(
      '2026-10-26T08:00:00.000Z',
    );
  });

  describe('with public holidays', () => {
    it('skips a holiday after a Thursday close: Christmas Eve is due the Monday after Christmas', () => {
      // Thursday 2026-12-24 16:00; Friday 25 December is a holiday, then the weekend.
      const christmasEve = at('2026-12-24T16:00:00.000Z');
      expect(iso(businessDayDeadline(christmasEve, 1))).toBe('2026-12-25T16:00:00.000Z');
      expect(iso(businessDayDeadline(christmasEve, 1, 'UTC', ['2026-12-25']))).toBe(
        '2026-12-28T16:00:00.000Z',
      );
      expect(businessDayDeadline(christmasEve, 1, 'UTC', ['2026-12-25']) - christmasEve).toBe(4 * 86_400_000);
    });

    it('skips a holiday on the Monday after a Friday close', () => {
      // Friday 2026-11-27 17:45 with Monday 30 November a holiday: due Tuesday 1 December.
      expect(iso(businessDayDeadline(at('2026-11-27T17:45:00.000Z'), 1, 'UTC', ['2026-11-30']))).toBe(
        '2026-12-01T17:45:00.000Z',
      );
      // A holiday that is not in the way changes nothing.
      expect(iso(businessDayDeadline(at('2026-11-27T17:45:00.000Z'), 1, 'UTC', ['2026-12-01']))).toBe(
        '2026-11-30T17:45:00.000Z',
      );
    });

    it('skips consecutive holidays around a weekend', () => {
      // Easter 2026: Good Friday 3 April and Easter Monday 6 April. A Thursday close is due Tuesday.
      const easter = ['2026-04-03', '2026-04-06'];
      expect(iso(businessDayDeadline(at('2026-04-02T09:00:00.000Z'), 1, 'UTC', easter))).toBe(
        '2026-04-07T09:00:00.000Z',
      );
      // Two business days from Wednesday 1 April: Thursday, then Tuesday.
      expect(iso(businessDayDeadline(at('2026-04-01T09:00:00.000Z'), 2, 'UTC', easter))).toBe(
        '2026-04-07T09:00:00.000Z',
      );
      // Christmas and a substitute day on Monday 28: Thursday 24 December is due Tuesday 29.
      expect(
        iso(businessDayDeadline(at('2026-12-24T16:00:00.000Z'), 1, 'UTC', ['2026-12-25', '2026-12-28'])),
      ).toBe('2026-12-29T16:00:00.000Z');
    });

    it('does not count a close on a holiday as a business day, nor skip it as the start', () => {
      // Closed on Christmas Day (Friday): still one business day later = Monday 28.
      expect(iso(businessDayDeadline(at('2026-12-25T10:00:00.000Z'), 1, 'UTC', ['2026-12-25']))).toBe(
        '2026-12-28T10:00:00.000Z',
      );
    });

    it('matches holidays against the local date in the time zone, not the UTC date', () => {
      // Wednesday 23 December 20:00 in New York is Thursday 24 December 01:00 UTC. With 24 December a
      // holiday there, the invoice is due Friday 25 December 20:00 New York time.
      const newYorkEvening = at('2026-12-24T01:00:00.000Z');
      expect(iso(businessDayDeadline(newYorkEvening, 1, 'America/New_York', ['2026-12-24']))).toBe(
        '2026-12-26T01:00:00.000Z',
      );
      // Counted in UTC the same instant is a Thursday close, due Friday 25 December.
      expect(iso(businessDayDeadline(newYorkEvening, 1, 'UTC', ['2026-12-24']))).toBe(
        '2026-12-25T01:00:00.000Z',
      );
      // Thursday 24 December 00:30 in Berlin is Wednesday 23:30 UTC: with 25 December a holiday it is
      // due Monday 28 December 00:30 Berlin time (Sunday 23:30 UTC), not Thursday.
      expect(
        iso(businessDayDeadline(at('2026-12-23T23:30:00.000Z'), 1, 'Europe/Berlin', ['2026-12-25'])),
      ).toBe('2026-12-27T23:30:00.000Z');
    });
  });

  it('rejects a non-positive or fractional number of days', () => {
    expect(() => businessDayDeadline(0, 0)).toThrow(RangeError);
    expect(() => businessDayDeadline(0, 1.5)).toThrow(RangeError);
  });
});

describe('periodEnd', () => {
  it('is the first instant of the next month, across a year end', () => {
    expect(iso(periodEnd('2026-10') ?? 0)).toBe('2026-11-01T00:00:00.000Z');
    expect(iso(periodEnd('2026-12') ?? 0)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('is local midnight in a time zone', () => {
    expect(iso(periodEnd('2026-10', 'Europe/Berlin') ?? 0)).toBe('2026-10-31T23:00:00.000Z');
    expect(iso(periodEnd('2026-06', 'America/New_York') ?? 0)).toBe('2026-07-01T04:00:00.000Z');
  });

  it('is null for something that is not a YYYY-MM period', () => {
    expect(periodEnd('2026-13')).toBeNull();
    expect(periodEnd('2026-1')).toBeNull();
    expect(periodEnd('')).toBeNull();
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
