import { Inject, Injectable } from '@nestjs/common';

import { ConsumedEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';

import { applyRaised, applyResolved, ExceptionRecord } from '../domain/business-exception';
import { mergeDealDetails } from '../domain/deal-timeline';
import { ReportedEventType, TimelineEntryDraft, timelineEntryFor } from '../domain/timeline-entry';
import { lockKeys, ReportingDb, ReportingTx } from '../infrastructure/reporting-db';
import { toExceptionRecord } from '../infrastructure/rows';

export const REPORTING_DB = Symbol('REPORTING_DB');

type ExceptionUpdate = (current: ExceptionRecord | null, occurredAt: number) => ExceptionRecord;

/**
 * Turns consumed events into the read models: one timeline entry per event (linked to its deal as
 * soon as the deal is known) and the current state of business exceptions. Each event is handled
 * once (inbox), in one transaction with its writes.
 */
@Injectable()
export class TimelineRecorder {
  constructor(
    @Inject(REPORTING_DB) private readonly db: ReportingDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** Records a setup step (deal, contract, project, staffing, billing, setup outcome, assignment). */
  record(event: ConsumedEvent<ReportedEventType>): Promise<boolean> {
    return this.recordEntry(event, null);
  }

  recordExceptionRaised(event: ConsumedEvent<'BusinessExceptionRaised'>): Promise<boolean> {
    return this.recordEntry(event, (current, occurredAt) => applyRaised(current, event.data, occurredAt));
  }

  recordExceptionResolved(event: ConsumedEvent<'BusinessExceptionResolved'>): Promise<boolean> {
    return this.recordEntry(event, (current, occurredAt) => applyResolved(current, event.data, occurredAt));
  }

  /** Returns false for a redelivered event, which changes nothing. */
  private recordEntry(
    event: ConsumedEvent<ReportedEventType>,
    updateException: ExceptionUpdate | null,
  ): Promise<boolean> {
    const entry = timelineEntryFor(event);
    return handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const projects = [...entry.dealProjects, ...(entry.projectId ? [entry.projectId] : [])];
      await lockKeys(tx, [
        ...projects.map((projectId) => `project:${projectId}`),
        ...(entry.exceptionId ? [`exception:${entry.exceptionId}`] : []),
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
        await lockKeys(tx, [`deal:${dealId}`]);
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
