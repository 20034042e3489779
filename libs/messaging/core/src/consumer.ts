import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import { EventRecord, EventType } from '@throughline/contracts';
import { describeError, isRetriable, Logger, PoisonMessageError } from '@throughline/platform';

import { AvroEventCodec, EventDecoder } from './codec';
import { DeadLetterPublisher } from './dead-letter';
import { headersToStrings } from './headers';
import { TopicNaming } from './topic-naming';

/** Resolved offsets are committed at most this often (and when the consumer stops). */
const COMMIT_INTERVAL_MS = 1_000;

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
interface Route {
  eventType: EventType;
  handler: EventHandler;
  decoder: EventDecoder<EventType>;
}

export class EventConsumer {
  private readonly routes = new Map<string, Route>();
  private readonly consumer: Consumer;
  private readonly stopping = new AbortController();
  private lastCommitCheck = 0;

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
    if (this.eventTypes.includes(eventType))
      throw new Error(`A handler for ${eventType} is already registered`);
    const topic = (this.options.naming ?? new TopicNaming()).topicFor(eventType);
    const decoder = this.codec.decoder(eventType, this.options.readerVersions?.[eventType]);
    this.routes.set(topic, { eventType, handler: handler as unknown as EventHandler, decoder });
    return this;
  }

  get eventTypes(): EventType[] {
    return [...this.routes.values()].map((route) => route.eventType);
  }

  async start(): Promise<void> {
    if (this.routes.size === 0) throw new Error(`Consumer ${this.options.groupId} has no handlers`);
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.routes.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: COMMIT_INTERVAL_MS,
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
    const route = this.routes.get(batch.topic);
    if (!route) throw new Error(`No handler for topic ${batch.topic}`);
    // Heartbeats run on a timer for the whole batch, so slow handlers and backoffs keep the
    // membership alive without a per-message cost.
    const pacemaker = setInterval(
      () => heartbeat().catch(() => undefined),
      this.options.heartbeatIntervalMs ?? 3_000,
    );
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        try {
          await this.deliver(route, batch.topic, batch.partition, message);
        } catch (error) {
          await this.recover(route, batch.topic, batch.partition, message, error);
        }
        resolveOffset(message.offset);
        if (Date.now() - this.lastCommitCheck >= COMMIT_INTERVAL_MS) {
          this.lastCommitCheck = Date.now();
          await commitOffsetsIfNecessary();
        }
      }
    } finally {
      clearInterval(pacemaker);
    }
  }

  private async deliver(
    route: Route,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<void> {
    if (!message.value) throw new PoisonMessageError('Message has no value');
    const decoded = route.decoder.decode(message.value);
    const record = decoded instanceof Promise ? await decoded : decoded;
    await route.handler({
      envelope: record.envelope,
      data: record.data,
      topic,
      partition,
      offset: message.offset,
      headers: headersToStrings(message.headers),
    });
  }

  /**
   * Retriable failures are retried in place with capped exponential backoff, which keeps per-key
   * order; non-retriable ones go to the dead-letter topic when there is one.
   */
  private async recover(
    route: Route,
    topic: string,
    partition: number,
    message: KafkaMessage,
    firstError: unknown,
  ) {
    const backoff = this.options.retryBackoff ?? { initialMs: 200, maxMs: 30_000 };
    const firstFailureAt = Date.now();
    let error = firstError;
    for (let attempt = 1; ; attempt++) {
      const log = { topic, partition, offset: message.offset, attempt, error: describeError(error) };
      if (!isRetriable(error) && this.options.deadLetters) {
        this.options.logger.error(log, 'dead-lettering message');
        await this.options.deadLetters.publish({
          topic,
          partition,
          message,
          groupId: this.options.groupId,
          error,
          attempt,
          firstFailureAt,
          correlationId: await correlationIdOf(route, message),
        });
        return;
      }
      if (this.stopping.signal.aborted) throw error;
      const delayMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
      this.options.logger.warn({ ...log, delayMs }, 'handler failed; retrying in place');
      await sleep(delayMs, this.stopping.signal);
      try {
        await this.deliver(route, topic, partition, message);
        return;
      } catch (retryError) {
        error = retryError;
      }
    }
  }
}

/** The correlation id of a message that may not even decode. */
async function correlationIdOf(route: Route, message: KafkaMessage): Promise<string | undefined> {
  try {
    return message.value ? (await route.decoder.decode(message.value)).envelope.correlationId : undefined;
  } catch {
    return undefined;
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
