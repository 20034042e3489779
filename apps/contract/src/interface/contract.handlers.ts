import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { DealApprovalService } from '../application/deal-approval.service';
import { ProjectSetupService } from '../application/project-setup.service';

/** Kafka entry points: log the event, hand it to one use case. */
@Controller()
export class ContractHandlers {
  constructor(
    private readonly approval: DealApprovalService,
    private readonly setup: ProjectSetupService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('DealWon')
  async onDealWon(@Payload() event: ConsumedEvent<'DealWon'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId });
    await this.approval.dealWon(event);
  }

  @EventPattern('CustomerUpserted')
  async onCustomerUpserted(@Payload() event: ConsumedEvent<'CustomerUpserted'>): Promise<void> {
    this.log(event, { customerId: event.data.customerId });
    await this.approval.customerUpserted(event);
  }

  @EventPattern('LegalEntityUpserted')
  async onLegalEntityUpserted(@Payload() event: ConsumedEvent<'LegalEntityUpserted'>): Promise<void> {
    this.log(event, { legalEntityId: event.data.legalEntityId });
    await this.approval.legalEntityUpserted(event);
  }

  @EventPattern('RateCardUpserted')
  async onRateCardUpserted(@Payload() event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    this.log(event, { rateCardId: event.data.rateCardId });
    await this.approval.rateCardUpserted(event);
  }

  @EventPattern('ProjectTemplateUpserted')
  async onProjectTemplateUpserted(@Payload() event: ConsumedEvent<'ProjectTemplateUpserted'>): Promise<void> {
    this.log(event, { templateId: event.data.templateId });
    await this.approval.projectTemplateUpserted(event);
  }

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.setup.projectCreated(event);
  }

  @EventPattern('StaffingDemandPublished')
  async onStaffingDemandPublished(@Payload() event: ConsumedEvent<'StaffingDemandPublished'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.setup.staffingDemandPublished(event);
  }

  @EventPattern('BillingProvisioned')
  async onBillingProvisioned(@Payload() event: ConsumedEvent<'BillingProvisioned'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.setup.billingProvisioned(event);
  }

  private log(event: ConsumedEvent, ids: Record<string, string>): void {
    this.logger.info(
      { eventId: event.envelope.eventId, correlationId: event.envelope.correlationId, ...ids },
      event.envelope.eventType,
    );
  }
}
