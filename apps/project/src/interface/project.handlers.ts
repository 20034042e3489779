import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { PlanService } from '../application/plan.service';
import { ProjectService } from '../application/project.service';

@Controller()
export class ProjectHandlers {
  constructor(
    private readonly projects: ProjectService,
    private readonly plans: PlanService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('ContractApproved')
  async onContractApproved(@Payload() event: ConsumedEvent<'ContractApproved'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        contractId: event.data.contractId,
        dealId: event.data.dealId,
      },
      'ContractApproved',
    );
    await this.projects.approveContract(event);
  }

  @EventPattern('ProjectTemplateUpserted')
  async onProjectTemplateUpserted(@Payload() event: ConsumedEvent<'ProjectTemplateUpserted'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        templateId: event.data.templateId,
      },
      'ProjectTemplateUpserted',
    );
    await this.projects.upsertTemplate(event);
  }

  @EventPattern('RateCardUpserted')
  async onRateCardUpserted(@Payload() event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        rateCardId: event.data.rateCardId,
      },
      'RateCardUpserted',
    );
    await this.projects.upsertRateCard(event);
  }

  @EventPattern('ChangeOrderApproved')
  async onChangeOrderApproved(@Payload() event: ConsumedEvent<'ChangeOrderApproved'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        changeOrderId: event.data.changeOrderId,
        projectId: event.data.projectId,
      },
      'ChangeOrderApproved',
    );
    await this.plans.applyChangeOrder(event);
  }

  @EventPattern('AssignmentChanged')
  async onAssignmentChanged(@Payload() event: ConsumedEvent<'AssignmentChanged'>): Promise<void> {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        assignmentId: event.data.assignmentId,
        projectId: event.data.projectId,
      },
      'AssignmentChanged',
    );
    await this.plans.recordAssignment(event);
  }
}
