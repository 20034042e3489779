import { setTimeout as delay } from 'node:timers/promises';

import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

import { eventDefinition, EventRecord, EventType } from '@throughline/contracts';
import {
  describeError,
  isRetriable,
  Logger,
  PoisonMessageError,
  withLogContext,
} from '@throughline/platform';

import {
  contextFromHeaders,
  contextWithSpan,
  inSpan,
  SpanKind,
  SpanStatusCode,
  traceHeaders,
  tracer,
} from '@throughline/observability';

import { AvroEventCodec, EventDecoder } from './codec';
import { DeadLetterPublisher, FailedDelivery } from './dead-letter';
import { headersToStrings, headerValue } from './headers';
import { DEFAULT_RETRY_TIERS_MS, RETRY_HEADER, retryTopic } from './retry-topics';
import { TopicNaming } from './topic-naming';
import { ensureConsumerTopics } from './topics';

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

/**
 * Handles consecutive events of one partition together (e.g. in one database transaction with
 * `handleBatchOnce`). It must be all or nothing: when it throws, the consumer handles the same
 * events again one at a time (each as a batch of one), so one failing event cannot fail, stall or
 * dead-letter its neighbours.
 */
export type EventBatchHandler<T extends EventType = EventType> = (
  events: ConsumedEvent<T>[],
) => Promise<void>;

/** The fields of one log line describing a batch handed to a batch handler. */
export function batchLogFields(events: readonly ConsumedEvent[]): Record<string, string | number> {
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) return { events: 0 };
  return {
    events: events.length,
    firstEventId: first.envelope.eventId,
    lastEventId: last.envelope.eventId,
    correlationId: first.envelope.correlationId,
    partition: first.partition,
    offsets: `${first.offset}..${last.offset}`,
  };
}

export interface BatchOptions {
  /** Most events handed to one call (default 500). */
  maxEvents?: number;
}

const DEFAULT_MAX_BATCH_EVENTS = 500;
const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 30_000 };

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
  batch?: { handler: EventBatchHandler; maxEvents: number };
  /** A compacted topic, where a message without a value is a tombstone (the entity is gone). */
  compacted: boolean;
}

/**
 * Tombstones of compacted topics (current-state and master-data topics) tell compaction an entity is
 * gone; handlers get events only, so they are passed over. Elsewhere a message without a value is
 * poison and dead-lettered.
 */
