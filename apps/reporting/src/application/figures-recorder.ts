import { Injectable } from '@nestjs/common';

import { epochDay } from '@throughline/calendar';
import { ActualStatus } from '@throughline/contracts';
import { ConsumedEvent } from '@throughline/messaging';

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

/**
 * One current row per business key: locks the key, then writes the incoming state only if it
 * supersedes the stored one (see `supersedes`), so every delivery order ends in the same row.
 */
async function keepNewest<Row>(
  lock: Lock,
  state: {
    key: string;
    incoming: StateVersion;
    find: () => Promise<Row | null>;
    versionOf: (row: Row) => StateVersion;
    write: () => Promise<unknown>;
  },
): Promise<void> {
  await lock(state.key);
  const current = await state.find();
  if (supersedes(state.incoming, current && state.versionOf(current))) await state.write();
}

/** Revision first, then the earlier approval, then the greater event id (see `supersedes`). */
function approvedTimeVersion(revision: number, approvedAt: number, eventId: string): StateVersion {
  return { at: revision, rank: -approvedAt, eventId };
}

const APPLIERS: { [T in ReportedEventType]?: Applier<T> } = {
  ProjectCreated: (tx, { data, envelope }, lock) => {
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
    // Created once per project; of two differing copies the greater event id wins, in any order.
    return keepNewest(lock, {
      key: `baseline:${data.projectId}`,
      incoming: versionAt(0, envelope.eventId),
      find: () => tx.projectBaseline.findUnique({ where: { projectId: data.projectId } }),
      versionOf: (current) => versionAt(0, current.eventId),
      write: () =>
        tx.projectBaseline.upsert({
          where: { projectId: facts.projectId },
          create: { projectId: facts.projectId, ...row },
          update: row,
        }),
    });
  },

  ProjectPlanChanged: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `plan:${data.projectId}`,
      incoming: versionAt(data.planVersion, envelope.eventId),
      find: () => tx.projectPlan.findUnique({ where: { projectId: data.projectId } }),
      versionOf: (current) => versionAt(current.planVersion, current.eventId),
      write: () =>
        tx.projectPlan.upsert({
          where: { projectId: facts.projectId },
          create: { projectId: facts.projectId, ...row },
          update: row,
        }),
    });
  },

  ProjectForecastUpdated: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `forecast:${data.projectId}`,
      incoming: versionAt(data.refreshedAt, envelope.eventId),
      find: () => tx.projectForecast.findUnique({ where: { projectId: data.projectId } }),
      versionOf: (current) => versionAt(current.refreshedAt, current.eventId),
      write: () =>
        tx.projectForecast.upsert({
          where: { projectId: data.projectId },
          create: { projectId: data.projectId, ...row },
          update: row,
        }),
    });
  },

  AssignmentChanged: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `assignment:${data.assignmentId}`,
      incoming: versionAt(envelope.occurredAt, envelope.eventId),
      find: () => tx.assignment.findUnique({ where: { assignmentId: data.assignmentId } }),
      versionOf: (current) => versionAt(current.occurredAt, current.eventId),
      write: () =>
        tx.assignment.upsert({
          where: { assignmentId: data.assignmentId },
          create: { assignmentId: data.assignmentId, ...row },
          update: row,
        }),
    });
  },

  TimeEntryApproved: (tx, { data, envelope }, lock) => {
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
      revision: data.revision,
    };
    // The highest revision wins (a correction supersedes every lower revision, whatever the order they
    // arrive in). Within one revision the first approval wins: an entry approved again (later) changes
    // nothing; of two copies approved at the same moment the greater event id wins, so every order ends
    // in the same row.
    return keepNewest(lock, {
      key: `time:${data.entryId}`,
      incoming: approvedTimeVersion(data.revision, data.approvedAt, envelope.eventId),
      find: () => tx.approvedTime.findUnique({ where: { entryId: data.entryId } }),
      versionOf: (current) =>
        approvedTimeVersion(current.revision, safe(current.approvedAt), current.eventId),
      write: () =>
        tx.approvedTime.upsert({
          where: { entryId: data.entryId },
          create: { entryId: data.entryId, ...row },
          update: row,
        }),
    });
  },

  ActualChanged: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `actual:${data.actualId}`,
      incoming: versionAt(data.changedAt, envelope.eventId, ACTUAL_STATUS_RANK[data.status]),
      find: () => tx.actual.findUnique({ where: { actualId: data.actualId } }),
      versionOf: (current) =>
        versionAt(current.changedAt, current.eventId, ACTUAL_STATUS_RANK[current.status as ActualStatus]),
      write: () =>
        tx.actual.upsert({
          where: { actualId: data.actualId },
          create: { actualId: data.actualId, ...row },
          update: row,
        }),
    });
  },

  InvoiceIssued: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `invoice:${data.invoiceId}`,
      incoming: versionAt(data.issuedAt, envelope.eventId),
      find: () => tx.invoice.findUnique({ where: { invoiceId: data.invoiceId } }),
      versionOf: (current) => versionAt(current.issuedAt, current.eventId),
      write: async () => {
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
    });
  },

  PaymentReceived: (tx, { data, envelope }, lock) => {
    const row = {
      invoiceId: data.invoiceId,
      customerId: data.customerId,
      currency: data.currency,
      amountMinor: BigInt(data.amountMinor),
      receivedOn: data.receivedOn,
      reference: data.reference,
      eventId: envelope.eventId,
    };
    // A payment id received again changes nothing; the greater event id only makes the survivor
    // of two differing copies independent of their order.
    return keepNewest(lock, {
      key: `payment:${data.paymentId}`,
      incoming: versionAt(0, envelope.eventId),
      find: () => tx.payment.findUnique({ where: { paymentId: data.paymentId } }),
      versionOf: (current) => versionAt(0, current.eventId),
      write: () =>
        tx.payment.upsert({
          where: { paymentId: data.paymentId },
          create: { paymentId: data.paymentId, ...row },
          update: row,
        }),
    });
  },

  RevenueRecognized: (tx, { data, envelope }, lock) => {
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
    return keepNewest(lock, {
      key: `revenue:${data.recognitionId}`,
      incoming: versionAt(envelope.occurredAt, envelope.eventId),
      find: () => tx.revenueRecognition.findUnique({ where: { recognitionId: data.recognitionId } }),
      versionOf: (current) => versionAt(current.occurredAt, current.eventId),
      write: () =>
        tx.revenueRecognition.upsert({
          where: { recognitionId: data.recognitionId },
          create: { recognitionId: data.recognitionId, ...row },
          update: row,
        }),
    });
  },

  MilestoneCompleted: (tx, { data, envelope }, lock) => {
    const key = { projectId: data.projectId, milestoneId: data.milestoneId };
    const row = {
      dealId: data.dealId,
      completedOn: data.completedOn,
      completedBy: data.completedBy,
      eventId: envelope.eventId,
    };
    // The earliest completion wins: a milestone completed again stays completed on its first date.
    return keepNewest(lock, {
      key: `milestone:${data.projectId}:${data.milestoneId}`,
      incoming: versionAt(-epochDay(data.completedOn), envelope.eventId),
      find: () => tx.milestoneCompletion.findUnique({ where: { projectId_milestoneId: key } }),
      versionOf: (current) => versionAt(-epochDay(current.completedOn), current.eventId),
      write: () =>
        tx.milestoneCompletion.upsert({
          where: { projectId_milestoneId: key },
          create: { ...key, ...row },
          update: row,
        }),
    });
  },

  BillingPeriodClosed: (tx, { data, envelope }, lock) => {
    const row = {
      closedAt: new Date(data.closedAt),
      closedBy: data.closedBy,
      draftInvoices: data.draftInvoices.map((draft) => ({ ...draft })),
      eventId: envelope.eventId,
    };
    return keepNewest(lock, {
      key: `period:${data.period}`,
      incoming: versionAt(data.closedAt, envelope.eventId),
      find: () => tx.billingPeriodClose.findUnique({ where: { period: data.period } }),
      versionOf: (current) => versionAt(current.closedAt, current.eventId),
      write: () =>
        tx.billingPeriodClose.upsert({
          where: { period: data.period },
          create: { period: data.period, ...row },
          update: row,
        }),
    });
  },
};
