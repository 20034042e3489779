import { isDlqTopic, parkedTopicFor, parseDlqTopic } from '../domain/dlq-topics';
import { depthOf, DlqSummary, sortByDepth } from '../domain/format';
import { OpsContext, TopicReadRange } from './ports';

/** `dlq list`: every dead-letter topic under the prefix with depth, oldest message and parked count. */
export async function listDeadLetterTopics(context: OpsContext): Promise<DlqSummary[]> {
  const kafka = await context.kafka();
  const topics = new Set(await kafka.listTopics());
  const dlqs = [...topics].filter((topic) => topic.startsWith(context.prefix) && isDlqTopic(topic));
  const offsets = new Map(
    await Promise.all(dlqs.map(async (topic) => [topic, await kafka.partitionOffsets(topic)] as const)),
  );
  const parked = new Map(
    await Promise.all(
      dlqs
        .filter((topic) => topics.has(parkedTopicFor(topic)))
        .map(async (topic) => [topic, depthOf(await kafka.partitionOffsets(parkedTopicFor(topic)))] as const),
    ),
  );
  // The oldest message of a topic is the oldest of its partitions' first messages.
  const firstMessages: TopicReadRange[] = [...offsets].flatMap(([topic, partitions]) =>
    partitions
      .filter((p) => p.high > p.low)
      .map((p) => ({ topic, partition: p.partition, start: p.low, end: p.low + 1 })),
  );
  const oldest = new Map<string, number>();
  await kafka.read(firstMessages, async (message) => {
    const current = oldest.get(message.topic);
    if (current === undefined || message.timestamp < current) oldest.set(message.topic, message.timestamp);
  });
  const hints = { prefix: context.prefix, catalogTopics: context.catalogTopics };
  return sortByDepth(
    dlqs.map((topic) => {
      const partitions = offsets.get(topic) ?? [];
      const origin = parseDlqTopic(topic, hints);
      return {
        topic,
        sourceTopic: origin?.sourceTopic ?? null,
        group: origin?.group ?? null,
        depth: depthOf(partitions),
        partitions,
        oldestTimestamp: oldest.get(topic) ?? null,
        parked: parked.get(topic) ?? 0,
      };
    }),
  );
}
