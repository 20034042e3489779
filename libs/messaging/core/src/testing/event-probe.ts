import { EventRecord, EventType } from '@throughline/contracts';
import { createLogger } from '@throughline/platform';

import { ConsumedEvent, EventConsumer } from '../consumer';
import { MessagingRuntime } from '../runtime';
import { eventually } from './eventually';

/** A probe that has not joined its group by then never will without help: fail the test setup. */
const JOIN_TIMEOUT_MS = 60_000;

type Matcher<T extends EventType> = (event: ConsumedEvent<T>) => boolean;

/**
 * Listens to event types under a test run's topic prefix and lets a test wait for what services
 * published, and publish inputs as if another service had.
 */
export class EventProbe {
  private readonly received = new Map<EventType, ConsumedEvent[]>();
  private consumer: EventConsumer | undefined;

  constructor(private readonly runtime: MessagingRuntime) {}

  async start(eventTypes: readonly EventType[]): Promise<this> {
    const consumer = new EventConsumer(this.runtime.kafka, this.runtime.codec, {
      groupId: `${this.runtime.naming.prefix}probe-${Math.random().toString(16).slice(2)}`,
      logger: createLogger('probe', 'silent'),
      naming: this.runtime.naming,
    });
    for (const eventType of eventTypes) {
      this.received.set(eventType, []);
      consumer.on(eventType, async (event) => {
        this.received.get(eventType)?.push(event);
      });
    }
    await consumer.start();
    this.consumer = consumer;
    await consumer.waitUntilJoined(JOIN_TIMEOUT_MS);
    return this;
  }

  events<T extends EventType>(eventType: T, matcher: Matcher<T> = () => true): ConsumedEvent<T>[] {
    return ((this.received.get(eventType) ?? []) as ConsumedEvent<T>[]).filter(matcher);
  }

  waitFor<T extends EventType>(
    eventType: T,
    matcher: Matcher<T> = () => true,
    timeoutMs = 30_000,
  ): Promise<ConsumedEvent<T>> {
    return eventually(() => this.events(eventType, matcher)[0], timeoutMs);
  }

  async publish(...records: EventRecord[]): Promise<void> {
    await this.runtime.publisher.publish(records.map((record) => ({ record })));
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
