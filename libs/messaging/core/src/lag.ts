import { Kafka } from 'kafkajs';

import { DepthRow, LagRow } from '@throughline/observability';

/** Per-partition lag of a consumer group: log end offset minus committed offset. */
export async function consumerLag(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<LagRow[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const rows: LagRow[] = [];
    for (const { topic, partitions } of committed) {
      const bounds = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const { partition, offset } of partitions) {
        const end = Number(bounds.get(partition)?.high ?? 0);
        // No committed offset yet: the group starts at the log start, which retention may have moved.
        const position = Number(offset) < 0 ? Number(bounds.get(partition)?.low ?? 0) : Number(offset);
        rows.push({ group: groupId, topic, partition, lag: Math.max(0, end - position) });
      }
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}

/** Messages held in each topic (end minus start offset, over all partitions); missing topics are 0. */
export async function topicDepths(kafka: Kafka, topics: readonly string[]): Promise<DepthRow[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const rows: DepthRow[] = [];
    for (const topic of topics) {
      if (!existing.has(topic)) {
        rows.push({ topic, depth: 0 });
        continue;
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      rows.push({ topic, depth: offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0) });
    }
    return rows;
  } finally {
    await admin.disconnect();
  }
}
