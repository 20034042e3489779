import { randomBytes } from 'node:crypto';

import { Kafka } from 'kafkajs';

/** Partitions of the raw baseline topics (as the catalog's topics). */
export const RAW_PARTITIONS = 6;

export async function createRawTopic(
  kafka: Kafka,
  topic: string,
  partitions = RAW_PARTITIONS,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
}

/** Sends `count` random messages of `size` bytes, `batchSize` per acks=all request of an idempotent producer. */
export async function produceRaw(
  kafka: Kafka,
  topic: string,
  options: { count: number; size: number; batchSize: number },
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const value = randomBytes(options.size);
  try {
    for (let sent = 0; sent < options.count; sent += options.batchSize) {
      const n = Math.min(options.batchSize, options.count - sent);
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: n }, (_, i) => ({ key: `bench-${(sent + i) % 1000}`, value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads topics from the beginning with a fresh group until `count` messages have arrived; `onJoin`
 * is called once the group has its partitions.
 */
export async function consumeRaw(
  kafka: Kafka,
  topics: readonly string[],
  count: number,
  groupId: string,
  onJoin: () => void = () => undefined,
): Promise<void> {
  const consumer = kafka.consumer({ groupId });
  consumer.on(consumer.events.GROUP_JOIN, () => onJoin());
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .connect()
        .then(() => consumer.subscribe({ topics: [...topics], fromBeginning: true }))
        .then(() =>
          consumer.run({
            partitionsConsumedConcurrently: RAW_PARTITIONS,
            eachBatch: async ({ batch }) => {
              received += batch.messages.length;
              if (received >= count) resolve();
            },
          }),
        )
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await deleteGroup(kafka, groupId);
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
}

/**
 * The raw broker baseline of a pipeline: `count` messages of `size` bytes produced in batches while a
 * plain consumer (already in its group) reads them, timed from the first send to the last message
 * received.
 */
export async function rawRoundTrip(
  kafka: Kafka,
  topic: string,
  options: { count: number; size: number; batchSize: number },
): Promise<{ ms: number }> {
  await createRawTopic(kafka, topic);
  let joined!: () => void;
  const inGroup = new Promise<void>((resolve) => (joined = resolve));
  const consumed = consumeRaw(kafka, [topic], options.count, `${topic}.reader`, () => joined());
  await Promise.race([inGroup, consumed]);
  const start = performance.now();
  await Promise.all([produceRaw(kafka, topic, options), consumed]);
  return { ms: performance.now() - start };
}
