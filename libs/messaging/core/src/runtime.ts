import { Kafka } from 'kafkajs';
import { Pool } from 'pg';

import { EVENTS, EVENT_TYPES, EventType } from '@throughline/contracts';
import { createDatabaseIfMissing, migrate, MigrationSource } from '@throughline/persistence';
import { ServiceMetrics } from '@throughline/observability';
import { describeError, Logger } from '@throughline/platform';

import { AvroEventCodec } from './codec';
import type { KafkaSecurity, RegistrySecurity } from './connection-config';
import { ConsumerOptions, EventConsumer } from './consumer';
import { DeadLetterPublisher, deadLetterTopic } from './dead-letter';
import { consumerLag, topicDepths } from './lag';
import { createKafka } from './kafka';
import { MESSAGING_MIGRATIONS } from './migrations';
import { OutboxRelay } from './outbox';
import { EventPublisher } from './publisher';
import { SchemaRegistryGateway } from './schema-registry';
import { checkKafkaTls } from './tls-check';
import { TopicNaming } from './topic-naming';
import { ensureTopics } from './topics';

export interface MessagingRuntimeConfig {
  service: string;
  brokers: string[];
  registryUrl: string;
  /** TLS and SASL for Kafka, basic auth and CA for the registry (readMessagingConnection); none when absent. */
  kafkaSecurity?: KafkaSecurity;
  registrySecurity?: RegistrySecurity;
  /** The service's own database. */
  databaseUrl: string;
  databaseName: string;
  /** The service's own SQL migrations; the outbox and inbox tables are added automatically. */
  migrations: readonly MigrationSource[];
  /** Event types this service publishes; their writer schemas are resolved at start. */
  publishes: readonly EventType[];
  topicPrefix?: string;
  logger: Logger;
  consumer?: Partial<Omit<ConsumerOptions, 'logger' | 'naming' | 'deadLetters'>>;
}

/**
 * Everything one service needs to take part in the event flow: its database (migrated), Kafka
 * producer and consumer, schema registry codec, outbox relay and dead-letter publisher.
 */
export class MessagingRuntime {
  readonly naming: TopicNaming;
  readonly kafka: Kafka;
  readonly codec: AvroEventCodec;
  readonly publisher: EventPublisher;
  readonly deadLetters: DeadLetterPublisher;
  readonly consumer: EventConsumer;
  readonly pool: Pool;
  readonly relay: OutboxRelay;
  readonly groupId: string;
  readonly metrics: ServiceMetrics;
  private started = false;

  constructor(readonly config: MessagingRuntimeConfig) {
    this.naming = new TopicNaming(config.topicPrefix ?? '');
    this.kafka = createKafka({
      ...config.kafkaSecurity,
      brokers: config.brokers,
      clientId: config.service,
      logger: config.logger,
    });
    this.codec = new AvroEventCodec(
      new SchemaRegistryGateway(config.registryUrl, { security: config.registrySecurity }),
      { naming: this.naming },
    );
    this.publisher = new EventPublisher(this.kafka, this.codec, this.naming);
    this.deadLetters = new DeadLetterPublisher(this.kafka);
    this.groupId = config.consumer?.groupId ?? `${this.naming.prefix}throughline.${config.service}`;
    const consumedTopics = () => this.consumer.eventTypes.map((eventType) => this.naming.topicFor(eventType));
    this.metrics = new ServiceMetrics(config.service, {
      consumerLag: () => consumerLag(this.kafka, this.groupId, consumedTopics()),
      deadLetterDepth: () =>
        topicDepths(
          this.kafka,
          consumedTopics().map((topic) => deadLetterTopic(topic, this.groupId)),
        ),
      outboxBacklog: () => this.relay.backlog(),
      outboxParked: () => this.relay.parked(),
    });
    const metrics = this.metrics;
    this.consumer = new EventConsumer(this.kafka, this.codec, {
      ...config.consumer,
      groupId: this.groupId,
      logger: config.logger,
      naming: this.naming,
      deadLetters: this.deadLetters,
      tracing: true,
      observer: {
        handled: (eventType, group, seconds) => {
          metrics.eventsConsumed.inc({ event_type: eventType, group, outcome: 'handled' });
          metrics.handlerDuration.observe({ event_type: eventType, group }, seconds);
        },
        retried: (eventType, group, tier) => {
          metrics.eventsConsumed.inc({ event_type: eventType, group, outcome: 'retried' });
          metrics.retries.inc({ event_type: eventType, group, tier: String(tier) });
        },
        deadLettered: (eventType, group) =>
          metrics.eventsConsumed.inc({ event_type: eventType, group, outcome: 'dead_lettered' }),
      },
    });
    this.pool = new Pool({ connectionString: config.databaseUrl, max: 5 });
    // An idle client losing its connection (database restart) must not crash the process.
    this.pool.on('error', (error) =>
      config.logger.warn({ error: describeError(error) }, 'database connection lost'),
    );
    this.relay = new OutboxRelay(this.pool, this.publisher, {
      logger: config.logger,
      onPublished: (records) =>
        records.forEach((record) => metrics.eventsPublished.inc({ event_type: record.envelope.eventType })),
    });
  }

  /** Creates and migrates the database, the topics and the writer schemas, then starts relaying. */
  async start(): Promise<void> {
    const { logger } = this.config;
    // A certificate this service does not trust fails the start at once, naming the remedy.
    await checkKafkaTls({ ...this.config.kafkaSecurity, brokers: this.config.brokers });
    await createDatabaseIfMissing(this.config.databaseName, this.config.databaseUrl);
    const applied = await migrate(this.config.databaseUrl, [MESSAGING_MIGRATIONS, ...this.config.migrations]);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    await ensureTopics(
      this.kafka,
      EVENT_TYPES.map((eventType) => EVENTS[eventType].topic),
      this.naming,
    );
    // Best effort: with the registry down the service still starts; publishing and decoding
    // retry until it is back.
    await this.codec
      .prepare(this.config.publishes)
      .catch((error: unknown) =>
        logger.warn(
          { error: describeError(error) },
          'schema registry unavailable at start; will retry on use',
        ),
      );
    await this.publisher.connect();
    await this.deadLetters.connect();
    this.relay.start();
    this.started = true;
    logger.info({ groupId: this.groupId, topicPrefix: this.naming.prefix }, 'messaging started');
  }

  /** Drains: the consumer finishes its in-flight handler and commits, the relay its batch. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.consumer.stop().catch(() => undefined);
    await this.relay.stop();
    await this.publisher.disconnect();
    await this.deadLetters.disconnect();
    await this.pool.end();
  }

  async healthy(): Promise<boolean> {
    if (!this.started) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
