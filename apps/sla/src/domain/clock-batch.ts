import { SlaBreached, SlaRecovered } from '@throughline/contracts';

import { endClock, SlaClock, startClock } from './clock';
import { Observation } from './observation';

/** One SLA clock's identity. */
export interface ClockKey {
  sla: string;
  entityId: string;
}

/** An event of a batch with what it means for the clocks (see observationsOf). */
export interface ObservedEvent<S> {
  source: S;
  observations: readonly Observation[];
}

/** A clock the batch changed, in its final state; `startedBy` is the event whose start opened it. */
export interface ChangedClock<S> {
  clock: SlaClock;
  startedBy: S | null;
}

/** A breach or recovery the batch raised, with the event that caused it. */
export interface ClockSignal<S> {
  source: S;
  breached: SlaBreached | null;
  recovered: SlaRecovered | null;
}

export interface ClockBatchOutcome<S> {
  /** Sorted by clock key. */
  changed: ChangedClock<S>[];
  /** In event order. */
  signals: ClockSignal<S>[];
}

export function clockKeyOf(key: ClockKey): string {
  return `${key.sla}\u0000${key.entityId}`;
}

/** The distinct clocks a batch touches, sorted by key (the order they are locked in). */
export function clockKeysOf(events: readonly ObservedEvent<unknown>[]): ClockKey[] {
  const keys = new Map<string, ClockKey>();
  for (const { observations } of events)
    for (const observation of observations) {
      const key = { sla: observation.terms.sla, entityId: observation.entityId };
      keys.set(clockKeyOf(key), key);
    }
  return [...keys.entries()].sort(([a], [b]) => compare(a, b)).map(([, key]) => key);
}

/**
 * Applies a batch of events to the clocks they touch, one event after the other in their order,
 * each seeing the clocks as the events before it left them: the same end state, breaches and
 * recoveries as handling them one at a time (a start and its end in one batch, a repeated start or
 * end). `stored` holds the clocks as loaded (by clockKeyOf); missing ones do not exist yet.
 */
export function applyToClocks<S>(
  stored: ReadonlyMap<string, SlaClock>,
  events: readonly ObservedEvent<S>[],
): ClockBatchOutcome<S> {
  const clocks = new Map(stored);
  const changed = new Map<string, ChangedClock<S>>();
  const signals: ClockSignal<S>[] = [];
  for (const { source, observations } of events) {
    for (const observation of [...observations].sort(byClockKey)) {
      const key = clockKeyOf({ sla: observation.terms.sla, entityId: observation.entityId });
      const existing = clocks.get(key) ?? null;
      const transition =
        observation.role === 'start'
          ? startClock(existing, observation.terms, observation)
          : endClock(existing, observation.terms, observation);
      if (!transition.changed) continue;
      clocks.set(key, transition.clock);
      const startedBy = observation.role === 'start' ? source : (changed.get(key)?.startedBy ?? null);
      changed.set(key, { clock: transition.clock, startedBy });
      if (transition.breached || transition.recovered)
        signals.push({ source, breached: transition.breached, recovered: transition.recovered });
    }
  }
  return {
    changed: [...changed.entries()].sort(([a], [b]) => compare(a, b)).map(([, clock]) => clock),
    signals,
  };
}

function byClockKey(a: Observation, b: Observation): number {
  return compare(
    clockKeyOf({ sla: a.terms.sla, entityId: a.entityId }),
    clockKeyOf({ sla: b.terms.sla, entityId: b.entityId }),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
