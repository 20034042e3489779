import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { EventType } from '@throughline/contracts';
import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { ActualsService } from '../application/actuals.service';
import { BillingService } from '../application/billing.service';

@Controller()
export class BillingHandlers {
  constructor(
    private readonly billing: BillingService,
    private readonly actuals: ActualsService,
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

  @EventPattern('TimeEntryApproved')
  async onTimeEntryApproved(@Payload() event: ConsumedEvent<'TimeEntryApproved'>): Promise<void> {
    this.log(event, { entryId: event.data.entryId });
    await this.actuals.recordTime(event);
  }

  @EventPattern('ExpenseApproved')
  async onExpenseApproved(@Payload() event: ConsumedEvent<'ExpenseApproved'>): Promise<void> {
    this.log(event, { expenseId: event.data.expenseId });
    await this.actuals.recordExpense(event);
  }
}
