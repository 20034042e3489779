import { Injectable } from '@nestjs/common';

import { epochDay } from '@throughline/calendar';
import { ConsumedEvent } from '@throughline/messaging';

import { planChangeFactsOf, projectFactsOf, StateVersion, supersedes } from '../domain/time-to-cash';
import { ReplayedEventType } from '../domain/rebuild-sources';
import { ReportedEventType } from '../domain/timeline-entry';
import { versionAt } from '../infrastructure/figure-rows';
import { lockKeys, ReportingTx } from '../infrastructure/reporting-db';
import { applyFigureBatch, isBatchedEvent } from './figure-batches';

type Applier<T extends ReportedEventType> = (
  tx: ReportingTx,
  event: ConsumedEvent<T>,
  lock: Lock,
) => Promise<void>;
type Lock = (...keys: string[]) => Promise<void>;

/**
 * Keeps the time-to-cash facts of one projection: one current row per business key, replaced only
 * by a state that supersedes it (see `supersedes`), inside the transaction that records the event
 * in the projection's inbox. The month-end volume types (priced actuals, approved time, invoices,
 * payments) are written a batch at a time by set-based upserts whose newer-wins clause needs no
 * lock (`applyFigureBatch`); the low-volume rest locks its key first, so concurrent partitions (a
 * rebuild replays three at once) cannot both insert it.
 */
@Injectable()
export class FiguresRecorder {
  async apply(tx: ReportingTx, schema: string, event: ConsumedEvent<ReportedEventType>): Promise<void> {
    if (isBatchedEvent(event)) return applyFigureBatch(tx, schema, [event]);
    const applier = APPLIERS[event.envelope.eventType] as Applier<ReportedEventType> | undefined;
    if (!applier) return;
    await applier(tx, event, (...keys) =>
      lockKeys(
        tx,
        keys.map((key) => `${schema}:${key}`),
      ),
    );
  }

  /** The month-end volume types (`BATCHED_EVENT_TYPES`), a batch at a time, set-based. */
  applyBatch(
    tx: ReportingTx,
    schema: string,
    events: readonly ConsumedEvent<ReplayedEventType>[],
  ): Promise<void> {
    return applyFigureBatch(tx, schema, events);
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
