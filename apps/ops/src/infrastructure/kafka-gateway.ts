import { randomBytes } from 'node:crypto';
import { Admin, Kafka, KafkaMessage, Producer, TopicMessages } from 'kafkajs';

import { checkKafkaTls, createKafka, KafkaConnection, waitForLeaders } from '@throughline/messaging';

import { KafkaPort, NewTopic, OutgoingMessage, TopicReadRange } from '../application/ports';
import { PartitionOffset } from '../domain/commands';
import { DeadLetter } from '../domain/dead-letter';
import { PartitionOffsets } from '../domain/filters';
import { probeBrokers } from './broker-probe';

/** A read that has seen nothing new for this long has lost its way (e.g. a partition went away). */
const READ_IDLE_TIMEOUT_MS = 30_000;
/** How long a topic created here may take to get partition leaders. */
const TOPIC_READY_TIMEOUT_MS = 15_000;

/**
 * Kafka for the ops CLI: one admin client, a producer on first send, and a throwaway consumer group
 * per read (kafkajs only reads through groups; the group never commits and is deleted afterwards).
 * Topics are never auto-created as a side effect of reading or writing.
 */
export class KafkaGateway implements KafkaPort {
  private producer: Producer | undefined;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly prefix: string,
  ) {}

  static async connect(settings: { connection: KafkaConnection; prefix: string }): Promise<KafkaGateway> {
    await probeBrokers(settings.connection.brokers);
    await checkKafkaTls(settings.connection);
    const kafka = createKafka({ ...settings.connection, clientId: 'throughline-ops' });
    const admin = kafka.admin();
    await admin.connect();
    return new KafkaGateway(kafka, admin, settings.prefix);
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.admin.disconnect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async partitionOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets
      .map(({ partition, low, high }) => ({ partition, low: Number(low), high: Number(high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async offsetsAt(topic: string, timestamp: number): Promise<PartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return offsets
      .map(({ partition, offset }) => ({ partition, offset: Number(offset) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async ensureTopic(topic: NewTopic): Promise<boolean> {
    if ((await this.admin.listTopics()).includes(topic.name)) {
      // It may have been created a moment ago (by a service's retry tier) and not be served yet.
      await waitForLeaders(this.admin, [topic.name], TOPIC_READY_TIMEOUT_MS);
      return false;
    }
    const created = await this.admin.createTopics({
      topics: [
        {
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: -1,
          configEntries: Object.entries(topic.config ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    await waitForLeaders(this.admin, [topic.name], TOPIC_READY_TIMEOUT_MS);
    return created;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      this.producer = producer;
    }
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, key, value, headers } of messages) {
      const entry = byTopic.get(topic) ?? { topic, messages: [] };
      entry.messages.push({ key, value, headers });
      byTopic.set(topic, entry);
    }
    await this.producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
  }

  async deleteRecordsBefore(topic: string, offsets: readonly PartitionOffset[]): Promise<void> {
    await this.admin.deleteTopicRecords({
      topic,
      partitions: offsets.map(({ partition, offset }) => ({ partition, offset: String(offset) })),
    });
  }

  async read(
    ranges: readonly TopicReadRange[],
    visit: (message: DeadLetter) => Promise<boolean | void>,
  ): Promise<void> {
    const pending = new Map(
      ranges
        .filter((range) => range.end > range.start)
        .map((range) => [slot(range.topic, range.partition), range]),
    );
    if (pending.size === 0) return;
    const groupId = `${this.prefix}throughline-ops-reader-${randomBytes(6).toString('hex')}`;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      retry: { retries: 3 },
    });
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let lastActivity = Date.now();
    let stopped = false;
    const stop = (error?: unknown) => {
      if (stopped) return;
      stopped = true;
      if (error === undefined) settle.resolve();
      else settle.reject(error);
    };
    consumer.on(consumer.events.CRASH, ({ payload }) => stop(payload.error));
    const watchdog = setInterval(() => {
      if (Date.now() - lastActivity < READ_IDLE_TIMEOUT_MS) return;
      const waiting = [...pending.values()].map((range) => `${range.topic}[${range.partition}]`).join(', ');
      stop(new Error(`reading stalled for ${READ_IDLE_TIMEOUT_MS / 1_000} s waiting for ${waiting}`));
    }, 1_000);
    try {
      await consumer.connect();
      const topics = [...new Set([...pending.values()].map((range) => range.topic))];
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          lastActivity = Date.now();
          const key = slot(batch.topic, batch.partition);
          const range = pending.get(key);
          if (!range || stopped) return;
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < range.start) continue;
            if (offset >= range.end) break;
            if ((await visit(deadLetter(batch.topic, batch.partition, message))) === false) return stop();
            if (offset >= range.end - 1) break;
          }
          const last = Number(batch.lastOffset());
          if (last >= range.end - 1) pending.delete(key);
          if (pending.size === 0) stop();
          await heartbeat();
        },
      });
      for (const range of pending.values()) {
        consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.start) });
      }
      await finished;
    } finally {
      clearInterval(watchdog);
      await consumer.disconnect().catch(() => undefined);
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }
}

function slot(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function deadLetter(topic: string, partition: number, message: KafkaMessage): DeadLetter {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: { ...(message.headers ?? {}) },
  };
}
