export * from './generated/payloads';
export { EVENTS, EVENT_TYPES, TOPICS, type TopicId } from './generated/catalog';
export { ENVELOPE_SCHEMA } from './generated/schemas';
export { eventDefinition, eventTypeForTopic, isEventType, registeredSchema } from './lib/events';
export type { EventDefinition, EventEnvelope, EventRecord, TopicDefinition } from './lib/types';
