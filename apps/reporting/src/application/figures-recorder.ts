import { Injectable } from '@nestjs/common';

import { ActualStatus } from '@throughline/contracts';
import { ConsumedEvent } from '@throughline/messaging';

import { dayNumber } from '../domain/calendar';
import {
  ACTUAL_STATUS_RANK,
  planChangeFactsOf,
  projectFactsOf,
  StateVersion,
  supersedes,
} from '../domain/time-to-cash';
import { ReportedEventType } from '../domain/timeline-entry';
import { safe, versionAt } from '../infrastructure/figure-rows';
import { lockKeys, ReportingTx } from '../infrastructure/reporting-db';

type Applier<T extends ReportedEventType> = (
  tx: ReportingTx,
  event: ConsumedEvent<T>,
  lock: Lock,
) => Promise<void>;
type Lock = (...keys: string[]) => Promise<void>;

/**
 * Keeps the time-to-cash facts of one projection: one current row per business key, replaced only
 * by a state that supersedes it (see `supersedes`), inside the transaction that records the event
 * in the projection's inbox. A key's row is locked first, so concurrent partitions (a rebuild
 * replays three at once) cannot both insert it.
 */
@Injectable()
export class FiguresRecorder {
  async apply(tx: ReportingTx, schema: string, event: ConsumedEvent<ReportedEventType>): Promise<void> {
    const applier = APPLIERS[event.envelope.eventType] as Applier<ReportedEventType> | undefined;
    if (!applier) return;
    await applier(tx, event, (...keys) =>
      lockKeys(
        tx,
        keys.map((key) => `${schema}:${key}`),
      ),
    );
  }
}

