import { Inject, Injectable } from '@nestjs/common';

import { ConsumedEvent, handleBatchOnce, handleOnce, MessagingRuntime } from '@throughline/messaging';

import { applyRaised, applyResolved, ExceptionRecord } from '../domain/business-exception';
import { mergeDealDetails } from '../domain/deal-timeline';
import { inboxKeyOf, schemaOf } from '../domain/projection';
import { ReplayedEventType } from '../domain/rebuild-sources';
import {
  isTimelineEvent,
  ReportedEventType,
  TimelineEntryDraft,
  timelineEntryFor,
} from '../domain/timeline-entry';
import { ProjectionStore } from '../infrastructure/projection-store';
import { lockKeys, ReportingTx } from '../infrastructure/reporting-db';
import { toExceptionRecord } from '../infrastructure/rows';
import { FiguresRecorder } from './figures-recorder';

/** The projection registry in `public`; its client closes last, like every Prisma client. */
export const REPORTING_DB = Symbol('REPORTING_DB');
export const PROJECTION_STORE = Symbol('PROJECTION_STORE');

type ExceptionUpdate = (current: ExceptionRecord | null, occurredAt: number) => ExceptionRecord;

/**
 * Turns consumed events into the read models: one timeline entry per setup event (linked to its deal as
 * soon as the deal is known), the current state of business exceptions and, through the
 * FiguresRecorder, the time-to-cash facts. Each event is handled
 * once per projection (the projection's inbox), in one transaction with its writes.
 */
@Injectable()
export class TimelineRecorder {
  constructor(
    @Inject(PROJECTION_STORE) private readonly projections: ProjectionStore,
    private readonly runtime: MessagingRuntime,
    private readonly figures: FiguresRecorder,
  ) {}

  /**
   * Records a live event in every projection in use: the active one and, while a rebuild runs, the
   * one being built (which the rebuild's replay also writes; the shared inbox keeps one entry).
   */
  async record(event: ConsumedEvent<ReportedEventType>): Promise<void> {
    for (const projection of await this.projections.inUse()) await this.recordInto(projection.version, event);
  }

  /** Records consecutive live events of a partition (`BATCHED_EVENT_TYPES`) in every projection in use. */
  async recordBatch(events: readonly ConsumedEvent<ReportedEventType>[]): Promise<void> {
    for (const projection of await this.projections.inUse())
      await this.recordBatchInto(projection.version, events);
  }

  /**
   * Records events of the batched (figure-only) types in one projection in one transaction: one inbox
   * claim drops those it holds already, one set-based write per table. Returns how many were new.
   */
  recordBatchInto(version: number, events: readonly ConsumedEvent<ReplayedEventType>[]): Promise<number> {
    const schema = schemaOf(version);
    return handleBatchOnce(
      this.projections.db(version),
      inboxKeyOf(this.runtime.groupId, version),
      events,
      async (tx, fresh) => {
        await this.figures.applyBatch(tx, schema, fresh);
      },
    );
  }

  /** Records `event` in one projection. Returns false for an event it already holds, which changes nothing. */
  recordInto(version: number, event: ConsumedEvent<ReportedEventType>): Promise<boolean> {
    const entry = isTimelineEvent(event) ? timelineEntryFor(event) : null;
    const updateException = exceptionUpdateFor(event);
    const schema = schemaOf(version);
    return handleOnce(
      this.projections.db(version),
      inboxKeyOf(this.runtime.groupId, version),
      event,
      async (tx) => {
        if (entry) await this.recordTimeline(tx, schema, entry, updateException);
        await this.figures.apply(tx, schema, event);
      },
    );
  }

