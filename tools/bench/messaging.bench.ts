import { randomBytes } from 'node:crypto';

import { Kafka } from 'kafkajs';
import { Pool } from 'pg';

import { EVENTS } from '@throughline/contracts';
import {
  AvroEventCodec,
  createEvent,
  createKafka,
  enqueueEvents,
  EventConsumer,
  EventPublisher,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
  OutgoingEvent,
  SchemaRegistryGateway,
  TopicNaming,
  ensureTopics,
} from '@throughline/messaging';
import {
  createDatabaseIfMissing,
  databaseUrlFor,
  dropDatabase,
  migrate,
  withPgTransaction,
} from '@throughline/persistence';
import { createLogger } from '@throughline/platform';

import { consumeRaw, produceRaw } from './raw-kafka';

export interface MessagingBenchOptions {
  count: number;
  batchSize: number;
  brokers: string[];
  registryUrl: string;
  progress: (line: string) => void;
}

export interface Throughput {
  produceMsgsPerSec: number;
  consumeMsgsPerSec: number;
}

export interface MessagingBenchResult {
  count: number;
  messageBytes: number;
  raw: Throughput;
  lib: Throughput;
  /** The outbox relay: events committed to a service's outbox table, published to Kafka (msgs/s). */
  relayMsgsPerSec: number;
}

const PARTITIONS = EVENTS.SmokeTested.topic.partitions;

/**
 * Publishes and consumes `count` small events through the messaging lib (envelope, Avro, registry,
 * idempotent acks=all producer) and the same number of same-sized raw kafkajs messages, on fresh
 * topics, and reports both rates.
 */
export async function runMessagingBench(options: MessagingBenchOptions): Promise<MessagingBenchResult> {
  const run = randomBytes(4).toString('hex');
  const naming = new TopicNaming(`bench.${run}.`);
  const kafka = createKafka({ brokers: options.brokers, clientId: `bench-${run}` });
  const codec = new AvroEventCodec(new SchemaRegistryGateway(options.registryUrl), { naming });
  await ensureTopics(kafka, [EVENTS.SmokeTested.topic], naming);
  const rawTopic = `bench.${run}.raw`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: rawTopic, numPartitions: PARTITIONS }],
  });

  try {
    const events = Array.from({ length: options.count }, (_, i) =>
      createEvent(
        'SmokeTested',
        { runId: `bench-${i % 1000}`, message: 'x'.repeat(16), sentAt: Date.now() },
        { source: 'bench' },
      ),
    );
    const [first] = events;
    if (!first) throw new Error('--count must be at least 1');
    const messageBytes = (await codec.encode(first)).length;

    options.progress(`raw kafkajs: ${options.count} messages of ${messageBytes} bytes`);
    const raw = await measure(
      options,
      () =>
        produceRaw(kafka, rawTopic, {
          count: options.count,
          size: messageBytes,
          batchSize: options.batchSize,
        }),
      () => consumeRaw(kafka, [rawTopic], options.count, `bench-${run}-raw`),
    );
    options.progress(`messaging lib: ${options.count} events`);
    const lib = await measure(
      options,
      () => produceLib(kafka, codec, naming, events, options.batchSize),
      () => consumeLib(kafka, codec, naming, options.count, `bench-${run}-lib`),
    );
    options.progress(`outbox relay: ${options.count} events committed to an outbox, then relayed`);
    const relayMsgsPerSec = await relayThroughput(run, kafka, codec, naming, events, options.batchSize);
    options.progress(`  relay ${relayMsgsPerSec} msg/s`);
    return { count: options.count, messageBytes, raw, lib, relayMsgsPerSec };
  } finally {
    await admin.deleteTopics({ topics: [rawTopic, naming.topicFor('SmokeTested')] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The relay as services run it: the events are committed to `messaging_outbox` in transactions of
 * `batchSize` first, then one OutboxRelay publishes them (its batches of 500, one sendBatch each) and
 * marks them published; the rate is events over the relay's time to an empty backlog.
 */
async function relayThroughput(
  run: string,
  kafka: Kafka,
  codec: AvroEventCodec,
  naming: TopicNaming,
  events: OutgoingEvent['record'][],
  batchSize: number,
): Promise<number> {
  const database = `bench_${run}_outbox`;
  await createDatabaseIfMissing(database);
  const pool = new Pool({ connectionString: databaseUrlFor(database), max: 2 });
  const publisher = new EventPublisher(kafka, codec, naming);
  try {
    await migrate(databaseUrlFor(database), [MESSAGING_MIGRATIONS]);
    for (let queued = 0; queued < events.length; queued += batchSize) {
      await withPgTransaction(pool, (sql) => enqueueEvents(sql, events.slice(queued, queued + batchSize)));
    }
    await publisher.connect();
    const relay = new OutboxRelay(pool, publisher, {
      logger: createLogger('bench-relay', 'warn'),
    });
    const started = process.hrtime.bigint();
    while ((await relay.relayOnce()) > 0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if ((await relay.backlog()) !== 0) throw new Error('the outbox relay left events unpublished');
    return Math.round(events.length / seconds);
  } finally {
    await publisher.disconnect();
    await pool.end();
    await dropDatabase(database);
  }
}

async function measure(
  options: MessagingBenchOptions,
  produce: () => Promise<void>,
  consume: () => Promise<void>,
): Promise<Throughput> {
  const produceStart = process.hrtime.bigint();
  await produce();
  const produceSeconds = Number(process.hrtime.bigint() - produceStart) / 1e9;
  const consumeStart = process.hrtime.bigint();
  await consume();
  const consumeSeconds = Number(process.hrtime.bigint() - consumeStart) / 1e9;
  const result = {
    produceMsgsPerSec: Math.round(options.count / produceSeconds),
    consumeMsgsPerSec: Math.round(options.count / consumeSeconds),
  };
  options.progress(`  produce ${result.produceMsgsPerSec} msg/s, consume ${result.consumeMsgsPerSec} msg/s`);
  return result;
}

async function produceLib(
  kafka: Kafka,
  codec: AvroEventCodec,
  naming: TopicNaming,
  events: OutgoingEvent['record'][],
  batchSize: number,
): Promise<void> {
  const publisher = new EventPublisher(kafka, codec, naming);
  await publisher.connect();
  for (let sent = 0; sent < events.length; sent += batchSize) {
    await publisher.publish(events.slice(sent, sent + batchSize).map((record) => ({ record })));
  }
  await publisher.disconnect();
}

async function consumeLib(
  kafka: Kafka,
  codec: AvroEventCodec,
  naming: TopicNaming,
  count: number,
  groupId: string,
) {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = new EventConsumer(kafka, codec, {
    groupId,
    naming,
    logger: createLogger('bench', 'warn'),
    partitionsConsumedConcurrently: PARTITIONS,
  }).on('SmokeTested', async () => {
    if (++received >= count) done();
  });
  await consumer.start();
  await finished;
  await consumer.stop();
}
