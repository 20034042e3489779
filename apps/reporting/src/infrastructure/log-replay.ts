import { Admin, SeekEntry } from 'kafkajs';

import { EventType } from '@throughline/contracts';
import { EventBatchHandler, EventConsumer, EventHandler, MessagingRuntime } from '@throughline/messaging';
import { describeError, Logger } from '@throughline/platform';

import { SourceOffset } from '../domain/history-check';
import { PartitionLag } from '../domain/projection';

interface TopicOffsets {
  topic: string;
  partitions: SeekEntry[];
}

/**
 * A temporary consumer that reads the event log again, in its own consumer group, from the
 * beginning or from a point in time. It has no retry or dead-letter topics: a failing event is
 * retried in place, because a rebuild that skipped events would not be a faithful copy.
 */
export class LogReplay {
  private readonly consumer: EventConsumer;

  constructor(
    private readonly runtime: MessagingRuntime,
    readonly groupId: string,
    private readonly eventTypes: readonly EventType[],
    private readonly logger: Logger,
  ) {
    this.consumer = new EventConsumer(runtime.kafka, runtime.codec, {
      groupId,
      logger,
      naming: runtime.naming,
      fromBeginning: true,
      // The recorder serialises what must be serialised (per project, exception and deal locks).
      partitionsConsumedConcurrently: 3,
    });
  }

  /**
   * Positions a new group at the first event at or after `timestamp` (Kafka's record timestamp) on
   * every partition. A group that already committed offsets (a resumed rebuild) is left where it is.
   */
  async startAt(timestamp: number): Promise<void> {
    const admin = this.runtime.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: this.topics() });
      if (committed.some((topic) => topic.partitions.some((partition) => Number(partition.offset) >= 0)))
        return;
      const targets = await Promise.all(
        this.topics().map(async (topic) => ({
          topic,
          partitions: await admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
        })),
      );
      await this.commitOffsets(admin, targets);
    } finally {
      await admin.disconnect();
    }
  }

  /** `batched` event types go to `batchHandler` a fetched batch at a time, the rest one by one. */
  async start(
    handler: EventHandler,
    batched: readonly EventType[] = [],
    batchHandler?: EventBatchHandler,
  ): Promise<void> {
    for (const eventType of this.eventTypes) {
      if (batchHandler && batched.includes(eventType)) this.consumer.onBatch(eventType, batchHandler);
      else this.consumer.on(eventType, handler);
    }
    await this.consumer.start();
  }

  lag(): Promise<PartitionLag[]> {
    return replayLag(this.runtime, this.groupId, this.eventTypes);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  /** Deletes the (stopped) group, so finished rebuilds leave no consumer groups behind. */
  async forget(): Promise<void> {
    const admin = this.runtime.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.logger.warn(
        { groupId: this.groupId, error: describeError(error) },
        'could not delete rebuild group',
      );
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Commits the group's start offsets on every topic at once. kafkajs's `admin.setOffsets` does one
   * topic at a time, each with its own group join (seconds each); this joins once: a member that
   * fetches nothing seeks every partition (kafkajs commits a seek) and leaves once all are committed.
   */
  private async commitOffsets(admin: Admin, targets: readonly TopicOffsets[]): Promise<void> {
    const topics = targets.map((target) => target.topic);
    const expected = new Map(
      targets.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => [`${topic}:${partition}`, offset] as const),
      ),
    );
    const member = this.runtime.kafka.consumer({ groupId: this.groupId });
    await member.connect();
    try {
      await member.subscribe({ topics, fromBeginning: true });
      await member.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined });
      member.pause(topics.map((topic) => ({ topic })));
      for (const { topic, partitions } of targets) {
        for (const { partition, offset } of partitions) member.seek({ topic, partition, offset });
      }
      const deadline = Date.now() + 60_000;
      for (;;) {
        const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
        const done = committed.every(({ topic, partitions }) =>
          partitions.every(({ partition, offset }) => expected.get(`${topic}:${partition}`) === offset),
        );
        if (done) return;
        if (Date.now() > deadline) throw new Error(`Could not position rebuild group ${this.groupId}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await member.disconnect();
    }
  }

  private topics(): string[] {
    return this.eventTypes.map((eventType) => this.runtime.naming.topicFor(eventType));
  }
}

/**
 * Lag of a replay group on every partition of the replayed topics (from any instance). Unlike
 * `consumerLag` of the messaging lib, a partition the group has not committed yet counts from its
 * log start, not from offset 0: a partition whose records were all removed by retention yields no
 * message to commit, and counting from 0 would keep such a rebuild from ever catching up.
 */
export async function replayLag(
  runtime: MessagingRuntime,
  groupId: string,
  eventTypes: readonly EventType[],
): Promise<PartitionLag[]> {
  const admin = runtime.kafka.admin();
  await admin.connect();
  try {
    const topics = eventTypes.map((eventType) => runtime.naming.topicFor(eventType));
    const committed = await admin.fetchOffsets({ groupId, topics });
    const rows: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const log = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const { partition, offset } of partitions) {
        const end = Number(log.get(partition)?.high ?? 0);
        const position = Number(offset) >= 0 ? Number(offset) : Number(log.get(partition)?.low ?? 0);
        rows.push({ topic, partition, lag: Math.max(0, end - position) });
      }
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Where a replay of `eventTypes` starts on every partition: the log start offset, or for a rebuild
 * from a point in time the first offset at or after it. Taken when a rebuild begins, these are the
 * first offsets the rebuilt projection consumed.
 */
export async function replayStartOffsets(
  runtime: MessagingRuntime,
  eventTypes: readonly EventType[],
  timestamp: number | null,
): Promise<SourceOffset[]> {
  const admin = runtime.kafka.admin();
  await admin.connect();
  try {
    const rows: SourceOffset[] = [];
    for (const eventType of eventTypes) {
      const topic = runtime.naming.topicFor(eventType);
      const offsets =
        timestamp === null
          ? (await admin.fetchTopicOffsets(topic)).map(({ partition, low }) => ({ partition, offset: low }))
          : await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
      rows.push(...offsets.map(({ partition, offset }) => ({ topic, partition, offset: Number(offset) })));
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}
