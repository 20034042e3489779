import { CustomTransportStrategy, EventPattern, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

import { EVENT_TYPES, EventType } from '@throughline/contracts';
import { ConsumedEvent, EventConsumer } from '@throughline/messaging';

const BATCH_EXTRA = 'throughlineBatch';

/**
 * Marks a handler of the events of a fetched batch: it receives `ConsumedEvent<T>[]` (consecutive
 * events of one partition) and must handle them all or none, e.g. with `handleBatchOnce`. See
 * `EventConsumer.onBatch` for how failures are isolated.
 */
export function EventBatchPattern(eventType: EventType): MethodDecorator {
  return EventPattern(eventType, { [BATCH_EXTRA]: true });
}

/**
 * A Nest transport over the messaging lib's consumer, so handlers are plain
 * `@EventPattern('DealWon')` methods receiving a typed `ConsumedEvent`. Delivery guarantees
 * (decoding, retries, dead letters, offset commits) stay in the framework-free consumer.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  constructor(private readonly consumer: EventConsumer) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const pattern of this.messageHandlers.keys()) {
        const eventType = pattern as EventType;
        if (!EVENT_TYPES.includes(eventType)) {
          throw new Error(`@EventPattern('${pattern}') does not name an event type of the catalog`);
        }
        if (this.messageHandlers.get(pattern)?.extras?.[BATCH_EXTRA]) {
          this.consumer.onBatch(eventType, (events) => this.dispatch(pattern, events));
        } else {
          this.consumer.on(eventType, (event) => this.dispatch(pattern, event));
        }
      }
      // A service without event handlers (e.g. pure HTTP ingress) consumes nothing.
      if (this.messageHandlers.size > 0) await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer.stop();
  }

  on(): never {
    throw new Error('KafkaEventTransport does not emit transport events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async dispatch(pattern: string, payload: ConsumedEvent | ConsumedEvent[]): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`No handler for ${pattern}`);
    const result: unknown = await handler(payload);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}
