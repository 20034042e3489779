import { randomUUID } from 'node:crypto';

import {
  AvroEventCodec,
  createEvent,
  createKafka,
  ensureTopics,
  EventConsumer,
  EventPublisher,
  SchemaRegistryGateway,
  TopicNaming,
} from '@throughline/messaging';
import { EVENTS } from '@throughline/contracts';
import { createLogger } from '@throughline/platform';

import { KAFKA_BROKERS, REGISTRY_URL } from '../stack';

/**
 * Publishes one typed SmokeTested event through the messaging lib (envelope, Avro, registry) and
 * consumes it back, proving Kafka and the registry work together.
 */
export async function runSmokeFlow(print: (line: string) => void): Promise<void> {
  const naming = new TopicNaming();
  const kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: 'throughline-smoke' });
  const codec = new AvroEventCodec(new SchemaRegistryGateway(REGISTRY_URL), { naming });
  await ensureTopics(kafka, [EVENTS.SmokeTested.topic], naming);
  const runId = randomUUID();
  const record = createEvent(
    'SmokeTested',
    { runId, message: 'Hello from Throughline', sentAt: Date.now() },
    { source: 'demo' },
  );

  const consumer = new EventConsumer(kafka, codec, {
    groupId: `throughline-smoke-${runId}`,
    logger: createLogger('smoke', 'warn'),
    naming,
    fromBeginning: false,
  });
  const received = new Promise<unknown>((resolve) => {
    consumer.on('SmokeTested', async (event) => {
      if (event.data.runId === runId) resolve(event);
    });
  });
  const publisher = new EventPublisher(kafka, codec, naming);
  try {
    await publisher.connect();
    await consumer.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    print(`smoke: publishing SmokeTested ${record.envelope.eventId} to ${naming.topicFor('SmokeTested')}`);
    await publisher.publish([{ record }]);
    const event = await Promise.race([
      received,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('SmokeTested not consumed within 30 s')), 30_000),
      ),
    ]);
    print(`smoke: consumed and decoded through the registry:\n${JSON.stringify(event, null, 2)}`);
  } finally {
    await consumer.stop();
    await publisher.disconnect();
  }
}
