import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { EventType } from '@throughline/contracts';
import { batchLogFields, ConsumedEvent } from '@throughline/messaging';
import { EventBatchPattern, Logger, LOGGER } from '@throughline/messaging-nest';

import { ActualsService } from '../application/actuals.service';
import { BillingService } from '../application/billing.service';
import { PaymentsService } from '../application/payments.service';
import { TaxService } from '../application/tax.service';

@Controller()
export class BillingHandlers {
  constructor(
    private readonly billing: BillingService,
    private readonly actuals: ActualsService,
    private readonly payments: PaymentsService,
    private readonly tax: TaxService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private log<T extends EventType>(event: ConsumedEvent<T>, fields: Record<string, unknown> = {}): void {
    this.logger.info(
      {
        eventId: event.envelope.eventId,
        correlationId: event.envelope.correlationId,
        key: event.envelope.key,
        ...fields,
      },
      event.envelope.eventType,
    );
  }

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.log(event, { billingType: event.data.billingType });
    await this.billing.provision(event);
  }

  @EventPattern('ProjectPlanChanged')
  async onProjectPlanChanged(@Payload() event: ConsumedEvent<'ProjectPlanChanged'>): Promise<void> {
    this.log(event, { planVersion: event.data.planVersion });
    await this.billing.planChanged(event);
  }

  @EventPattern('MilestoneCompleted')
  async onMilestoneCompleted(@Payload() event: ConsumedEvent<'MilestoneCompleted'>): Promise<void> {
    this.log(event, { milestoneId: event.data.milestoneId });
    await this.actuals.milestoneCompleted(event);
  }

  @EventPattern('RateCardUpserted')
  async onRateCardUpserted(@Payload() event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    this.log(event);
    await this.actuals.upsertRateCard(event);
  }

  @EventPattern('TaxRegimeUpserted')
  async onTaxRegimeUpserted(@Payload() event: ConsumedEvent<'TaxRegimeUpserted'>): Promise<void> {
    this.log(event, { legalEntityId: event.data.legalEntityId });
    await this.tax.regimeUpserted(event);
  }

  @EventPattern('CustomerTaxProfileUpserted')
  async onCustomerTaxProfileUpserted(
    @Payload() event: ConsumedEvent<'CustomerTaxProfileUpserted'>,
  ): Promise<void> {
    this.log(event, { customerId: event.data.customerId });
    await this.tax.customerProfileUpserted(event);
  }

  @EventPattern('AssignmentChanged')
  async onAssignmentChanged(@Payload() event: ConsumedEvent<'AssignmentChanged'>): Promise<void> {
    this.log(event, { assignmentId: event.data.assignmentId });
    await this.actuals.assignmentChanged(event);
  }

  @EventPattern('ProjectForecastUpdated')
  async onProjectForecastUpdated(@Payload() event: ConsumedEvent<'ProjectForecastUpdated'>): Promise<void> {
    this.log(event);
    await this.actuals.forecastUpdated(event);
  }

  @EventBatchPattern('TimeEntryApproved')
  async onTimeEntryApproved(@Payload() events: ConsumedEvent<'TimeEntryApproved'>[]): Promise<void> {
    this.logger.info(batchLogFields(events), 'TimeEntryApproved batch');
    await this.actuals.recordTimes(events);
  }

  @EventPattern('ExpenseApproved')
  async onExpenseApproved(@Payload() event: ConsumedEvent<'ExpenseApproved'>): Promise<void> {
    this.log(event, { expenseId: event.data.expenseId });
    await this.actuals.recordExpense(event);
  }

  @EventPattern('PaymentReceived')
  async onPaymentReceived(@Payload() event: ConsumedEvent<'PaymentReceived'>): Promise<void> {
    this.log(event, { paymentId: event.data.paymentId, invoiceId: event.data.invoiceId });
    await this.payments.paymentReceived(event);
  }
}
