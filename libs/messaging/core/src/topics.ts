import { Admin, ITopicConfig, Kafka } from 'kafkajs';

import { TopicDefinition } from '@throughline/contracts';

import { TopicNaming } from './topic-naming';

const LEADER_WAIT_MS = 30_000;

/** Creates the catalog's topics that do not exist yet (partitions, retention, cleanup policy). */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicDefinition[],
  naming = new TopicNaming(),
): Promise<string[]> {
  return createMissing(
    kafka,
    topics.map((topic) => ({
      topic: `${naming.prefix}${topic.name}`,
      numPartitions: topic.partitions,
      replicationFactor: -1,
      configEntries: [
        { name: 'cleanup.policy', value: topic.cleanupPolicy },
        { name: 'retention.ms', value: String(topic.retentionMs) },
      ],
    })),
  );
}

/** Creates plain topics (broker defaults) that do not exist yet, e.g. a consumer group's retry topics. */
export async function ensureTopicsByName(kafka: Kafka, names: readonly string[]): Promise<string[]> {
  return createMissing(
    kafka,
    names.map((topic) => ({ topic })),
  );
}

/**
 * Creates the topics that are missing and returns once every partition of every requested topic
 * has a leader. kafkajs' own `waitForLeaders` gives up when the broker answers "does not host
 * this topic-partition" while a new topic is still being set up (kafkajs#815), so we poll the
 * metadata ourselves; a concurrent creator winning the race is fine.
 */
async function createMissing(kafka: Kafka, topics: readonly ITopicConfig[]): Promise<string[]> {
  if (topics.length === 0) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.topic));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: false, topics: [...missing] }).catch((error: Error) => {
        // Another process created some of them first.
        if (!/already exists/i.test(`${error.message} ${JSON.stringify(error)}`)) throw error;
      });
    }
    await waitForLeaders(
      admin,
      topics.map((topic) => topic.topic),
    );
    return missing.map((topic) => topic.topic);
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, names: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const ready = topics.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready && topics.length === names.length) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`Topics had no leader within ${LEADER_WAIT_MS} ms: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
