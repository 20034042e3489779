import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { DealWriteBack } from '../application/deal-write-back';
import { ErpSync } from '../application/erp-sync';
import { WebhookFanout } from '../application/webhook-fanout';

/**
 * Event types handled here (CRM write-back, ERP); webhook subscribers of other types are wired in
 * WebhookSubscriptions.
 */
export const HANDLED_EVENT_TYPES = [
  'ProjectCreated',
  'ProjectSetupCompleted',
  'InvoiceIssued',
  'CustomerUpserted',
] as const;

@Controller()
export class OutboundHandlers {
  constructor(
    private readonly crm: DealWriteBack,
    private readonly erp: ErpSync,
    private readonly webhooks: WebhookFanout,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.crm.projectCreated(event);
    await this.erp.projectCreated(event);
    await this.webhooks.publish(event);
  }

  @EventPattern('ProjectSetupCompleted')
  async onProjectSetupCompleted(@Payload() event: ConsumedEvent<'ProjectSetupCompleted'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, status: event.data.status });
    await this.crm.setupCompleted(event);
    await this.webhooks.publish(event);
  }

  @EventPattern('InvoiceIssued')
  async onInvoiceIssued(@Payload() event: ConsumedEvent<'InvoiceIssued'>): Promise<void> {
    this.log(event, { invoiceId: event.data.invoiceId });
    await this.crm.invoiceIssued(event);
    await this.erp.invoiceIssued(event);
    await this.webhooks.publish(event);
  }

  @EventPattern('CustomerUpserted')
  async onCustomerUpserted(@Payload() event: ConsumedEvent<'CustomerUpserted'>): Promise<void> {
    this.log(event, { customerId: event.data.customerId });
    await this.erp.customerUpserted(event);
    await this.webhooks.publish(event);
  }

  private log(event: ConsumedEvent, fields: Record<string, string>): void {
    this.logger.info(
      { eventId: event.envelope.eventId, correlationId: event.envelope.correlationId, ...fields },
      event.envelope.eventType,
    );
  }
}
