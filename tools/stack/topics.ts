import {
  checkKafkaTls,
  createKafka,
  ensureTopicSpecs,
  expectedTopicSpecs,
  loadMessagingConnection,
  topicDrift,
  TopicDrift,
  TopicNaming,
} from '@throughline/messaging';

import { KAFKA_BROKERS } from './config';

/**
 * Compares the broker's topics with schemas/catalog.json: every catalog topic, and every retry and
 * dead-letter topic of its consumer groups (by name pattern), in partitions, retention and cleanup
 * policy. With `fix`, creates what is missing and sets retention and cleanup policy back first
 * (partition counts are only reported: adding partitions moves keys).
 */
export async function checkTopics(options: { prefix?: string; fix?: boolean } = {}): Promise<TopicDrift[]> {
  // The same variables as the services (KAFKA_TLS*, KAFKA_SASL_*), so a real cluster can be checked too.
  const { kafka: connection } = loadMessagingConnection({
    ...process.env,
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] || KAFKA_BROKERS,
  });
  await checkKafkaTls(connection);
  const kafka = createKafka({ ...connection, clientId: 'throughline-stack-topics' });
  const naming = new TopicNaming(options.prefix ?? process.env['TOPIC_PREFIX'] ?? '');
  const specs = await expectedTopicSpecs(kafka, naming);
  if (options.fix) await ensureTopicSpecs(kafka, specs);
  return topicDrift(kafka, specs);
}

export function formatDrift(drift: readonly TopicDrift[]): string {
  if (drift.length === 0) return 'every topic matches the catalog';
  return drift.map((d) => `${d.topic}: ${d.setting} is ${d.actual}, catalog says ${d.expected}`).join('\n');
}
