import { EVENTS, EVENT_TYPES } from '../generated/catalog';
import type { EventPayloads, EventType } from '../generated/payloads';

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

/** Separates an entity key from its version in the message key of a `keyVersion` topic: `R-NL-1@2026-10-16`. */
export const KEY_VERSION_SEPARATOR = '@';

/**
 * The Kafka message key (and `envelope.key`) of an event: its topic's key field, followed for a `keyVersion`
 * topic by `@` and the version field. Undefined when a field it needs is missing or empty.
 */
export function messageKeyOf<T extends EventType>(eventType: T, data: EventPayloads[T]): string | undefined {
  const { key, keyVersion } = eventDefinition(eventType).topic;
  const fields = data as unknown as Record<string, unknown>;
  const entity = fields[key];
  if (typeof entity !== 'string' || entity.length === 0) return undefined;
  if (keyVersion === undefined) return entity;
  const version = fields[keyVersion];
  if (typeof version !== 'string' || version.length === 0) return undefined;
  return `${entity}${KEY_VERSION_SEPARATOR}${version}`;
}

/**
 * What a message is partitioned by: the entity key alone (for a `keyVersion` topic, the message key without its
 * version), so every version of one entity lands on the same partition, in order.
 */
export function partitionKeyOf<T extends EventType>(
  eventType: T,
  data: EventPayloads[T],
): string | undefined {
  const entity = (data as unknown as Record<string, unknown>)[eventDefinition(eventType).topic.key];
  return typeof entity === 'string' && entity.length > 0 ? entity : undefined;
}
