import { checkClock, ClockTerms, dueAt, endClock, SlaClock, startClock } from './clock';

const terms: ClockTerms = {
  sla: 'PROJECT_SETUP',
  ownerRole: 'DELIVERY',
  entityType: 'deal',
  thresholdMs: 1_000,
};
const T0 = 1_700_000_000_000;
const start = { entityId: 'D-1', dealId: 'D-1', at: T0, moneyAtRiskMinor: 250_000, currency: 'EUR' };
const end = { entityId: 'D-1', dealId: 'D-1', at: T0 + 400 };

/** A fake clock: the check is a pure function of `now`, so time is just a number here. */
function opened(): SlaClock {
  return startClock(null, terms, start).clock;
}

describe('SLA clock', () => {
  it('opens on the start event with a deterministic breach id and the money at risk', () => {
    const transition = startClock(null, terms, start);
    expect(transition.changed).toBe(true);
    expect(transition.clock).toEqual({
      ...terms,
      entityId: 'D-1',
      breachId: 'PROJECT_SETUP:D-1',
      dealId: 'D-1',
      status: 'RUNNING',
      startedAt: T0,
      endedAt: null,
      breachedAt: null,
      moneyAtRiskMinor: 250_000,
      currency: 'EUR',
    });
    expect(dueAt(transition.clock)).toBe(T0 + 1_000);
  });

  it('ignores a repeated start: the first start keeps counting', () => {
    const again = startClock(opened(), terms, { ...start, at: T0 + 500 });
    expect(again.changed).toBe(false);
    expect(again.clock.startedAt).toBe(T0);
  });

  it('closes in time as MET without any event', () => {
    const closed = endClock(opened(), terms, end);
    expect(closed).toMatchObject({ changed: true, breached: null, recovered: null });
    expect(closed.clock).toMatchObject({ status: 'MET', endedAt: T0 + 400 });
    expect(endClock(closed.clock, terms, { ...end, at: T0 + 9_000 }).changed).toBe(false);
  });

  describe('threshold detection with a fake clock', () => {
    it('does not breach at or before the threshold', () => {
      expect(checkClock(opened(), T0 + 999).changed).toBe(false);
      expect(checkClock(opened(), T0 + 1_000).changed).toBe(false);
    });

    it('breaches once past the threshold with owner, age and money at risk', () => {
      const check = checkClock(opened(), T0 + 1_250);
      expect(check.clock).toMatchObject({ status: 'BREACHED', breachedAt: T0 + 1_250 });
      expect(check.breached).toEqual({
        breachId: 'PROJECT_SETUP:D-1',
        sla: 'PROJECT_SETUP',
        ownerRole: 'DELIVERY',
        entityType: 'deal',
        entityId: 'D-1',
        dealId: 'D-1',
        startedAt: T0,
        thresholdMs: 1_000,
        ageMs: 1_250,
        moneyAtRiskMinor: 250_000,
        currency: 'EUR',
      });
      expect(checkClock(check.clock, T0 + 5_000)).toMatchObject({ changed: false, breached: null });
      expect(dueAt(check.clock)).toBeNull();
    });

    it('recovers a breached clock when it closes, with the total time', () => {
      const breached = checkClock(opened(), T0 + 1_250).clock;
      const closed = endClock(breached, terms, { ...end, at: T0 + 3_000 });
      expect(closed.breached).toBeNull();
      expect(closed.recovered).toEqual({
        breachId: 'PROJECT_SETUP:D-1',
        sla: 'PROJECT_SETUP',
        entityType: 'deal',
        entityId: 'D-1',
        dealId: 'D-1',
        recoveredAt: T0 + 3_000,
        totalMs: 3_000,
      });
      expect(closed.clock).toMatchObject({
        status: 'RECOVERED',
        breachedAt: T0 + 1_250,
        endedAt: T0 + 3_000,
      });
    });
  });

  it('raises and recovers at once a clock that closes late before the check flagged it', () => {
    const closed = endClock(opened(), terms, { ...end, at: T0 + 1_800 });
    expect(closed.breached).toMatchObject({ ageMs: 1_800, breachId: 'PROJECT_SETUP:D-1' });
    expect(closed.recovered).toMatchObject({ totalMs: 1_800 });
    expect(closed.clock).toMatchObject({ status: 'RECOVERED', breachedAt: T0 + 1_800 });
  });

  describe('end before start', () => {
    it('remembers the end and closes the clock when the start arrives', () => {
      const early = endClock(null, terms, { ...end, dealId: null });
      expect(early.clock).toMatchObject({ status: 'AWAITING_START', endedAt: T0 + 400, startedAt: null });
      expect(checkClock(early.clock, T0 + 99_999).changed).toBe(false);
      const started = startClock(early.clock, terms, start);
      expect(started).toMatchObject({ changed: true, breached: null, recovered: null });
      expect(started.clock).toMatchObject({ status: 'MET', startedAt: T0, endedAt: T0 + 400, dealId: 'D-1' });
    });

    it('still reports a late step as breached and recovered', () => {
      const early = endClock(null, terms, { ...end, at: T0 + 5_000 });
      const started = startClock(early.clock, terms, start);
      expect(started.breached).toMatchObject({ ageMs: 5_000, moneyAtRiskMinor: 250_000 });
      expect(started.recovered).toMatchObject({ totalMs: 5_000 });
    });

    it('counts an end stamped before its start as zero time', () => {
      const early = endClock(null, terms, { ...end, at: T0 - 50 });
      expect(startClock(early.clock, terms, start).clock).toMatchObject({ status: 'MET', endedAt: T0 - 50 });
    });
  });

  describe('allowance fixed at the start and money known at the end', () => {
    it('takes the allowance of the start even when the end came first', () => {
      // A Friday close due on Monday: the start decides the allowance (72 h), not the end's nominal 24 h.
      const early = endClock(
        null,
        { ...terms, thresholdMs: 86_400_000 },
        { ...end, at: T0 + 60 * 3_600_000 },
      );
      const started = startClock(early.clock, { ...terms, thresholdMs: 72 * 3_600_000 }, start);
      expect(started).toMatchObject({ breached: null, recovered: null });
      expect(started.clock).toMatchObject({ status: 'MET', thresholdMs: 72 * 3_600_000 });
    });

    it('records the end event money on a clock that started without any', () => {
      const unknown = { ...start, moneyAtRiskMinor: null, currency: null };
      const breached = checkClock(startClock(null, terms, unknown).clock, T0 + 1_500);
      expect(breached.breached).toMatchObject({ moneyAtRiskMinor: null, currency: null });
      const closed = endClock(breached.clock, terms, {
        ...end,
        at: T0 + 2_000,
        moneyAtRiskMinor: 112_500,
        currency: 'EUR',
      });
      expect(closed.recovered).toMatchObject({ totalMs: 2_000 });
      expect(closed.clock).toMatchObject({ status: 'RECOVERED', moneyAtRiskMinor: 112_500, currency: 'EUR' });
    });

    it('raises a late close with the end money, and keeps a start amount over an end one', () => {
      const unknown = { ...start, moneyAtRiskMinor: null, currency: null };
      const late = endClock(startClock(null, terms, unknown).clock, terms, {
        ...end,
        at: T0 + 1_200,
        moneyAtRiskMinor: 40_000,
        currency: 'USD',
      });
      expect(late.breached).toMatchObject({ ageMs: 1_200, moneyAtRiskMinor: 40_000, currency: 'USD' });
      const known = endClock(opened(), terms, { ...end, moneyAtRiskMinor: 1, currency: 'USD' });
      expect(known.clock).toMatchObject({ moneyAtRiskMinor: 250_000, currency: 'EUR' });
    });

    it('keeps the money of an early end when its start has none', () => {
      const early = endClock(null, terms, {
        ...end,
        at: T0 + 5_000,
        moneyAtRiskMinor: 9_900,
        currency: 'GBP',
      });
      const started = startClock(early.clock, terms, { ...start, moneyAtRiskMinor: null, currency: null });
      expect(started.breached).toMatchObject({ moneyAtRiskMinor: 9_900, currency: 'GBP' });
    });
  });
});
