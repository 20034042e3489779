import { Controller, INestMicroservice } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';

import { ConsumedEvent, EventConsumer, EventHandler } from '@throughline/messaging';

import { KafkaEventTransport } from './kafka-event.transport';

const handled = jest.fn();

@Controller()
class DealHandlers {
  @EventPattern('DealWon')
  async onDealWon(@Payload() event: ConsumedEvent<'DealWon'>): Promise<void> {
    handled(event.data.dealId);
  }
}

@Controller()
class TypoHandlers {
  @EventPattern('DealWonn')
  async onTypo(): Promise<void> {
    handled('never');
  }
}

function fakeConsumer() {
  const handlers = new Map<string, EventHandler>();
  const consumer: { on: jest.Mock; start: jest.Mock; stop: jest.Mock } = {
    on: jest.fn((eventType: string, handler: EventHandler) => handlers.set(eventType, handler) && consumer),
    start: jest.fn().mockResolvedValue(undefined),
    stop: jest.fn().mockResolvedValue(undefined),
  };
  return { consumer, handlers };
}

async function startMicroservice(
  controller: new () => unknown,
  consumer: unknown,
): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({ controllers: [controller] }).compile();
  const app = moduleRef.createNestMicroservice({
    strategy: new KafkaEventTransport(consumer as EventConsumer),
  });
  await app.listen();
  return app;
}

describe('KafkaEventTransport', () => {
  it('routes consumed events to @EventPattern handlers by event type', async () => {
    const { consumer, handlers } = fakeConsumer();
    const app = await startMicroservice(DealHandlers, consumer);
    expect(consumer.start).toHaveBeenCalled();
    await handlers.get('DealWon')?.({ data: { dealId: 'D-9' } } as ConsumedEvent);
    expect(handled).toHaveBeenCalledWith('D-9');
    await app.close();
    expect(consumer.stop).toHaveBeenCalled();
  });

  it('refuses a pattern that is not an event type of the catalog', async () => {
    const { consumer } = fakeConsumer();
    await expect(startMicroservice(TypoHandlers, consumer)).rejects.toThrow(/DealWonn/);
    expect(consumer.start).not.toHaveBeenCalled();
  });
});