function isTombstoneOf(route: Route, message: KafkaMessage): boolean {
  return route.compacted && !message.value;
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
    return this.route(eventType, handler as unknown as EventHandler);
  }

  /**
   * Registers a handler for the events of a fetched batch (up to `maxEvents` consecutive events of
   * one partition per call). Retried and re-delivered events, and events isolated after a failed
   * batch, arrive one per call. Per-key order, retry tiers and dead letters are as for `on`.
   */
  onBatch<T extends EventType>(
    eventType: T,
    handler: EventBatchHandler<T>,
    options: BatchOptions = {},
  ): this {
    const batchHandler = handler as unknown as EventBatchHandler;
    return this.route(eventType, (event) => batchHandler([event]), {
      handler: batchHandler,
      maxEvents: options.maxEvents ?? DEFAULT_MAX_BATCH_EVENTS,
    });
  }

  private route(eventType: EventType, handler: EventHandler, batch?: Route['batch']): this {
    if (this.routes.has(eventType)) throw new Error(`A handler for ${eventType} is already registered`);
    const topic = (this.options.naming ?? new TopicNaming()).topicFor(eventType);
    const decoder = this.codec.decoder(eventType, this.options.readerVersions?.[eventType]);
    const compacted = eventDefinition(eventType).topic.cleanupPolicy === 'compact';
    const route: Route = { eventType, topic, handler, decoder, batch, compacted };
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
    await ensureConsumerTopics(
      this.kafka,
      [...this.routes.values()].map((route) => route.topic),
      this.options.groupId,
      { retryTiers: this.tiersMs.length, deadLetters: this.options.deadLetters !== undefined },
    );
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
      if (subscription.tier === 0 && subscription.route.batch) {
        await this.processInBatches(subscription, payload);
        return;
      }
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        if (subscription.tier > 0 && this.pauseUntilDue(message, pause)) break;
        if (isTombstoneOf(subscription.route, message)) {
          resolveOffset(message.offset);
          continue;
        }
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

  /**
   * Hands the fetched messages to the route's batch handler in chunks of consecutive messages. A
   * message that does not decode ends its chunk and is recovered on its own (dead-lettered when it
   * is poison); a chunk whose handler fails is handled again one event at a time, so only the
   * failing event goes through retries and dead letters. Offsets are resolved after each chunk.
   */
  private async processInBatches(subscription: Subscription, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const route = subscription.route;
    const maxEvents = route.batch?.maxEvents ?? DEFAULT_MAX_BATCH_EVENTS;
    const messages = batch.messages;
    let next = 0;
    while (next < messages.length && isRunning() && !isStale()) {
      const chunk: { message: KafkaMessage; event: ConsumedEvent }[] = [];
      let undecodable: { message: KafkaMessage; error: unknown } | undefined;
      let tombstone: KafkaMessage | undefined;
      while (next < messages.length && chunk.length < maxEvents) {
        const message = messages[next++] as KafkaMessage;
        if (isTombstoneOf(route, message)) {
          tombstone = message;
          break;
        }
        try {
          chunk.push({ message, event: await this.decode(route, batch.topic, batch.partition, message) });
        } catch (error) {
          undecodable = { message, error };
          break;
        }
      }
      if (chunk.length > 0) {
        await this.deliverChunk(subscription, batch.topic, batch.partition, chunk);
        resolveOffset((chunk[chunk.length - 1] as { message: KafkaMessage }).message.offset);
      }
      if (tombstone) resolveOffset(tombstone.offset);
      if (undecodable) {
        const { message, error } = undecodable;
        await this.recover(this.deliveryOf(subscription, batch.topic, batch.partition, message), error);
        resolveOffset(message.offset);
      }
      if (Date.now() - this.lastCommitCheck >= COMMIT_INTERVAL_MS) {
        this.lastCommitCheck = Date.now();
        await commitOffsetsIfNecessary();
      }
    }
  }

  private async deliverChunk(
    subscription: Subscription,
    topic: string,
    partition: number,
    chunk: readonly { message: KafkaMessage; event: ConsumedEvent }[],
  ): Promise<void> {
    const route = subscription.route;
    for (let attempt = 1; ; attempt++) {
      const startedAt = performance.now();
      try {
        await this.inConsumerSpans(
          route,
          chunk.map(({ event }) => event),
          (events) => (route.batch as NonNullable<Route['batch']>).handler(events),
        );
        const seconds = (performance.now() - startedAt) / 1000 / chunk.length;
        chunk.forEach(() => this.options.observer?.handled(route.eventType, this.options.groupId, seconds));
        return;
      } catch (error) {
        if (chunk.length === 1) {
          const { message } = chunk[0] as { message: KafkaMessage };
          await this.recover(this.deliveryOf(subscription, topic, partition, message), error);
          return;
        }
        const log = { topic, partition, events: chunk.length, attempt, error: describeError(error) };
        // A retriable failure (database busy or down) is most likely the batch's, not one event's:
        // retry it whole a few times before paying for one transaction per event.
        if (
          isRetriable(error) &&
          attempt < (this.options.retry?.inPlaceAttempts ?? 3) &&
          !this.stopping.signal.aborted
        ) {
          const delayMs = this.backoffMs(attempt);
          this.options.logger.warn({ ...log, delayMs }, 'batch handler failed; retrying the batch');
          await sleep(delayMs, this.stopping.signal);
          continue;
        }
        this.options.logger.warn(log, 'batch handler failed; handling its events one at a time');
        break;
      }
    }
    for (const { message } of chunk) {
      const startedAt = performance.now();
      try {
        await this.deliver(route, topic, partition, message);
        this.options.observer?.handled(
          route.eventType,
          this.options.groupId,
          (performance.now() - startedAt) / 1000,
        );
      } catch (error) {
        await this.recover(this.deliveryOf(subscription, topic, partition, message), error);
      }
    }
  }

  /** Capped exponential backoff of in-place retries, jittered (between half and all of it) so replicas do not retry in step. */
  private backoffMs(attempt: number): number {
    const { initialMs, maxMs } = this.options.retry?.backoff ?? DEFAULT_BACKOFF;
    const ceiling = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /**
   * With tracing, each event of a batch gets its own consumer span, child of its producer's trace
   * context, so a batch does not cut a flow's trace; the event's `traceparent` header then names
   * that span, so the events it causes continue the trace (see `handleBatchOnce`).
   */
  private async inConsumerSpans(
    route: Route,
    events: ConsumedEvent[],
    work: (events: ConsumedEvent[]) => Promise<void>,
  ): Promise<void> {
    if (!this.options.tracing) return work(events);
    const spans = events.map((event) => {
      const span = tracer().startSpan(
        `process ${event.envelope.eventType}`,
        { kind: SpanKind.CONSUMER, attributes: this.spanAttributes(route.topic, event) },
        contextFromHeaders(event.headers),
      );
      event.headers = { ...event.headers, ...traceHeaders(contextWithSpan(span)) };
      return span;
    });
    try {
      await work(events);
    } catch (error) {
      spans.forEach((span) =>
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message }),
      );
      throw error;
    } finally {
      spans.forEach((span) => span.end());
    }
  }

  private spanAttributes(topic: string, event: ConsumedEvent): Record<string, string> {
    const { envelope } = event;
    return {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': this.options.groupId,
      'messaging.message.id': envelope.eventId,
      'throughline.correlation_id': envelope.correlationId,
      'throughline.event_type': envelope.eventType,
    };
  }

  private async decode(
    route: Route,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<ConsumedEvent> {
    if (!message.value) throw new PoisonMessageError('Message has no value');
    const decoded = route.decoder.decode(message.value);
    const record = decoded instanceof Promise ? await decoded : decoded;
    return {
      envelope: record.envelope,
      data: record.data,
      topic,
      partition,
      offset: message.offset,
      headers: headersToStrings(message.headers),
    };
  }

  private async deliver(
    route: Route,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<void> {
    const event = await this.decode(route, topic, partition, message);
    if (!this.options.tracing) return route.handler(event);
    const { envelope } = event;
    await withLogContext(
      { correlationId: envelope.correlationId, eventId: envelope.eventId, eventType: envelope.eventType },
      () =>
        inSpan(
          `process ${envelope.eventType}`,
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromHeaders(event.headers),
            attributes: this.spanAttributes(topic, event),
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
      const delayMs = this.backoffMs(inPlace);
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
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