const APPLIERS: { [T in ReportedEventType]?: Applier<T> } = {
  ProjectCreated: async (tx, { data, envelope }, lock) => {
    await lock(`baseline:${data.projectId}`);
    const current = await tx.projectBaseline.findUnique({ where: { projectId: data.projectId } });
    // Created once per project; of two differing copies the greater event id wins, in any order.
    if (!supersedes(versionAt(0, envelope.eventId), current && versionAt(0, current.eventId))) return;
    const facts = projectFactsOf(data);
    const row = {
      dealId: facts.dealId,
      customerId: facts.customerId,
      legalEntityId: facts.legalEntityId,
      name: facts.name,
      currency: facts.currency,
      billingType: facts.billingType,
      startDate: facts.startDate,
      endDate: facts.endDate,
      budgetMinor: BigInt(facts.budgetMinor),
      milestones: facts.milestones as object[],
      roles: facts.roles as object[],
      eventId: envelope.eventId,
    };
    await tx.projectBaseline.upsert({
      where: { projectId: facts.projectId },
      create: { projectId: facts.projectId, ...row },
      update: row,
    });
  },

  ProjectPlanChanged: async (tx, { data, envelope }, lock) => {
    await lock(`plan:${data.projectId}`);
    const current = await tx.projectPlan.findUnique({ where: { projectId: data.projectId } });
    const incoming: StateVersion = { at: data.planVersion, rank: 0, eventId: envelope.eventId };
    if (!supersedes(incoming, current && { at: current.planVersion, rank: 0, eventId: current.eventId }))
      return;
    const facts = planChangeFactsOf(data);
    const row = {
      dealId: facts.dealId,
      planVersion: facts.planVersion,
      changeOrderId: facts.changeOrderId,
      effectiveDate: facts.effectiveDate,
      currency: facts.currency,
      billingType: facts.billingType,
      startDate: facts.startDate,
      endDate: facts.endDate,
      baselineEndDate: facts.baselineEndDate,
      budgetMinor: BigInt(facts.budgetMinor),
      baselineBudgetMinor: BigInt(facts.baselineBudgetMinor),
      milestones: facts.milestones as object[],
      roles: facts.roles as object[],
      eventId: envelope.eventId,
    };
    await tx.projectPlan.upsert({
      where: { projectId: facts.projectId },
      create: { projectId: facts.projectId, ...row },
      update: row,
    });
  },

  ProjectForecastUpdated: async (tx, { data, envelope }, lock) => {
    await lock(`forecast:${data.projectId}`);
    const current = await tx.projectForecast.findUnique({ where: { projectId: data.projectId } });
    if (
      !supersedes(
        versionAt(data.refreshedAt, envelope.eventId),
        current && versionAt(current.refreshedAt, current.eventId),
      )
    )
      return;
    const row = {
      dealId: data.dealId,
      currency: data.currency,
      revenueMinor: BigInt(data.forecastRevenueMinor),
      costMinor: BigInt(data.forecastCostMinor),
      marginMinor: BigInt(data.forecastMarginMinor),
      triggerEventId: data.triggerEventId,
      triggerType: data.triggerType,
      refreshedAt: new Date(data.refreshedAt),
      eventId: envelope.eventId,
    };
    await tx.projectForecast.upsert({
      where: { projectId: data.projectId },
      create: { projectId: data.projectId, ...row },
      update: row,
    });
  },

  AssignmentChanged: async (tx, { data, envelope }, lock) => {
    await lock(`assignment:${data.assignmentId}`);
    const current = await tx.assignment.findUnique({ where: { assignmentId: data.assignmentId } });
    if (
      !supersedes(
        versionAt(envelope.occurredAt, envelope.eventId),
        current && versionAt(current.occurredAt, current.eventId),
      )
    )
      return;
    const row = {
      projectId: data.projectId,
      personId: data.personId,
      role: data.role,
      hoursHundredths: BigInt(data.hoursHundredths),
      startDate: data.startDate,
      endDate: data.endDate,
      currency: data.currency,
      forecastCostMinor: BigInt(data.forecastCostMinor),
      status: data.status,
      occurredAt: new Date(envelope.occurredAt),
      eventId: envelope.eventId,
    };
    await tx.assignment.upsert({
      where: { assignmentId: data.assignmentId },
      create: { assignmentId: data.assignmentId, ...row },
      update: row,
    });
  },

  TimeEntryApproved: async (tx, { data, envelope }, lock) => {
    await lock(`time:${data.entryId}`);
    const current = await tx.approvedTime.findUnique({ where: { entryId: data.entryId } });
    // The first approval wins: an entry approved again (later) changes nothing; of two copies approved
    // at the same moment the greater event id wins, so every order ends in the same row.
    const version = (approvedAt: number, eventId: string) => versionAt(-approvedAt, eventId);
    if (
      !supersedes(
        version(data.approvedAt, envelope.eventId),
        current && version(safe(current.approvedAt), current.eventId),
      )
    )
      return;
    const row = {
      projectId: data.projectId,
      personId: data.personId,
      role: data.role,
      workDate: data.workDate,
      hoursHundredths: BigInt(data.hoursHundredths),
      billable: data.billable,
      approvedAt: BigInt(data.approvedAt),
      approvedBy: data.approvedBy,
      sourceSystem: data.sourceSystem,
      eventId: envelope.eventId,
    };
    await tx.approvedTime.upsert({
      where: { entryId: data.entryId },
      create: { entryId: data.entryId, ...row },
      update: row,
    });
  },

  ActualChanged: async (tx, { data, envelope }, lock) => {
    await lock(`actual:${data.actualId}`);
    const current = await tx.actual.findUnique({ where: { actualId: data.actualId } });
    const incoming = versionAt(data.changedAt, envelope.eventId, ACTUAL_STATUS_RANK[data.status]);
    const stored =
      current &&
      versionAt(current.changedAt, current.eventId, ACTUAL_STATUS_RANK[current.status as ActualStatus]);
    if (!supersedes(incoming, stored)) return;
    const row = {
      kind: data.kind,
      projectId: data.projectId,
      dealId: data.dealId,
      customerId: data.customerId,
      legalEntityId: data.legalEntityId,
      personId: data.personId,
      role: data.role,
      workDate: data.workDate,
      hoursHundredths: BigInt(data.hoursHundredths),
      billable: data.billable,
      currency: data.currency,
      billAmountMinor: BigInt(data.billAmountMinor),
      costAmountMinor: BigInt(data.costAmountMinor),
      billingPeriod: data.billingPeriod,
      status: data.status,
      invoiceId: data.invoiceId,
      approvedAt: new Date(data.approvedAt),
      changedAt: new Date(data.changedAt),
      eventId: envelope.eventId,
    };
    await tx.actual.upsert({
      where: { actualId: data.actualId },
      create: { actualId: data.actualId, ...row },
      update: row,
    });
  },

  InvoiceIssued: async (tx, { data, envelope }, lock) => {
    await lock(`invoice:${data.invoiceId}`);
    const current = await tx.invoice.findUnique({ where: { invoiceId: data.invoiceId } });
    if (
      !supersedes(
        versionAt(data.issuedAt, envelope.eventId),
        current && versionAt(current.issuedAt, current.eventId),
      )
    )
      return;
    const row = {
      invoiceNumber: data.invoiceNumber,
      customerId: data.customerId,
      legalEntityId: data.legalEntityId,
      currency: data.currency,
      billingPeriod: data.billingPeriod,
      issuedOn: data.issuedOn,
      dueDate: data.dueDate,
      totalMinor: BigInt(data.totalMinor),
      issuedAt: new Date(data.issuedAt),
      eventId: envelope.eventId,
    };
    await tx.invoice.upsert({
      where: { invoiceId: data.invoiceId },
      create: { invoiceId: data.invoiceId, ...row },
      update: row,
    });
    await tx.invoiceLine.deleteMany({ where: { invoiceId: data.invoiceId } });
    await tx.invoiceLine.createMany({
      data: data.lines.map((line) => ({
        invoiceId: data.invoiceId,
        lineId: line.lineId,
        projectId: line.projectId,
        dealId: line.dealId,
        kind: line.kind,
        description: line.description,
        quantityHundredths: line.quantityHundredths === null ? null : BigInt(line.quantityHundredths),
        unitPriceMinor: line.unitPriceMinor === null ? null : BigInt(line.unitPriceMinor),
        amountMinor: BigInt(line.amountMinor),
        sourceIds: [...line.sourceIds],
      })),
    });
  },

  PaymentReceived: async (tx, { data, envelope }, lock) => {
    await lock(`payment:${data.paymentId}`);
    const current = await tx.payment.findUnique({ where: { paymentId: data.paymentId } });
    // A payment id received again changes nothing; the greater event id only makes the survivor
    // of two differing copies independent of their order.
    if (!supersedes(versionAt(0, envelope.eventId), current && versionAt(0, current.eventId))) return;
    const row = {
      invoiceId: data.invoiceId,
      customerId: data.customerId,
      currency: data.currency,
      amountMinor: BigInt(data.amountMinor),
      receivedOn: data.receivedOn,
      reference: data.reference,
      eventId: envelope.eventId,
    };
    await tx.payment.upsert({
      where: { paymentId: data.paymentId },
      create: { paymentId: data.paymentId, ...row },
      update: row,
    });
  },

  RevenueRecognized: async (tx, { data, envelope }, lock) => {
    await lock(`revenue:${data.recognitionId}`);
    const current = await tx.revenueRecognition.findUnique({ where: { recognitionId: data.recognitionId } });
    if (
      !supersedes(
        versionAt(envelope.occurredAt, envelope.eventId),
        current && versionAt(current.occurredAt, current.eventId),
      )
    )
      return;
    const row = {
      projectId: data.projectId,
      dealId: data.dealId,
      period: data.period,
      revenueRule: data.revenueRule,
      currency: data.currency,
      amountMinor: BigInt(data.amountMinor),
      cumulativeMinor: BigInt(data.cumulativeMinor),
      percentCompleteBasisPoints: data.percentCompleteBasisPoints,
      occurredAt: new Date(envelope.occurredAt),
      eventId: envelope.eventId,
    };
    await tx.revenueRecognition.upsert({
      where: { recognitionId: data.recognitionId },
      create: { recognitionId: data.recognitionId, ...row },
      update: row,
    });
  },

  MilestoneCompleted: async (tx, { data, envelope }, lock) => {
    await lock(`milestone:${data.projectId}:${data.milestoneId}`);
    const key = { projectId: data.projectId, milestoneId: data.milestoneId };
    const current = await tx.milestoneCompletion.findUnique({ where: { projectId_milestoneId: key } });
    // The earliest completion wins: a milestone completed again stays completed on its first date.
    const version = (completedOn: string, eventId: string) => versionAt(-dayNumber(completedOn), eventId);
    if (
      !supersedes(
        version(data.completedOn, envelope.eventId),
        current && version(current.completedOn, current.eventId),
      )
    )
      return;
    const row = {
      dealId: data.dealId,
      completedOn: data.completedOn,
      completedBy: data.completedBy,
      eventId: envelope.eventId,
    };
    await tx.milestoneCompletion.upsert({
      where: { projectId_milestoneId: key },
      create: { ...key, ...row },
      update: row,
    });
  },

  BillingPeriodClosed: async (tx, { data, envelope }, lock) => {
    await lock(`period:${data.period}`);
    const current = await tx.billingPeriodClose.findUnique({ where: { period: data.period } });
    if (
      !supersedes(
        versionAt(data.closedAt, envelope.eventId),
        current && versionAt(current.closedAt, current.eventId),
      )
    )
      return;
    const row = {
      closedAt: new Date(data.closedAt),
      closedBy: data.closedBy,
      draftInvoices: data.draftInvoices.map((draft) => ({ ...draft })),
      eventId: envelope.eventId,
    };
    await tx.billingPeriodClose.upsert({
      where: { period: data.period },
      create: { period: data.period, ...row },
      update: row,
    });
  },
};
