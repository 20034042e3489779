import { Kafka, Message, PartitionMetadata, Partitioners, TopicMessages } from 'kafkajs';

import { eventDefinition, EventRecord, EventType, partitionKeyOf } from '@throughline/contracts';

import { AvroEventCodec, EventEncoder } from './codec';
import { isTombstone, OutboxRecord } from './current-state';
import { DataKind, dataKindFromEnv, HEADER } from './headers';
import { IdempotentProducer } from './idempotent-producer';
import { TopicNaming } from './topic-naming';

export interface OutgoingEvent {
  /** An event, or a tombstone of a current-state topic (sent with a null value). */
  record: OutboxRecord;
  /**
   * Kafka headers, e.g. the W3C traceparent of the span that produced the event. Envelope fields
   * are not copied into headers: each header costs throughput on both sides, and one event type
   * per topic plus the envelope already carry them.
   */
  headers?: Record<string, string>;
}

export interface PreparedMessage {
  event: OutgoingEvent;
  topic: string;
  message: Message;
}

export interface PreparedEvents {
  ready: PreparedMessage[];
  refused: { event: OutgoingEvent; reason: string }[];
}

/** An event that can never be published as it is (not encodable, or too large). */
export class EventRefusedError extends Error {
  constructor(
    readonly record: OutboxRecord,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'EventRefusedError';
  }
}

/** Room below the broker's 1 MiB default for the record batch and record headers around one message. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

function messageBytes(message: Message): number {
  const size = (value: Message['key'] | Message['value']) =>
    value === null || value === undefined
      ? 0
      : typeof value === 'string'
        ? Buffer.byteLength(value)
        : value.length;
  let bytes = size(message.key) + size(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes +=
      Buffer.byteLength(name) +
      (typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : 0);
  }
  return bytes;
}

interface PendingSend {
  topicMessages: Map<string, Message[]>;
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Publishes events with an idempotent, acks=all producer. Concurrent `publish` calls are coalesced
 * into one `sendBatch` and at most one batch is in flight, which both keeps throughput high and
 * keeps the idempotent producer's per-partition sequence in order.
 */
export class EventPublisher {
  private readonly producer: IdempotentProducer;
  private pending: PendingSend | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly codec: AvroEventCodec,
    private readonly naming = new TopicNaming(),
    /** Largest message sent; the broker's default message.max.bytes is 1,048,588 per record batch. */
    private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
    /** Sent as the `throughline-data` header of every message (headers.ts). */
    private readonly dataKind: DataKind = dataKindFromEnv(),
  ) {
    this.producer = new IdempotentProducer(kafka);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.flushing;
    await this.producer.disconnect();
  }

  /**
   * Publishes events, or rejects with `EventRefusedError` before anything is sent when one of them
   * cannot be encoded or is larger than a Kafka message may be.
   */
  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    const { ready, refused } = await this.prepare(events);
    if (refused[0]) throw new EventRefusedError(refused[0].event.record, refused[0].reason);
    await this.send(ready);
  }

  /**
   * Encodes events into Kafka messages. An event that cannot be encoded, or whose message is larger
   * than `maxMessageBytes`, is refused with the reason instead of failing the others: sending it
   * would fail the same way every time.
   */
  async prepare(events: readonly OutgoingEvent[]): Promise<PreparedEvents> {
    const prepared: PreparedEvents = { ready: [], refused: [] };
    if (events.length === 0) return prepared;
    const encoders = await this.encodersFor(events);
    for (const event of events) {
      const { envelope } = event.record;
      try {
        const { record } = event;
        const partition = isTombstone(record) ? undefined : entityPartition(record);
        const message: Message = {
          key: envelope.key,
          value: isTombstone(record)
            ? null
            : (encoders.get(envelope.eventType) as EventEncoder).encode(record),
          // An event that already says what it is (a replayed dead letter, say) keeps its own mark.
          headers: { [HEADER.data]: this.dataKind, ...event.headers },
          ...(partition === undefined ? {} : { partition }),
        };
        const bytes = messageBytes(message);
        if (bytes > this.maxMessageBytes) {
          prepared.refused.push({
            event,
            reason: `${envelope.eventType} ${envelope.eventId} is ${bytes} bytes as a Kafka message; the limit is ${this.maxMessageBytes}`,
          });
        } else prepared.ready.push({ event, topic: this.naming.topicFor(envelope.eventType), message });
      } catch (error) {
        prepared.refused.push({
          event,
          reason: `${envelope.eventType} ${envelope.eventId} cannot be encoded: ${(error as Error).message}`,
        });
      }
    }
    return prepared;
  }

  /** Sends prepared messages; concurrent calls share one `sendBatch`. */
  async send(messages: readonly PreparedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const pending: PendingSend = (this.pending ??= { topicMessages: new Map(), settle: [] });
    for (const { topic, message } of messages) {
      const queued = pending.topicMessages.get(topic);
      if (queued) queued.push(message);
      else pending.topicMessages.set(topic, [message]);
    }
    const done = new Promise<void>((resolve, reject) => pending.settle.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
  }

  private async encodersFor(events: readonly OutgoingEvent[]): Promise<Map<EventType, EventEncoder>> {
    const eventTypes = [...new Set(events.map((event) => event.record.envelope.eventType))];
    return new Map(
      await Promise.all(
        eventTypes.map(async (eventType) => [eventType, await this.codec.encoder(eventType)] as const),
      ),
    );
  }

  private async flushLoop(): Promise<void> {
    while (this.pending) {
      const batch = this.pending;
      this.pending = undefined;
      const topicMessages: TopicMessages[] = [...batch.topicMessages].map(([topic, messages]) => ({
        topic,
        messages,
      }));
      try {
        await this.producer.sendBatch({ topicMessages });
        batch.settle.forEach(({ resolve }) => resolve());
      } catch (error) {
        batch.settle.forEach(({ reject }) => reject(error));
      }
    }
    this.flushing = undefined;
  }
}

const entityPartitioner = Partitioners.DefaultPartitioner();

/**
 * For a topic whose message key carries a version (`keyVersion`: rate cards are keyed `rateCardId@effectiveFrom`
 * so compaction keeps every dated version), the partition the entity key alone would get from Kafka's default
 * partitioner (murmur2, as Java clients compute it), so every version of one entity stays in order on one
 * partition. Uses the catalog's partition count, which `npm run stack -- topics` holds the broker to.
 */
export function entityPartition(record: EventRecord): number | undefined {
  const { eventType } = record.envelope;
  const { topic } = eventDefinition(eventType);
  if (topic.keyVersion === undefined) return undefined;
  const entity = partitionKeyOf(eventType, record.data);
  if (entity === undefined) return undefined;
  const partitionMetadata: PartitionMetadata[] = Array.from(
    { length: topic.partitions },
    (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }),
  );
  return entityPartitioner({ topic: topic.name, partitionMetadata, message: { key: entity, value: null } });
}
