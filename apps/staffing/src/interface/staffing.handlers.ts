import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { StaffingService } from '../application/staffing.service';

@Controller()
export class StaffingHandlers {
  constructor(
    private readonly staffing: StaffingService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        projectId: event.data.projectId,
      },
      'ProjectCreated',
    );
    await this.staffing.publishDemand(event);
  }

  @EventPattern('ProjectPlanChanged')
  async onProjectPlanChanged(@Payload() event: ConsumedEvent<'ProjectPlanChanged'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        projectId: event.data.projectId,
        planVersion: event.data.planVersion,
      },
      'ProjectPlanChanged',
    );
    await this.staffing.updateDemand(event);
  }
}
