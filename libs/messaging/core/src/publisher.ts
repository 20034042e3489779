import { Kafka, Message, Producer, TopicMessages } from 'kafkajs';

import { EventRecord } from '@throughline/contracts';

import { AvroEventCodec } from './codec';
import { HEADER } from './headers';
import { TopicNaming } from './topic-naming';

export interface OutgoingEvent {
  record: EventRecord;
  /** Extra Kafka headers, e.g. the W3C traceparent of the span that produced the event. */
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
  private readonly producer: Producer;
  private pending: PendingSend | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly codec: AvroEventCodec,
    private readonly naming = new TopicNaming(),
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
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
    const encoded = await Promise.all(events.map((event) => this.toMessage(event)));
    const pending: PendingSend = (this.pending ??= { topicMessages: new Map(), settle: [] });
    for (const { topic, message } of encoded) {
      const messages = pending.topicMessages.get(topic);
      if (messages) messages.push(message);
      else pending.topicMessages.set(topic, [message]);
    }
    const done = new Promise<void>((resolve, reject) => pending.settle.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
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
        await this.producer.sendBatch({ topicMessages, acks: -1 });
        batch.settle.forEach(({ resolve }) => resolve());
      } catch (error) {
        batch.settle.forEach(({ reject }) => reject(error));
      }
    }
    this.flushing = undefined;
  }

  private async toMessage({ record, headers }: OutgoingEvent): Promise<{ topic: string; message: Message }> {
    const { envelope } = record;
    return {
      topic: this.naming.topicFor(envelope.eventType),
      message: {
        key: envelope.key,
        value: await this.codec.encode(record),
        headers: {
          ...headers,
          [HEADER.eventType]: envelope.eventType,
          [HEADER.eventId]: envelope.eventId,
          [HEADER.correlationId]: envelope.correlationId,
        },
      },
    };
  }
}
