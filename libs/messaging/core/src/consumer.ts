import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import { EventRecord, EventType } from '@throughline/contracts';
import { describeError, isRetriable, Logger, PoisonMessageError } from '@throughline/platform';

import { AvroEventCodec } from './codec';
import { DeadLetterPublisher, FailedDelivery } from './dead-letter';
import { headersToStrings } from './headers';
import { TopicNaming } from './topic-naming';

export interface ConsumedEvent<T extends EventType = EventType> extends EventRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka headers as strings (traceparent among them). */
  headers: Record<string, string>;
}

export type EventHandler<T extends EventType = EventType> = (event: ConsumedEvent<T>) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  logger: Logger;
  /** Read the topics from the start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Decode with an older reader schema version than the latest (per event type). */
  readerVersions?: Partial<Record<EventType, number>>;
  /** Partitions processed in parallel; order within a partition is always kept. */
  partitionsConsumedConcurrently?: number;
  /** Backoff for retriable failures, retried in place so per-key order holds. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** Group session timeout; a member silent for longer is evicted (default 30 s). */
  sessionTimeoutMs?: number;
  /** How often to heartbeat while a slow handler runs. */
  heartbeatIntervalMs?: number;
  deadLetters?: DeadLetterPublisher;
  naming?: TopicNaming;
}

/**
 * Consumes events from their catalog topics, decodes them into this consumer's reader schema and
 * hands them to typed handlers. An offset is resolved only after its handler finished (handlers
 * commit their database transaction before returning), so a crash re-delivers rather than loses.
 * Retriable failures are retried in place with backoff; non-retriable ones (poison messages,
 * bugs) go to the dead-letter topic so the partition keeps flowing.
 */
export class EventConsumer {
  private readonly handlers = new Map<EventType, EventHandler>();
  private readonly topicTypes = new Map<string, EventType>();
  private readonly consumer: Consumer;
  private readonly stopping = new AbortController();

  constructor(
    kafka: Kafka,
    private readonly codec: AvroEventCodec,
    private readonly options: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      allowAutoTopicCreation: true,
    });
  }

  on<T extends EventType>(eventType: T, handler: EventHandler<T>): this {
    if (this.handlers.has(eventType)) throw new Error(`A handler for ${eventType} is already registered`);
    this.handlers.set(eventType, handler as unknown as EventHandler);
    this.topicTypes.set((this.options.naming ?? new TopicNaming()).topicFor(eventType), eventType);
    return this;
  }

  get eventTypes(): EventType[] {
    return [...this.handlers.keys()];
  }

  async start(): Promise<void> {
    if (this.handlers.size === 0) throw new Error(`Consumer ${this.options.groupId} has no handlers`);
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.topicTypes.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 1_000,
      autoCommitThreshold: 200,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Stops fetching, lets the in-flight handler finish, commits resolved offsets. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer.disconnect();
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      await this.processMessage(batch.topic, batch.partition, message, heartbeat);
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async processMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const eventType = this.topicTypes.get(topic);
    const handler = eventType && this.handlers.get(eventType);
    if (!eventType || !handler) throw new Error(`No handler for topic ${topic}`);
    const backoff = this.options.retryBackoff ?? { initialMs: 200, maxMs: 30_000 };
    const firstFailureAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withPacemaker(heartbeat, async () => {
          if (!message.value) throw new PoisonMessageError('Message has no value');
          const record = await this.codec.decode(
            message.value,
            eventType,
            this.options.readerVersions?.[eventType],
          );
          await handler({
            ...record,
            topic,
            partition,
            offset: message.offset,
            headers: headersToStrings(message.headers),
          });
        });
        return;
      } catch (error) {
        const failure: FailedDelivery = {
          topic,
          partition,
          message,
          groupId: this.options.groupId,
          error,
          attempt,
          firstFailureAt,
        };
        if (!isRetriable(error) && this.options.deadLetters) {
          this.options.logger.error(
            { topic, partition, offset: message.offset, error: describeError(error) },
            'dead-lettering message',
          );
          await this.options.deadLetters.publish(failure);
          return;
        }
        if (this.stopping.signal.aborted) throw error;
        const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
        this.options.logger.warn(
          { topic, partition, offset: message.offset, attempt, delayMs: delay, error: describeError(error) },
          'handler failed; retrying in place',
        );
        await this.withPacemaker(heartbeat, () => sleep(delay, this.stopping.signal));
      }
    }
  }

  /** Keeps the group membership alive while a slow handler (or a backoff) runs. */
  private async withPacemaker<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => heartbeat().catch(() => undefined),
      this.options.heartbeatIntervalMs ?? 3_000,
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
