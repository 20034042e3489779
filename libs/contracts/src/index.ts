export * from './generated/payloads';
export { CONSUMER_TOPICS, EVENTS, EVENT_TYPES, TOPICS, type TopicId } from './generated/catalog';
export { ENVELOPE_SCHEMA } from './generated/schemas';
export {
  eventDefinition,
  eventTypeForTopic,
  isEventType,
  KEY_VERSION_SEPARATOR,
  messageKeyOf,
  partitionKeyOf,
  registeredSchema,
} from './lib/events';
export type {
  ConsumerTopicDefinition,
  EventDefinition,
  EventEnvelope,
  EventRecord,
  TopicDefinition,
} from './lib/types';
