import fc from 'fast-check';

import { SlaClock } from './clock';
import { applyToClocks, clockKeyOf, clockKeysOf, ObservedEvent } from './clock-batch';
import { Observation } from './observation';

const T0 = 1_700_000_000_000;
const THRESHOLD = 1_000;

function observation(
  role: 'start' | 'end',
  entityId: string,
  at: number,
  sla = 'TIME_TO_BILLING',
): Observation {
  return {
    terms: { sla, ownerRole: 'FINANCE_OPERATIONS', entityType: 'timeEntry', thresholdMs: THRESHOLD },
    role,
    entityId,
    dealId: null,
    at,
    moneyAtRiskMinor: role === 'end' ? 50_000 : null,
    currency: role === 'end' ? 'EUR' : null,
  };
}

const event = (id: string, ...observations: Observation[]): ObservedEvent<string> => ({
  source: id,
  observations,
});

/** The batch handled as batches of one, each seeing the clocks the one before left. */
function oneAtATime(stored: ReadonlyMap<string, SlaClock>, events: readonly ObservedEvent<string>[]) {
  const clocks = new Map(stored);
  const startedBy = new Map<string, string | null>();
  const signals: unknown[] = [];
  for (const single of events) {
    const outcome = applyToClocks(clocks, [single]);
    for (const { clock, startedBy: starter } of outcome.changed) {
      const key = clockKeyOf(clock);
      clocks.set(key, clock);
      startedBy.set(key, starter ?? startedBy.get(key) ?? null);
    }
    signals.push(...outcome.signals);
  }
  return { clocks, startedBy, signals };
}

describe('a batch of events on the SLA clocks', () => {
  it('opens and closes a clock in one batch, as MET, remembering the start event', () => {
    const outcome = applyToClocks(new Map(), [
      event('approved', observation('start', 'TE-1', T0)),
      event('priced', observation('end', 'TE-1', T0 + 400)),
    ]);
    expect(outcome.signals).toEqual([]);
    expect(outcome.changed).toEqual([
      {
        clock: expect.objectContaining({ status: 'MET', startedAt: T0, endedAt: T0 + 400 }),
        startedBy: 'approved',
      },
    ]);
  });

  it('ignores a repeated start (a redelivery or a correction) in the same batch', () => {
    const outcome = applyToClocks(new Map(), [
      event('approved', observation('start', 'TE-1', T0)),
      event('corrected', observation('start', 'TE-1', T0 + 5_000)),
    ]);
    expect(outcome.changed).toEqual([
      { clock: expect.objectContaining({ status: 'RUNNING', startedAt: T0 }), startedBy: 'approved' },
    ]);
  });

  it('raises the breach and recovery of a late close with the event that closed it', () => {
    const outcome = applyToClocks(new Map(), [
      event('priced', observation('end', 'TE-1', T0 + 2_500)),
      event('approved', observation('start', 'TE-1', T0)),
    ]);
    expect(outcome.signals).toEqual([
      {
        source: 'approved',
        breached: expect.objectContaining({ breachId: 'TIME_TO_BILLING:TE-1', ageMs: 2_500 }),
        recovered: expect.objectContaining({ breachId: 'TIME_TO_BILLING:TE-1', totalMs: 2_500 }),
      },
    ]);
    expect(outcome.changed[0]?.clock).toMatchObject({
      status: 'RECOVERED',
      moneyAtRiskMinor: 50_000,
      currency: 'EUR',
    });
  });

  it('lists each clock once, sorted, and leaves untouched clocks out', () => {
    const stored = applyToClocks(new Map(), [event('a', observation('start', 'TE-9', T0))]).changed[0];
    if (!stored) throw new Error('expected a clock');
    const events = [
      event('b', observation('start', 'TE-2', T0)),
      event('c', observation('start', 'TE-1', T0), observation('start', 'D-1', T0, 'PROJECT_SETUP')),
      event('d', observation('start', 'TE-9', T0 + 10)),
    ];
    expect(clockKeysOf(events)).toEqual([
      { sla: 'PROJECT_SETUP', entityId: 'D-1' },
      { sla: 'TIME_TO_BILLING', entityId: 'TE-1' },
      { sla: 'TIME_TO_BILLING', entityId: 'TE-2' },
      { sla: 'TIME_TO_BILLING', entityId: 'TE-9' },
    ]);
    const outcome = applyToClocks(new Map([[clockKeyOf(stored.clock), stored.clock]]), events);
    expect(outcome.changed.map(({ clock }) => clockKeyOf(clock))).toEqual([
      'PROJECT_SETUP\u0000D-1',
      'TIME_TO_BILLING\u0000TE-1',
      'TIME_TO_BILLING\u0000TE-2',
    ]);
  });

  it('ends in the same clocks, breaches and recoveries as handling the events one at a time', () => {
    const anObservation = fc
      .record({
        role: fc.constantFrom('start' as const, 'end' as const),
        entity: fc.constantFrom('TE-1', 'TE-2', 'TE-3'),
        at: fc.integer({ min: 0, max: 3 * THRESHOLD }),
      })
      .map(({ role, entity, at }) => observation(role, entity, T0 + at));
    const storedClocks = fc.array(anObservation, { maxLength: 4 }).map(
      (observations) =>
        oneAtATime(
          new Map(),
          observations.map((o, i) => event(`s${i}`, o)),
        ).clocks,
    );
    fc.assert(
      fc.property(storedClocks, fc.array(anObservation, { maxLength: 12 }), (stored, observations) => {
        const events = observations.map((o, i) => event(`e${i}`, o));
        const batch = applyToClocks(stored, events);
        const single = oneAtATime(stored, events);
        expect(batch.signals).toEqual(single.signals);
        expect(new Map(batch.changed.map(({ clock }) => [clockKeyOf(clock), clock]))).toEqual(
          new Map(
            [...single.clocks].filter(([key]) => batch.changed.some((c) => clockKeyOf(c.clock) === key)),
          ),
        );
        for (const [key, clock] of single.clocks)
          if (stored.get(key) !== clock)
            expect(batch.changed.find((c) => clockKeyOf(c.clock) === key)).toEqual({
              clock,
              startedBy: single.startedBy.get(key) ?? null,
            });
      }),
    );
  });
});
