import { Inject, Injectable } from '@nestjs/common';

import { EventRecord, EventType, SlaBreached } from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  EventOrigin,
  handleBatchOnce,
  MessagingRuntime,
} from '@throughline/messaging';

import { checkClock, ClockTransition } from '../domain/clock';
import { applyToClocks, clockKeysOf } from '../domain/clock-batch';
import { ActualChange, ExceptionEvent, exceptionUpdates, latestActualChanges } from '../domain/history-batch';
import { Observation, observationsOf } from '../domain/observation';
import { lockClocks, lockDueClocks, saveClocks, StoredClock } from '../infrastructure/clock.repository';
import { recordActuals, recordExceptions } from '../infrastructure/history.repository';
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

  /**
   * Consumed events (consecutive ones of a partition, in order): each starts and/or ends the clocks
   * of every SLA it matches, once per event, as if handled one at a time. One transaction for the
   * batch: the clocks it touches are locked and loaded in one go, the transitions decided in memory,
   * and every table written with one statement.
   */
  async observeBatch(events: readonly ConsumedEvent[]): Promise<void> {
    const observed = events
      .map((event) => ({ source: event, observations: this.observationsOf(event) }))
      .filter(({ source, observations }) => observations.length > 0 || isHistoryEvent(source));
    if (observed.length === 0) return;
    const observationsByEvent = new Map(observed.map(({ source, observations }) => [source, observations]));
    let breaches: SlaBreached[] = [];
    await handleBatchOnce(
      this.db,
      this.runtime.groupId,
      observed.map(({ source }) => source),
      async (tx, fresh) => {
        const batch = fresh.map((source) => ({
          source,
          observations: observationsByEvent.get(source) ?? [],
        }));
        await recordHistory(tx, fresh.filter(isHistoryEvent));
        const stored = await lockClocks(tx, clockKeysOf(batch));
        const outcome = applyToClocks(new Map([...stored].map(([key, { clock }]) => [key, clock])), batch);
        await saveClocks(
          tx,
          outcome.changed.map(({ clock, startedBy }) => ({
            clock,
            origin: startedBy
              ? { correlationId: startedBy.envelope.correlationId, startEventId: startedBy.envelope.eventId }
              : null,
          })),
        );
        breaches = outcome.signals.flatMap((signal) => (signal.breached ? [signal.breached] : []));
        return outcome.signals.flatMap((signal) => eventsOf(signal, causedBy(signal.source, SOURCE)));
      },
    );
    this.countBreaches(breaches);
  }

  /** Raises SlaBreached for every running clock past its threshold; returns how many. */
  async checkThresholds(now = Date.now()): Promise<number> {
    const enabled = this.settings.slas.filter((sla) => sla.enabled).map((sla) => sla.name);
    let breaches: SlaBreached[] = [];
    await commit(this.db, async (tx) => {
      breaches = [];
      const records: EventRecord[] = [];
      const changed: StoredClock[] = [];
      for (const { clock, origin } of await lockDueClocks(tx, enabled, now, CHECK_BATCH)) {
        const transition = checkClock(clock, now);
        if (!transition.changed) continue;
        changed.push({ clock: transition.clock, origin: null });
        records.push(
          ...eventsOf(transition, {
            source: SOURCE,
            correlationId: origin?.correlationId,
            causationId: origin?.startEventId ?? null,
          }),
        );
        if (transition.breached) breaches.push(transition.breached);
      }
      await saveClocks(tx, changed);
      return records;
    });
    this.countBreaches(breaches);
    return breaches.length;
  }

  private observationsOf(event: ConsumedEvent): Observation[] {
    return observationsOf(this.settings.slas, {
      eventType: event.envelope.eventType,
      eventId: event.envelope.eventId,
      occurredAt: event.envelope.occurredAt,
      payload: event.data as unknown as Record<string, unknown>,
    });
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

/** The batch's history events, one statement per table. */
async function recordHistory(tx: SlaTx, events: readonly HistoryEvent[]): Promise<void> {
  const actuals: ActualChange[] = [];
  const exceptions: ExceptionEvent[] = [];
  for (const event of events) {
    const at = event.envelope.occurredAt;
    switch (event.envelope.eventType) {
      case 'ActualChanged':
        actuals.push((event as ConsumedEvent<'ActualChanged'>).data);
        break;
      case 'BusinessExceptionRaised': {
        const { exceptionId, ownerRole } = (event as ConsumedEvent<'BusinessExceptionRaised'>).data;
        exceptions.push({ kind: 'raised', exceptionId, ownerRole, at });
        break;
      }
      case 'BusinessExceptionResolved': {
        const { exceptionId } = (event as ConsumedEvent<'BusinessExceptionResolved'>).data;
        exceptions.push({ kind: 'resolved', exceptionId, at });
        break;
      }
    }
  }
  await recordActuals(tx, latestActualChanges(actuals));
  await recordExceptions(tx, exceptionUpdates(exceptions));
}

function eventsOf(
  transition: Pick<ClockTransition, 'breached' | 'recovered'>,
  origin: EventOrigin,
): EventRecord[] {
  const records: EventRecord[] = [];
  if (transition.breached) records.push(createEvent('SlaBreached', transition.breached, origin));
  if (transition.recovered) records.push(createEvent('SlaRecovered', transition.recovered, origin));
  return records;
}
