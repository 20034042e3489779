import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

import { batchLogFields, ConsumedEvent } from '@throughline/messaging';
import { EventBatchPattern, Logger, LOGGER } from '@throughline/messaging-nest';

import { TimelineRecorder } from '../application/timeline-recorder';
import { ReportedEventType } from '../domain/timeline-entry';

@Controller()
export class ReportingHandlers {
  constructor(
    private readonly recorder: TimelineRecorder,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('DealWon')
  async onDealWon(@Payload() event: ConsumedEvent<'DealWon'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId });
    await this.recorder.record(event);
  }

  @EventPattern('ContractApproved')
  async onContractApproved(@Payload() event: ConsumedEvent<'ContractApproved'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, contractId: event.data.contractId });
    await this.recorder.record(event);
  }

  @EventPattern('ProjectCreated')
  async onProjectCreated(@Payload() event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.recorder.record(event);
  }

  @EventPattern('StaffingDemandPublished')
  async onStaffingDemandPublished(@Payload() event: ConsumedEvent<'StaffingDemandPublished'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.recorder.record(event);
  }

  @EventPattern('BillingProvisioned')
  async onBillingProvisioned(@Payload() event: ConsumedEvent<'BillingProvisioned'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, projectId: event.data.projectId });
    await this.recorder.record(event);
  }

  @EventPattern('ProjectSetupCompleted')
  async onProjectSetupCompleted(@Payload() event: ConsumedEvent<'ProjectSetupCompleted'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, status: event.data.status });
    await this.recorder.record(event);
  }

  @EventPattern('AssignmentChanged')
  async onAssignmentChanged(@Payload() event: ConsumedEvent<'AssignmentChanged'>): Promise<void> {
    this.log(event, { projectId: event.data.projectId, assignmentId: event.data.assignmentId });
    await this.recorder.record(event);
  }

  @EventPattern('BusinessExceptionRaised')
  async onBusinessExceptionRaised(@Payload() event: ConsumedEvent<'BusinessExceptionRaised'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, exceptionId: event.data.exceptionId });
    await this.recorder.record(event);
  }

  @EventPattern('BusinessExceptionResolved')
  async onBusinessExceptionResolved(
    @Payload() event: ConsumedEvent<'BusinessExceptionResolved'>,
  ): Promise<void> {
    this.log(event, { dealId: event.data.dealId, exceptionId: event.data.exceptionId });
    await this.recorder.record(event);
  }

  @EventPattern('SlaBreached')
  async onSlaBreached(@Payload() event: ConsumedEvent<'SlaBreached'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, breachId: event.data.breachId });
    await this.recorder.record(event);
  }

  @EventPattern('SlaRecovered')
  async onSlaRecovered(@Payload() event: ConsumedEvent<'SlaRecovered'>): Promise<void> {
    this.log(event, { dealId: event.data.dealId, breachId: event.data.breachId });
    await this.recorder.record(event);
  }

  @EventPattern('OutboundRecordSynced')
  async onOutboundRecordSynced(@Payload() event: ConsumedEvent<'OutboundRecordSynced'>): Promise<void> {
    this.log(event, { target: event.data.target, externalId: event.data.externalId });
    await this.recorder.record(event);
  }

  @EventPattern('ProjectPlanChanged')
  async onProjectPlanChanged(@Payload() event: ConsumedEvent<'ProjectPlanChanged'>): Promise<void> {
    this.log(event, { projectId: event.data.projectId, changeOrderId: event.data.changeOrderId });
    await this.recorder.record(event);
  }

  @EventPattern('ProjectForecastUpdated')
  async onProjectForecastUpdated(@Payload() event: ConsumedEvent<'ProjectForecastUpdated'>): Promise<void> {
    this.log(event, { projectId: event.data.projectId, triggerEventId: event.data.triggerEventId });
    await this.recorder.record(event);
  }

  @EventPattern('MilestoneCompleted')
  async onMilestoneCompleted(@Payload() event: ConsumedEvent<'MilestoneCompleted'>): Promise<void> {
    this.log(event, { projectId: event.data.projectId, milestoneId: event.data.milestoneId });
    await this.recorder.record(event);
  }

  // Month-end volume: a fetched batch per call, one transaction per projection (see recordBatch).
  @EventBatchPattern('TimeEntryApproved')
  async onTimeEntryApproved(@Payload() events: ConsumedEvent<'TimeEntryApproved'>[]): Promise<void> {
    this.logBatch(events);
    await this.recorder.recordBatch(events);
  }

  @EventBatchPattern('ActualChanged')
  async onActualChanged(@Payload() events: ConsumedEvent<'ActualChanged'>[]): Promise<void> {
    this.logBatch(events);
    await this.recorder.recordBatch(events);
  }

  @EventBatchPattern('InvoiceIssued')
  async onInvoiceIssued(@Payload() events: ConsumedEvent<'InvoiceIssued'>[]): Promise<void> {
    this.logBatch(events);
    await this.recorder.recordBatch(events);
  }

  @EventBatchPattern('PaymentReceived')
  async onPaymentReceived(@Payload() events: ConsumedEvent<'PaymentReceived'>[]): Promise<void> {
    this.logBatch(events);
    await this.recorder.recordBatch(events);
  }

  @EventPattern('RevenueRecognized')
  async onRevenueRecognized(@Payload() event: ConsumedEvent<'RevenueRecognized'>): Promise<void> {
    this.log(event, { projectId: event.data.projectId, recognitionId: event.data.recognitionId });
    await this.recorder.record(event);
  }

  @EventPattern('BillingPeriodClosed')
  async onBillingPeriodClosed(@Payload() event: ConsumedEvent<'BillingPeriodClosed'>): Promise<void> {
    this.log(event, { period: event.data.period });
    await this.recorder.record(event);
  }

  private logBatch(events: readonly ConsumedEvent<ReportedEventType>[]): void {
    const first = events[0];
    if (first) this.logger.info(batchLogFields(events), first.envelope.eventType);
  }

  private log(event: ConsumedEvent<ReportedEventType>, ids: Record<string, string | null>): void {
    this.logger.info(
      { eventId: event.envelope.eventId, correlationId: event.envelope.correlationId, ...ids },
      event.envelope.eventType,
    );
  }
}
