import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import { EventRecord, EventType } from '@throughline/contracts';
import {
  describeError,
  isRetriable,
  Logger,
  PoisonMessageError,
  withLogContext,
} from '@throughline/platform';

import { contextFromHeaders, inSpan, SpanKind } from '@throughline/observability';

import { AvroEventCodec, EventDecoder } from './codec';
import { DeadLetterPublisher, FailedDelivery } from './dead-letter';
import { headersToStrings, headerValue } from './headers';
import { DEFAULT_RETRY_TIERS_MS, RETRY_HEADER, retryTopic } from './retry-topics';
import { TopicNaming } from './topic-naming';
import { ensureTopicsByName } from './topics';

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

export interface RetryOptions {
  /** Quick attempts in place before a message moves to a retry topic (default 3). */
  inPlaceAttempts?: number;
  /** Delay of each retry tier; after the last tier the message is dead-lettered (default 1 s, 10 s, 1 min). */
  tiersMs?: readonly number[];
  /**
   * Event types whose handlers need strict per-key order: their retriable failures are retried in
   * place (the partition waits) instead of moving to a retry topic, which could reorder them.
   */
  strictOrder?: readonly EventType[];
  /** Backoff of in-place retries. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface ConsumerOptions {
  groupId: string;
  logger: Logger;
  /** Read the topics from the start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Decode with an older reader schema version than the latest (per event type). */
  readerVersions?: Partial<Record<EventType, number>>;
  /** Partitions processed in parallel; order within a partition is always kept. */
  partitionsConsumedConcurrently?: number;
  retry?: RetryOptions;
  /** Group session timeout; a member silent for longer is evicted (default 30 s). */
  sessionTimeoutMs?: number;
  /** How often to heartbeat while a slow handler runs. */
  heartbeatIntervalMs?: number;
  /**
   * Where failed messages go: retry topics and dead-letter topics. Without it, every failure is
   * retried in place (nothing is skipped, but a poison message blocks its partition).
   */
  deadLetters?: DeadLetterPublisher;
  naming?: TopicNaming;
  /** Open a consumer span per message, child of the producer's trace context (default false). */
  tracing?: boolean;
  observer?: ConsumerObserver;
}

/** Receives delivery outcomes, e.g. to count them as metrics. */
export interface ConsumerObserver {
  handled(eventType: EventType, groupId: string, seconds: number): void;
  retried(eventType: EventType, groupId: string, tier: number): void;
  deadLettered(eventType: EventType, groupId: string): void;
}

interface Route {
  eventType: EventType;
  topic: string;
  handler: EventHandler;
  decoder: EventDecoder<EventType>;
}

/** Where a message came from: its source topic, or the retry tier it is waiting in. */
interface Subscription {
  route: Route;
  tier: number;
}

/** Coordinates and history of one delivery attempt sequence. */
interface Delivery {
  route: Route;
  tier: number;
  partition: number;
  message: KafkaMessage;
  /** Where the message was first consumed (the source topic, not a retry topic). */
  origin: { topic: string; partition: number; offset: string };
  attempt: number;
  firstFailureAt: number | undefined;
}

/**
 * Consumes events from their catalog topics, decodes them into this consumer's reader schema and
 * hands them to typed handlers. An offset is resolved only after its handler finished (handlers
 * commit their database transaction before returning), so a crash re-delivers rather than loses.
 *
 * Failures: non-retriable ones (poison messages, bugs) go to the dead-letter topic; retriable ones
 * are retried a few times in place, then through the group's retry topics with growing delays
 * (non-blocking: the partition keeps flowing), then dead-lettered. Strict-order event types are
 * retried in place until they succeed.
 */