  /** The event's timeline entry, its deal and project links, and the exception it changes. */
  private async recordTimeline(
    tx: ReportingTx,
    schema: string,
    entry: TimelineEntryDraft,
    updateException: ExceptionUpdate | null,
  ): Promise<void> {
    const projects = [...entry.dealProjects, ...(entry.projectId ? [entry.projectId] : [])];
    // Keys are per projection: a rebuild never waits for the active projection's writers.
    await lockKeys(tx, [
      ...projects.map((projectId) => `${schema}:project:${projectId}`),
      ...(entry.exceptionId ? [`${schema}:exception:${entry.exceptionId}`] : []),
    ]);
    const exception =
      updateException && entry.exceptionId
        ? await tx.businessException.findUnique({ where: { exceptionId: entry.exceptionId } })
        : null;
    const dealId =
      entry.dealId ??
      exception?.dealId ??
      (entry.projectId
        ? ((await tx.projectDeal.findUnique({ where: { projectId: entry.projectId } }))?.dealId ?? null)
        : null);

    if (dealId) {
      // Taken after the project/exception locks and only ever for one deal, so never a cycle.
      await lockKeys(tx, [`${schema}:deal:${dealId}`]);
      await this.saveDeal(tx, dealId, entry);
      for (const projectId of entry.dealProjects) await this.linkProject(tx, projectId, dealId);
    }
    if (updateException && entry.exceptionId) {
      const updated = updateException(exception ? toExceptionRecord(exception) : null, entry.occurredAt);
      await this.saveException(tx, { ...updated, dealId: updated.dealId ?? dealId }, entry.projectId);
      if (dealId) {
        await tx.timelineEntry.updateMany({
          where: { dealId: null, exceptionId: entry.exceptionId },
          data: { dealId },
        });
      }
    }
    await tx.timelineEntry.create({
      data: {
        eventId: entry.eventId,
        dealId,
        projectId: entry.projectId,
        exceptionId: entry.exceptionId,
        step: entry.step,
        entityType: entry.entityType,
        entityId: entry.entityId,
        status: entry.status,
        summary: entry.summary,
        eventType: entry.eventType,
        source: entry.source,
        correlationId: entry.correlationId,
        causationId: entry.causationId,
        occurredAt: new Date(entry.occurredAt),
        recordedAt: new Date(),
      },
    });
  }

  private async saveDeal(tx: ReportingTx, dealId: string, entry: TimelineEntryDraft): Promise<void> {
    const current = await tx.deal.findUnique({ where: { dealId } });
    if (current && !entry.dealDetails) return;
    const details = mergeDealDetails(
      current && {
        ...current,
        amountMinor: current.amountMinor === null ? null : Number(current.amountMinor),
      },
      entry.dealDetails,
    );
    const row = {
      dealName: details.dealName,
      customerName: details.customerName,
      currency: details.currency,
      amountMinor: details.amountMinor === null ? null : BigInt(details.amountMinor),
    };
    if (current) await tx.deal.update({ where: { dealId }, data: row });
    else await tx.deal.create({ data: { dealId, ...row } });
  }

  /**
   * Records that `projectId` belongs to `dealId` (the first event to say so wins) and links what was
   * waiting for it: timeline entries and exceptions of that project recorded before its deal was known.
   */
  private async linkProject(tx: ReportingTx, projectId: string, dealId: string): Promise<void> {
    const known = await tx.projectDeal.findUnique({ where: { projectId } });
    if (known) return;
    await tx.projectDeal.create({ data: { projectId, dealId } });
    await tx.timelineEntry.updateMany({ where: { dealId: null, projectId }, data: { dealId } });
    await tx.businessException.updateMany({ where: { dealId: null, projectId }, data: { dealId } });
  }

  private async saveException(
    tx: ReportingTx,
    record: ExceptionRecord,
    projectId: string | null,
  ): Promise<void> {
    const row = {
      status: record.status,
      ownerRole: record.ownerRole,
      entityType: record.entityType,
      entityId: record.entityId,
      dealId: record.dealId,
      projectId,
      code: record.code,
      message: record.message,
      remediation: record.remediation,
      details: record.details,
      resolution: record.resolution,
      raisedAt: record.raisedAt === null ? null : new Date(record.raisedAt),
      resolvedAt: record.resolvedAt === null ? null : new Date(record.resolvedAt),
    };
    await tx.businessException.upsert({
      where: { exceptionId: record.exceptionId },
      create: { exceptionId: record.exceptionId, ...row },
      update: row,
    });
  }
}

/** How an exception event changes the exception's state; null for events about other things. */
function exceptionUpdateFor(event: ConsumedEvent<ReportedEventType>): ExceptionUpdate | null {
  if (isEvent(event, 'BusinessExceptionRaised')) {
    return (current, occurredAt) => applyRaised(current, event.data, occurredAt);
  }
  if (isEvent(event, 'BusinessExceptionResolved')) {
    return (current, occurredAt) => applyResolved(current, event.data, occurredAt);
  }
  return null;
}

function isEvent<T extends ReportedEventType>(
  event: ConsumedEvent<ReportedEventType>,
  eventType: T,
): event is ConsumedEvent<T> {
  return event.envelope.eventType === eventType;
}
