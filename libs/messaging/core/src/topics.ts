import { Kafka } from 'kafkajs';

import { TopicDefinition } from '@throughline/contracts';

import { TopicNaming } from './topic-naming';

/** Creates the catalog's topics that do not exist yet (partitions, retention, cleanup policy). */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly TopicDefinition[],
  naming = new TopicNaming(),
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics
      .map((topic) => ({ ...topic, name: `${naming.prefix}${topic.name}` }))
      .filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: -1,
          configEntries: [
            { name: 'cleanup.policy', value: topic.cleanupPolicy },
            { name: 'retention.ms', value: String(topic.retentionMs) },
          ],
        })),
      });
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
  }
}

/** Creates plain topics (broker defaults) that do not exist yet, e.g. a consumer group's retry topics. */
export async function ensureTopicsByName(kafka: Kafka, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic })) });
    }
  } finally {
    await admin.disconnect();
  }
}
