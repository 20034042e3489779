import { randomUUID } from 'node:crypto';

import { eventDefinition, EventPayloads, EventRecord, EventType, messageKeyOf } from '@throughline/contracts';
import { currentLogContext } from '@throughline/platform';

export interface EventOrigin {
  /** The service producing the event. */
  source: string;
  /**
   * Shared by every event of one business flow. Without one, the event joins the flow of the request
   * or event being handled (its log context, e.g. the caller's `x-correlation-id`), else starts one.
   */
  correlationId?: string;
  /** The eventId of the event that caused this one, if any. */
  causationId?: string | null;
}

/** Builds a complete event record: envelope fields filled, key from the catalog's key fields (`messageKeyOf`). */
export function createEvent<T extends EventType>(
  eventType: T,
  data: EventPayloads[T],
  origin: EventOrigin,
  now: () => number = Date.now,
): EventRecord<T> {
  const definition = eventDefinition(eventType);
  const key = messageKeyOf(eventType, data);
  if (key === undefined) {
    const fields = [definition.topic.key, definition.topic.keyVersion].filter(Boolean).join('" and "');
    throw new Error(`${eventType} needs a non-empty "${fields}" to use as its key`);
  }
  const eventId = randomUUID();
  return {
    envelope: {
      eventId,
      eventType,
      schemaVersion: definition.latestVersion,
      occurredAt: now(),
      correlationId: origin.correlationId ?? currentLogContext().correlationId ?? eventId,
      causationId: origin.causationId ?? null,
      source: origin.source,
      key,
    },
    data,
  };
}

/** The origin for an event caused by `cause`: same correlation id, causation = the cause's id. */
export function causedBy(cause: EventRecord, source: string): EventOrigin {
  return { source, correlationId: cause.envelope.correlationId, causationId: cause.envelope.eventId };
}
