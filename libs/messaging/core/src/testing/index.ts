import { Kafka } from 'kafkajs';

import { EVENTS, EventType } from '@throughline/contracts';
import { randomSuffix } from '@throughline/persistence/testing';
import { createLogger, Logger } from '@throughline/platform';

import { AvroEventCodec, CodecOptions } from '../codec';
import { createKafka, parseBrokers } from '../kafka';
import { SchemaRegistryGateway } from '../schema-registry';
import { TopicNaming } from '../topic-naming';
import { ensureTopics } from '../topics';
import { trackTestTopics } from './topic-cleanup';

export const TEST_BROKERS = parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092');
export const TEST_REGISTRY_URL =
  process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/**
 * Everything a messaging test needs against the real stack, under a random topic prefix so test
 * runs never see each other's messages or subjects.
 */
export interface MessagingTestContext {
  kafka: Kafka;
  naming: TopicNaming;
  registry: SchemaRegistryGateway;
  logger: Logger;
  codec(options?: Omit<CodecOptions, 'naming'>): AvroEventCodec;
  groupId(name: string): string;
}

export async function createMessagingTestContext(
  eventTypes: readonly EventType[],
): Promise<MessagingTestContext> {
  const run = randomSuffix();
  const naming = new TopicNaming(`test.${run}.`);
  trackTestTopics(naming.prefix);
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: `test-${run}` });
  const registry = new SchemaRegistryGateway(TEST_REGISTRY_URL);
  const logger = createLogger('test', process.env['LOG_LEVEL'] ?? 'silent');
  await ensureTopics(
    kafka,
    eventTypes.map((eventType) => EVENTS[eventType].topic),
    naming,
  );
  return {
    kafka,
    naming,
    registry,
    logger,
    codec: (options = {}) => new AvroEventCodec(registry, { ...options, naming }),
    groupId: (name) => `test-${run}-${name}`,
  };
}

export * from './eventually';
export * from './topic-cleanup';
export * from './event-probe';
