import { Controller, Inject, Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { SlaMonitorService } from '../application/sla-monitor.service';

/**
 * The event handler for the start and end events of the configured SLAs. Which events those are is
 * configuration, so the class is made per config: one handler subscribed to every such event type
 * (a new SLA over new events is data, not code).
 */
export function slaEventHandlers(eventTypes: readonly string[]): Type<unknown> {
  @Controller()
  class SlaEventHandlers {
    constructor(
      private readonly monitor: SlaMonitorService,
      @Inject(LOGGER) private readonly logger: Logger,
    ) {}

    @EventPattern([...eventTypes])
    async onEvent(@Payload() event: ConsumedEvent): Promise<void> {
      this.logger.info(
        {
          eventId: event.envelope.eventId,
          correlationId: event.envelope.correlationId,
          key: event.envelope.key,
        },
        event.envelope.eventType,
      );
      await this.monitor.observe(event);
    }
  }
  return SlaEventHandlers;
}
