import { Kafka } from 'kafkajs';

import { EVENTS, EVENT_TYPES, EventType } from '@throughline/contracts';
import {
  consumerTopicSpecs,
  createKafka,
  DEFAULT_RETRY_TIERS_MS,
  ensureConsumerTopics,
  ensureTopics,
  TopicNaming,
} from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { ServiceConfig } from '@throughline/messaging-nest';

/**
 * Creates the topics a service creates at start (catalog topics, and its group's retry and
 * dead-letter topics for the events it consumes) and waits until every partition has a leader.
 *
 * Workaround: kafkajs's `createTopics({ waitForLeaders: true })` sometimes fails on freshly created
 * KRaft topics with "This server does not host this topic-partition" (tulios/kafkajs#815), which
 * makes service start fail; reporting creates 27 retry topics at once, so it hits this often. The
 * topics do get created, so a second pass finds them. Delete once libs/messaging tolerates it.
 */
export async function createServiceTopics(
  config: ServiceConfig,
  consumed: readonly EventType[],
): Promise<void> {
  const naming = new TopicNaming(config.topicPrefix);
  const groupId = `${naming.prefix}throughline.${config.service}`;
  const sources = consumed.map((eventType) => naming.topicFor(eventType));
  const options = { retryTiers: DEFAULT_RETRY_TIERS_MS.length, deadLetters: true };
  const all = [
    ...EVENT_TYPES.map((eventType) => naming.topicFor(eventType)),
    ...consumerTopicSpecs(sources, groupId, options).map((spec) => spec.topic),
  ];
  const kafka = createKafka({ brokers: config.brokers, clientId: `${config.service}-test-topics` });
  await eventually(async () => {
    try {
      await ensureTopics(
        kafka,
        EVENT_TYPES.map((eventType) => EVENTS[eventType].topic),
        naming,
      );
      await ensureConsumerTopics(kafka, sources, groupId, options);
      return (await leadersElected(kafka, all)) || undefined;
    } catch {
      return undefined;
    }
  }, 60_000);
}

async function leadersElected(kafka: Kafka, topics: readonly string[]): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.topics.every(
      (topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
    );
  } finally {
    await admin.disconnect();
  }
}
