import { Kafka, Message, TopicMessages } from 'kafkajs';

import { EventRecord, EventType } from '@throughline/contracts';

import { AvroEventCodec, EventEncoder } from './codec';
import { IdempotentProducer } from './idempotent-producer';
import { TopicNaming } from './topic-naming';

export interface OutgoingEvent {
  record: EventRecord;
  /**
   * Kafka headers, e.g. the W3C traceparent of the span that produced the event. Envelope fields
   * are not copied into headers: each header costs throughput on both sides, and one event type
   * per topic plus the envelope already carry them.
   */
  headers?: Record<string, string>;
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

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const encoders = await this.encodersFor(events);
    const pending: PendingSend = (this.pending ??= { topicMessages: new Map(), settle: [] });
    for (const { record, headers } of events) {
      const { envelope } = record;
      const topic = this.naming.topicFor(envelope.eventType);
      const message: Message = {
        key: envelope.key,
        value: (encoders.get(envelope.eventType) as EventEncoder).encode(record),
        headers,
      };
      const messages = pending.topicMessages.get(topic);
      if (messages) messages.push(message);
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
