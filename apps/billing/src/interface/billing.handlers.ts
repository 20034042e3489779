import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { BillingService } from '../application/billing.service';

@Controller()
export class BillingHandlers {
  constructor(
    private readonly billing: BillingService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        projectId: event.data.projectId,
        billingType: event.data.billingType,
      },
      'ProjectCreated',
    );
    await this.billing.provision(event);
  }
}
