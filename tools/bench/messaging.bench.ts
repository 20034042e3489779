import { randomBytes } from 'node:crypto';

import { Kafka } from 'kafkajs';

import { EVENTS } from '@throughline/contracts';
import {
  AvroEventCodec,
  createEvent,
  createKafka,
  EventConsumer,
  EventPublisher,
  OutgoingEvent,
  SchemaRegistryGateway,
  TopicNaming,
  ensureTopics,
} from '@throughline/messaging';
import { createLogger } from '@throughline/platform';

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
      () => produceRaw(kafka, rawTopic, options, messageBytes),
      () => consumeRaw(kafka, rawTopic, options.count, `bench-${run}-raw`),
    );
    options.progress(`messaging lib: ${options.count} events`);
    const lib = await measure(
      options,
      () => produceLib(kafka, codec, naming, events, options.batchSize),
      () => consumeLib(kafka, codec, naming, options.count, `bench-${run}-lib`),
    );
    return { count: options.count, messageBytes, raw, lib };
  } finally {
    await admin.deleteTopics({ topics: [rawTopic, naming.topicFor('SmokeTested')] }).catch(() => undefined);
    await admin.disconnect();
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

async function produceRaw(
  kafka: Kafka,
  topic: string,
  options: MessagingBenchOptions,
  size: number,
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const value = randomBytes(size);
  for (let sent = 0; sent < options.count; sent += options.batchSize) {
    const n = Math.min(options.batchSize, options.count - sent);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({ key: `bench-${(sent + i) % 1000}`, value })),
    });
  }
  await producer.disconnect();
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

async function consumeRaw(kafka: Kafka, topic: string, count: number, groupId: string): Promise<void> {
  const consumer = kafka.consumer({ groupId });
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .connect()
      .then(() => consumer.subscribe({ topic, fromBeginning: true }))
      .then(() =>
        consumer.run({
          partitionsConsumedConcurrently: PARTITIONS,
          eachBatch: async ({ batch }) => {
            received += batch.messages.length;
            if (received >= count) resolve();
          },
        }),
      )
      .catch(reject);
  });
  await consumer.disconnect();
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
