import { Kafka } from 'kafkajs';

import { createLogger } from '@throughline/platform';

import { AvroEventCodec } from './codec';
import { EventConsumer } from './consumer';
import { SchemaRegistryGateway } from './schema-registry';

describe('EventConsumer.waitUntilJoined', () => {
  it('fails with the group named when the group has not joined in time', async () => {
    // Never started: nothing connects, so the group cannot join.
    const kafka = new Kafka({ clientId: 'unit', brokers: ['127.0.0.1:1'] });
    const codec = new AvroEventCodec(new SchemaRegistryGateway('http://127.0.0.1:1'));
    const consumer = new EventConsumer(kafka, codec, {
      groupId: 'unit.group',
      logger: createLogger('unit', 'silent'),
    });
    await expect(consumer.waitUntilJoined(50)).rejects.toThrow(
      'Consumer group unit.group did not join within 50 ms',
    );
  });
});
