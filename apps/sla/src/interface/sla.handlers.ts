import { Controller, Inject, Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';

import { EventType } from '@throughline/contracts';
import { batchLogFields, ConsumedEvent } from '@throughline/messaging';
import { EventBatchPattern, Logger, LOGGER } from '@throughline/messaging-nest';

import { SlaMonitorService } from '../application/sla-monitor.service';

/**
 * The event handlers for the start and end events of the configured SLAs and the ROI history.
 * Which events those are is configuration, so the class is made per config, with one batch handler
 * per event type (a new SLA over new events is data, not code). Every type is consumed in batches:
 * approvals and priced actuals arrive by the hundred thousand at month end, and a batch of one costs
 * no more than a single event.
 */
export function slaEventHandlers(eventTypes: readonly string[]): Type<unknown> {
  @Controller()
  class SlaEventHandlers {
    constructor(
      private readonly monitor: SlaMonitorService,
      @Inject(LOGGER) private readonly logger: Logger,
    ) {}

    async onEvents(events: ConsumedEvent[]): Promise<void> {
      const first = events[0];
      if (!first) return;
      this.logger.info(batchLogFields(events), first.envelope.eventType);
      await this.monitor.observeBatch(events);
    }
  }
  for (const eventType of eventTypes) {
    const name = `on${eventType}`;
    const descriptor: PropertyDescriptor = {
      value: function (this: SlaEventHandlers, events: ConsumedEvent[]) {
        return this.onEvents(events);
      },
      writable: true,
      configurable: true,
    };
    EventBatchPattern(eventType as EventType)(SlaEventHandlers.prototype, name, descriptor);
    Object.defineProperty(SlaEventHandlers.prototype, name, descriptor);
    Payload()(SlaEventHandlers.prototype, name, 0);
  }
  return SlaEventHandlers;
}
