import { EVENTS, EVENT_TYPES } from '../generated/catalog';
import type { EventType } from '../generated/payloads';

import type { EventDefinition } from './types';

const EVENT_TYPE_BY_TOPIC: ReadonlyMap<string, EventType> = new Map(
  EVENT_TYPES.map((eventType) => [EVENTS[eventType].topic.name, eventType]),
);

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENTS, value);
}

export function eventDefinition<T extends EventType>(eventType: T): EventDefinition<T> {
  if (!isEventType(eventType)) {
    throw new Error(`Unknown event type '${String(eventType)}'; known: ${EVENT_TYPES.join(', ')}`);
  }
  return EVENTS[eventType];
}

/** The event type carried by a topic (one event type per topic), or undefined for topics outside the catalog. */
export function eventTypeForTopic(topic: string): EventType | undefined {
  return EVENT_TYPE_BY_TOPIC.get(topic);
}

/** Registered Avro schema JSON of an event version (default: latest). */
export function registeredSchema(eventType: EventType, version?: number): object {
  const definition = eventDefinition(eventType);
  const wanted = version ?? definition.latestVersion;
  const schema = definition.versions[wanted];
  if (!schema) {
    throw new Error(`${eventType} has no schema version ${wanted}; versions 1..${definition.latestVersion}`);
  }
  return schema;
}
