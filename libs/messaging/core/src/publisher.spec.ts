import { Kafka } from 'kafkajs';

import { sampleEventRecord } from '@throughline/contracts/testing';

import { AvroEventCodec, EventEncoder } from './codec';
import { EventPublisher } from './publisher';

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
