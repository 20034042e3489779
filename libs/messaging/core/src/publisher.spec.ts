import { Kafka, Partitioners, TopicMessages } from 'kafkajs';

import { sampleEventRecord } from '@throughline/contracts/testing';

import { AvroEventCodec, EventEncoder } from './codec';
import { createEvent } from './envelope';
import { entityPartition, EventPublisher } from './publisher';

function fakeKafka(sendResults: (() => Promise<unknown>)[]) {
  const producers: { sendBatch: jest.Mock; connect: jest.Mock; disconnect: jest.Mock }[] = [];
  const kafka = {
    producer: jest.fn(() => {
      const producer = {
        connect: jest.fn().mockResolvedValue(undefined),
        disconnect: jest.fn().mockResolvedValue(undefined),
        sendBatch: jest.fn(() => (sendResults.shift() ?? (() => Promise.resolve([])))()),
      };
      producers.push(producer);
      return producer;
    }),
  };
  return { kafka: kafka as unknown as Kafka, producers };
}

const codec = {
  encoder: jest.fn().mockResolvedValue({ encode: () => Buffer.from('x') } as unknown as EventEncoder),
} as unknown as AvroEventCodec;

describe('EventPublisher', () => {
  it('replaces the idempotent producer when the broker lost its sequence state', async () => {
    const outOfOrder = Object.assign(new Error('The broker received an out of order sequence number'), {
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    const { kafka, producers } = fakeKafka([() => Promise.reject(outOfOrder)]);
    const publisher = new EventPublisher(kafka, codec);
    await publisher.connect();
    const record = sampleEventRecord('DealWon');

    await expect(publisher.publish([{ record }])).rejects.toThrow(/out of order/);
    expect(producers).toHaveLength(2);
    expect(producers[0]?.disconnect).toHaveBeenCalled();
    expect(producers[1]?.connect).toHaveBeenCalled();

    await publisher.publish([{ record }]);
    expect(producers[1]?.sendBatch).toHaveBeenCalledTimes(1);
  });

  it('sends every dated version of a rate card under its own key, on the partition of the card id (#13 item 1)', async () => {
    const { kafka, producers } = fakeKafka([]);
    const publisher = new EventPublisher(kafka, codec);
    await publisher.connect();
    const october = createEvent(
      'RateCardUpserted',
      { ...sampleEventRecord('RateCardUpserted').data, rateCardId: 'RC-NL-7', effectiveFrom: '2026-10-01' },
      { source: 'ingress' },
    );
    const november = createEvent(
      'RateCardUpserted',
      { ...october.data, effectiveFrom: '2026-11-01' },
      { source: 'ingress' },
    );

    await publisher.publish([{ record: october }, { record: november }]);

    const [{ topicMessages }] = producers[0]?.sendBatch.mock.calls[0] as [{ topicMessages: TopicMessages[] }];
    const messages = topicMessages.flatMap((t) => t.messages);
    expect(messages.map((m) => m.key)).toEqual(['RC-NL-7@2026-10-01', 'RC-NL-7@2026-11-01']);
    // Kafka's default partitioner, given the card id alone, as a Java producer keyed by rateCardId would.
    const byCard = Partitioners.DefaultPartitioner()({
      topic: 'any',
      partitionMetadata: [0, 1, 2].map((partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        partitionErrorCode: 0,
      })),
      message: { key: 'RC-NL-7', value: null },
    });
    expect(messages.map((m) => m.partition)).toEqual([byCard, byCard]);
    expect(entityPartition(sampleEventRecord('DealWon'))).toBeUndefined();
    expect(messages.map((m) => m.headers?.['throughline-data'])).toEqual(['test', 'test']);
  });

  it('keeps the producer on other failures, such as a broker that is down', async () => {
    const { kafka, producers } = fakeKafka([
      () => Promise.reject(new Error('Connection error: ECONNREFUSED')),
    ]);
    const publisher = new EventPublisher(kafka, codec);
    await expect(publisher.publish([{ record: sampleEventRecord('DealWon') }])).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(producers).toHaveLength(1);
  });
});
