import { Inject, Injectable } from '@nestjs/common';

import { EventRecord, EventType, SlaBreached } from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  EventOrigin,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';

import { checkClock, ClockTransition, endClock, startClock } from '../domain/clock';
import { Observation, observationsOf } from '../domain/observation';
import { lockClock, lockDueClocks, saveClock } from '../infrastructure/clock.repository';
import {
  recordActual,
  recordExceptionRaised,
  recordExceptionResolved,
} from '../infrastructure/history.repository';
import { SlaDb, SlaTx } from '../infrastructure/sla-db';
import { SLA_DB, SLA_SETTINGS, SlaSettings, SOURCE } from './tokens';

/** Due clocks handled per check (the rest wait for the next check). */
const CHECK_BATCH = 100;

/**
 * Runs the SLA clocks: start and end events open and close them (in any order), and the periodic
 * check raises one SlaBreached per clock past its threshold; a breached clock that closes raises
 * SlaRecovered.
 */
@Injectable()
export class SlaMonitorService {
  constructor(
    @Inject(SLA_DB) private readonly db: SlaDb,
    @Inject(SLA_SETTINGS) private readonly settings: SlaSettings,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** A consumed event: starts and/or ends the clocks of every SLA it matches, once per event. */
  async observe(event: ConsumedEvent): Promise<void> {
    const observations = observationsOf(this.settings.slas, {
      eventType: event.envelope.eventType,
      eventId: event.envelope.eventId,
      occurredAt: event.envelope.occurredAt,
      payload: event.data as unknown as Record<string, unknown>,
    });
    const history = isHistoryEvent(event);
    if (observations.length === 0 && !history) return;
    let breaches: SlaBreached[] = [];
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      breaches = [];
      const records: EventRecord[] = [];
      if (history) await recordHistory(tx, event);
      // Clocks locked in one order, so two events opening overlapping sets cannot deadlock.
      for (const observation of [...observations].sort(byClockKey)) {
        const stored = await lockClock(tx, observation.terms.sla, observation.entityId);
        const transition =
          observation.role === 'start'
            ? startClock(stored?.clock ?? null, observation.terms, observation)
            : endClock(stored?.clock ?? null, observation.terms, observation);
        if (!transition.changed) continue;
        const origin =
          observation.role === 'start'
            ? { correlationId: event.envelope.correlationId, startEventId: event.envelope.eventId }
            : null;
        await saveClock(tx, transition.clock, origin);
        records.push(...eventsOf(transition, causedBy(event, SOURCE)));
        if (transition.breached) breaches.push(transition.breached);
      }
      return records;
    });
    this.countBreaches(breaches);
  }

  /** Raises SlaBreached for every running clock past its threshold; returns how many. */
  async checkThresholds(now = Date.now()): Promise<number> {
    const enabled = this.settings.slas.filter((sla) => sla.enabled).map((sla) => sla.name);
    let breaches: SlaBreached[] = [];
    await commit(this.db, async (tx) => {
      breaches = [];
      const records: EventRecord[] = [];
      for (const { clock, origin } of await lockDueClocks(tx, enabled, now, CHECK_BATCH)) {
        const transition = checkClock(clock, now);
        if (!transition.changed) continue;
        await saveClock(tx, transition.clock, null);
        records.push(
          ...eventsOf(transition, {
            source: SOURCE,
            correlationId: origin?.correlationId,
            causationId: origin?.startEventId ?? null,
          }),
        );
        if (transition.breached) breaches.push(transition.breached);
      }
      return records;
    });
    this.countBreaches(breaches);
    return breaches.length;
  }

  /** Counted only after the transaction committed, so a rolled-back breach is not counted. */
  private countBreaches(breaches: readonly SlaBreached[]): void {
    for (const breach of breaches)
      this.runtime.metrics.slaBreaches.inc({ sla: breach.sla, owner: breach.ownerRole });
  }
}

/** Events kept for the ROI figures (billing leakage, business exceptions), whatever the SLAs. */
export const HISTORY_EVENT_TYPES = [
  'ActualChanged',
  'BusinessExceptionRaised',
  'BusinessExceptionResolved',
] as const satisfies readonly EventType[];

type HistoryEvent = ConsumedEvent<(typeof HISTORY_EVENT_TYPES)[number]>;

function isHistoryEvent(event: ConsumedEvent): event is HistoryEvent {
  return (HISTORY_EVENT_TYPES as readonly string[]).includes(event.envelope.eventType);
}

async function recordHistory(tx: SlaTx, event: HistoryEvent): Promise<void> {
  const at = event.envelope.occurredAt;
  switch (event.envelope.eventType) {
    case 'ActualChanged': {
      return recordActual(tx, (event as ConsumedEvent<'ActualChanged'>).data);
    }
    case 'BusinessExceptionRaised': {
      const raised = (event as ConsumedEvent<'BusinessExceptionRaised'>).data;
      return recordExceptionRaised(tx, raised.exceptionId, raised.ownerRole, at);
    }
    case 'BusinessExceptionResolved':
      return recordExceptionResolved(
        tx,
        (event as ConsumedEvent<'BusinessExceptionResolved'>).data.exceptionId,
        at,
      );
  }
}

function byClockKey(a: Observation, b: Observation): number {
  const left = `${a.terms.sla}\u0000${a.entityId}`;
  const right = `${b.terms.sla}\u0000${b.entityId}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

function eventsOf(transition: ClockTransition, origin: EventOrigin): EventRecord[] {
  const records: EventRecord[] = [];
  if (transition.breached) records.push(createEvent('SlaBreached', transition.breached, origin));
  if (transition.recovered) records.push(createEvent('SlaRecovered', transition.recovered, origin));
  return records;
}