export class EventConsumer {
  private readonly routes = new Map<EventType, Route>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly consumer: Consumer;
  private readonly stopping = new AbortController();
  private readonly tiersMs: readonly number[];
  private lastCommitCheck = 0;
  private readonly joined: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroEventCodec,
    private readonly options: ConsumerOptions,
  ) {
    this.tiersMs = options.deadLetters ? (options.retry?.tiersMs ?? DEFAULT_RETRY_TIERS_MS) : [];
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      // Bounds how long a resumed retry partition waits for the next fetch.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: true,
    });
    this.joined = new Promise((resolve) => {
      const stopListening = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        stopListening();
        resolve();
      });
    });
  }

  /**
   * Resolves once the consumer has joined its group (partitions assigned) for the first time; a
   * clear error after `timeoutMs` instead of handlers silently never being called.
   */
  async waitUntilJoined(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Consumer group ${this.options.groupId} did not join within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.joined, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  on<T extends EventType>(eventType: T, handler: EventHandler<T>): this {
    if (this.routes.has(eventType)) throw new Error(`A handler for ${eventType} is already registered`);
    const topic = (this.options.naming ?? new TopicNaming()).topicFor(eventType);
    const decoder = this.codec.decoder(eventType, this.options.readerVersions?.[eventType]);
    const route: Route = { eventType, topic, handler: handler as unknown as EventHandler, decoder };
    this.routes.set(eventType, route);
    this.subscriptions.set(topic, { route, tier: 0 });
    this.tiersMs.forEach((_, index) =>
      this.subscriptions.set(retryTopic(topic, this.options.groupId, index + 1), { route, tier: index + 1 }),
    );
    return this;
  }

  get eventTypes(): EventType[] {
    return [...this.routes.keys()];
  }

  async start(): Promise<void> {
    if (this.routes.size === 0) throw new Error(`Consumer ${this.options.groupId} has no handlers`);
    const retryTopics = [...this.subscriptions]
      .filter(([, subscription]) => subscription.tier > 0)
      .map(([topic]) => topic);
    await ensureTopicsByName(this.kafka, retryTopics);
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.subscriptions.keys()],
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
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause } = payload;
    const subscription = this.subscriptions.get(batch.topic);
    if (!subscription) throw new Error(`No handler for topic ${batch.topic}`);
    // Heartbeats run on a timer for the whole batch, so slow handlers, backoffs and retry-tier
    // waits keep the membership alive without a per-message cost.
    const pacemaker = setInterval(
      () => heartbeat().catch(() => undefined),
      this.options.heartbeatIntervalMs ?? 3_000,
    );
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        if (subscription.tier > 0 && this.pauseUntilDue(message, pause)) break;
        const startedAt = performance.now();
        try {
          await this.deliver(subscription.route, batch.topic, batch.partition, message);
          this.options.observer?.handled(
            subscription.route.eventType,
            this.options.groupId,
            (performance.now() - startedAt) / 1000,
          );
        } catch (error) {
          await this.recover(this.deliveryOf(subscription, batch.topic, batch.partition, message), error);
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
    const event: ConsumedEvent = {
      envelope: record.envelope,
      data: record.data,
      topic,
      partition,
      offset: message.offset,
      headers: headersToStrings(message.headers),
    };
    if (!this.options.tracing) return route.handler(event);
    const { envelope } = record;
    await withLogContext(
      { correlationId: envelope.correlationId, eventId: envelope.eventId, eventType: envelope.eventType },
      () =>
        inSpan(
          `process ${envelope.eventType}`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromHeaders(event.headers),
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'process',
              'messaging.destination.name': topic,
              'messaging.consumer.group.name': this.options.groupId,
              'messaging.message.id': envelope.eventId,
              'throughline.correlation_id': envelope.correlationId,
              'throughline.event_type': envelope.eventType,
            },
          },
          () => route.handler(event),
        ),
    );
  }

  private deliveryOf(
    subscription: Subscription,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Delivery {
    const { headers } = message;
    if (subscription.tier === 0) {
      return {
        ...subscription,
        partition,
        message,
        origin: { topic, partition, offset: message.offset },
        attempt: 0,
        firstFailureAt: undefined,
      };
    }
    return {
      ...subscription,
      partition,
      message,
      origin: {
        topic: headerValue(headers, RETRY_HEADER.originalTopic) ?? subscription.route.topic,
        partition: Number(headerValue(headers, RETRY_HEADER.originalPartition) ?? partition),
        offset: headerValue(headers, RETRY_HEADER.originalOffset) ?? message.offset,
      },
      attempt: Number(headerValue(headers, RETRY_HEADER.attempt) ?? 0),
      firstFailureAt: Number(headerValue(headers, RETRY_HEADER.firstFailure)) || undefined,
    };
  }

  private async recover(delivery: Delivery, firstError: unknown): Promise<void> {
    const { route, partition, message } = delivery;
    const backoff = this.options.retry?.backoff ?? { initialMs: 200, maxMs: 30_000 };
    const inPlaceAttempts = this.options.retry?.inPlaceAttempts ?? 3;
    const strictOrder = this.options.retry?.strictOrder?.includes(route.eventType) ?? false;
    const firstFailureAt = delivery.firstFailureAt ?? Date.now();
    let error = firstError;
    for (let inPlace = 1; ; inPlace++) {
      const attempt = delivery.attempt + inPlace;
      const failure: FailedDelivery = {
        topic: delivery.origin.topic,
        partition: delivery.origin.partition,
        message: { ...message, offset: delivery.origin.offset },
        groupId: this.options.groupId,
        error,
        attempt,
        firstFailureAt,
      };
      const log = {
        topic: delivery.origin.topic,
        partition,
        offset: delivery.origin.offset,
        attempt,
        error: describeError(error),
      };
      const deadLetters = this.options.deadLetters;
      if (
        deadLetters &&
        (!isRetriable(error) ||
          (!strictOrder && inPlace >= inPlaceAttempts && delivery.tier >= this.tiersMs.length))
      ) {
        this.options.logger.error(log, 'dead-lettering message');
        this.options.observer?.deadLettered(route.eventType, this.options.groupId);
        await deadLetters.publish({ ...failure, correlationId: await correlationIdOf(route, message) });
        return;
      }
      if (deadLetters && !strictOrder && inPlace >= inPlaceAttempts) {
        const tier = delivery.tier + 1;
        const delayMs = this.tiersMs[tier - 1] ?? 0;
        this.options.logger.warn({ ...log, tier, delayMs }, 'handler failed; moving message to retry topic');
        this.options.observer?.retried(route.eventType, this.options.groupId, tier);
        await deadLetters.retryLater(
          failure,
          retryTopic(route.topic, this.options.groupId, tier),
          Date.now() + delayMs,
        );
        return;
      }
      if (this.stopping.signal.aborted) throw error;
      const delayMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (inPlace - 1));
      this.options.logger.warn({ ...log, delayMs }, 'handler failed; retrying in place');
      await sleep(delayMs, this.stopping.signal);
      try {
        await this.deliver(route, delivery.origin.topic, partition, message);
        this.options.observer?.handled(route.eventType, this.options.groupId, 0);
        return;
      } catch (retryError) {
        error = retryError;
      }
    }
  }

  /**
   * Retry topics hold messages in due order. A message not due yet pauses its retry partition
   * until it is (without resolving it, so it is fetched again); other partitions keep flowing.
   */
  private pauseUntilDue(message: KafkaMessage, pause: () => () => void): boolean {
    const waitMs = Number(headerValue(message.headers, RETRY_HEADER.notBefore) ?? 0) - Date.now();
    if (waitMs <= 0) return false;
    const resume = pause();
    const timer = setTimeout(resume, waitMs);
    this.stopping.signal.addEventListener('abort', () => clearTimeout(timer));
    return true;
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
