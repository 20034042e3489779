import type { EventPayloads, EventType } from '../generated/payloads';

/** Metadata of every event (Avro record `dev.throughline.Envelope`); traceparent travels in Kafka headers. */
export interface EventEnvelope {
  /** UUID; consumers deduplicate on it. */
  eventId: string;
  eventType: EventType;
  /** Payload schema version the producer wrote. */
  schemaVersion: number;
  /** Epoch milliseconds (UTC) when the business fact happened. */
  occurredAt: number;
  /** Shared by every event of one business flow. */
  correlationId: string;
  /** eventId of the event that caused this one; null for external triggers. */
  causationId: string | null;
  /** Producing service. */
  source: string;
  /** Aggregate key; equals the Kafka message key. */
  key: string;
}

/** The Avro record written to Kafka for an event: `{ envelope, data }`. */
export interface EventRecord<T extends EventType = EventType> {
  envelope: EventEnvelope & { eventType: T };
  data: EventPayloads[T];
}

export interface TopicDefinition {
  name: string;
  /** `business`: events of record, kept indefinitely; `tooling`: smoke and benchmark traffic. */
  kind: 'business' | 'tooling';
  partitions: number;
  /** -1 = infinite (every business topic). */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  /** Payload field whose value is the message key, e.g. `dealId` (see `keyVersion`). */
  key: string;
  /**
   * Compacted topics that keep every dated version of an entity (rate cards: `effectiveFrom`): the message key is
   * `<key>@<keyVersion>` (`messageKeyOf`), and messages are partitioned by `<key>` alone, so compaction keeps one
   * record per version and one entity's versions stay in order on one partition.
   */
  keyVersion?: string;
  /** Producing service (`shared`: any service may produce). */
  owner: string;
  description: string;
}

/** A consumer group's retry or dead-letter topics (catalog `consumerTopics`). */
export interface ConsumerTopicDefinition {
  /** Name pattern with `{topic}`, `{group}` and, for retry topics, `{tier}`. */
  pattern: string;
  partitions: number;
  /** -1 = infinite. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  description: string;
}

export interface EventDefinition<T extends EventType = EventType> {
  eventType: T;
  topic: TopicDefinition;
  /** Schema-registry subject: `<topic>-value` (TopicNameStrategy). */
  subject: string;
  latestVersion: number;
  /** Version → registered (wrapped, self-contained) Avro schema JSON. */
  versions: Readonly<Record<number, object>>;
  /** Producing service. */
  owner: string;
}
