import { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

import { describeError } from '@throughline/platform';

import { HEADER } from './headers';
import { IdempotentProducer } from './idempotent-producer';
import { RETRY_HEADER } from './retry-topics';
import { deadLetterTopic } from './topic-naming';
import { deadLetterTopicSpec, ensureTopicSpecs } from './topics';

export interface FailedDelivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
  groupId: string;
  error: unknown;
  attempt: number;
  firstFailureAt: number;
  /** Known when the message could be decoded. */
  correlationId?: string;
}

export { deadLetterTopic } from './topic-naming';

export const DLQ_HEADER = {
  topic: 'tl-dlq-original-topic',
  partition: 'tl-dlq-original-partition',
  offset: 'tl-dlq-original-offset',
  timestamp: 'tl-dlq-original-timestamp',
  key: 'tl-dlq-original-key',
  group: 'tl-dlq-consumer-group',
  errorClass: 'tl-dlq-error-class',
  errorMessage: 'tl-dlq-error-message',
  errorStack: 'tl-dlq-error-stack',
  attempts: 'tl-dlq-attempts',
  firstFailure: 'tl-dlq-first-failure',
  lastFailure: 'tl-dlq-last-failure',
} as const;

const MAX_STACK_LENGTH = 4_000;

/** Copies a failed message byte for byte to its dead-letter topic, with its provenance in headers. */
export class DeadLetterPublisher {
  private readonly producer: IdempotentProducer;
  /** Dead-letter topics known to exist (with the catalog's configuration) in this process. */
  private readonly ensured = new Set<string>();

  constructor(private readonly kafka: Kafka) {
    this.producer = new IdempotentProducer(kafka);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Moves a failed message to a retry topic, to be handled again by its group after `notBefore`. */
  async retryLater(failure: FailedDelivery, topic: string, notBefore: number): Promise<void> {
    const { message, error } = failure;
    const described = describeError(error);
    const headers: IHeaders = {
      ...withoutRetryHeaders(message.headers),
      [RETRY_HEADER.attempt]: String(failure.attempt),
      [RETRY_HEADER.notBefore]: String(notBefore),
      [RETRY_HEADER.firstFailure]: String(failure.firstFailureAt),
      [RETRY_HEADER.originalTopic]: failure.topic,
      [RETRY_HEADER.originalPartition]: String(failure.partition),
      [RETRY_HEADER.originalOffset]: message.offset,
      [RETRY_HEADER.lastErrorClass]: described.name,
      [RETRY_HEADER.lastErrorMessage]: described.message,
    };
    await this.producer.send({
      topic,
      messages: [{ key: message.key, value: message.value, headers }],
    });
  }

  async publish(failure: FailedDelivery): Promise<void> {
    const { message, error } = failure;
    const described = describeError(error);
    const headers: IHeaders = {
      ...withoutRetryHeaders(message.headers),
      [DLQ_HEADER.topic]: failure.topic,
      [DLQ_HEADER.partition]: String(failure.partition),
      [DLQ_HEADER.offset]: message.offset,
      [DLQ_HEADER.timestamp]: message.timestamp,
      [DLQ_HEADER.key]: message.key?.toString() ?? '',
      [DLQ_HEADER.group]: failure.groupId,
      [DLQ_HEADER.errorClass]: described.name,
      [DLQ_HEADER.errorMessage]: described.message,
      [DLQ_HEADER.errorStack]: (described.stack ?? '').slice(0, MAX_STACK_LENGTH),
      [DLQ_HEADER.attempts]: String(failure.attempt),
      [DLQ_HEADER.firstFailure]: new Date(failure.firstFailureAt).toISOString(),
      [DLQ_HEADER.lastFailure]: new Date().toISOString(),
    };
    if (failure.correlationId) headers[HEADER.correlationId] = failure.correlationId;
    const topic = deadLetterTopic(failure.topic, failure.groupId);
    // Consumers create their dead-letter topics at start; a publisher used on its own (ops tools,
    // tests) must not depend on the broker auto-creating one.
    if (!this.ensured.has(topic)) {
      await ensureTopicSpecs(this.kafka, [deadLetterTopicSpec(topic)]);
      this.ensured.add(topic);
    }
    await this.producer.send({
      topic,
      messages: [{ key: message.key, value: message.value, headers }],
    });
  }
}

const RETRY_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(RETRY_HEADER));

function withoutRetryHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !RETRY_HEADER_NAMES.has(name)));
}
