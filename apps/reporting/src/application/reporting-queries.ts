import { Inject, Injectable } from '@nestjs/common';

import { ExceptionOwnerRole } from '@throughline/contracts';
import { NotFoundError } from '@throughline/platform';

import { ExceptionFilter, ExceptionsByOwner, groupByOwner, statusesFor } from '../domain/business-exception';
import {
  buildTimeline,
  DealStatus,
  DealSummary,
  DealTimeline,
  listDeals,
  STATUS_STEPS,
  StatusStep,
} from '../domain/deal-timeline';
import { SlaBreachFilter, SlaBreachRow, slaBreaches } from '../domain/sla-breaches';
import { INVOICE_SYNC, TimelineStepName } from '../domain/timeline-entry';
import { schemaOf } from '../domain/projection';
import { invoiceSyncActivity } from '../infrastructure/invoice-sync-activity';
import { ProjectionStore } from '../infrastructure/projection-store';
import { ReportingDb } from '../infrastructure/reporting-db';
import { toExceptionRecord, toTimelineStep } from '../infrastructure/rows';
import { READ_TRANSACTION } from './figures-queries';
import { SharedReads } from './shared-reads';
import { PROJECTION_STORE } from './timeline-recorder';

/**
 * Read side for analysts and operations. Each answer reads one consistent snapshot of the active
 * projection (a query that started before a switch finishes on the projection it started on).
 */
@Injectable()
export class ReportingQueries {
  private readonly shared = new SharedReads();

  constructor(@Inject(PROJECTION_STORE) private readonly projections: ProjectionStore) {}

  async timeline(dealId: string): Promise<DealTimeline> {
    return (await this.active()).$transaction(async (tx) => {
      const deal = await tx.deal.findUnique({ where: { dealId } });
      if (!deal) throw new NotFoundError(`Unknown deal ${dealId}: no event of this deal has been recorded`);
      const invoices = await tx.invoiceLine.findMany({
        where: { dealId },
        select: { invoiceId: true },
        distinct: ['invoiceId'],
      });
      const entries = await tx.timelineEntry.findMany({
        where: {
          OR: [
            { dealId },
            { dealId: null, ...INVOICE_SYNC, entityId: { in: invoices.map((line) => line.invoiceId) } },
          ],
        },
        orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }, { eventId: 'asc' }],
      });
      const openExceptions = await tx.businessException.count({ where: { dealId, status: 'OPEN' } });
      return buildTimeline(deal, entries.map(toTimelineStep), openExceptions);
    }, READ_TRANSACTION);
  }

  /** Breaches of every business SLA (`?status=open|recovered|all`), with or without a deal. */
  async slaBreaches(filter: SlaBreachFilter): Promise<{ status: SlaBreachFilter; breaches: SlaBreachRow[] }> {
    const entries = await (
      await this.active()
    ).timelineEntry.findMany({
      where: { step: { in: ['SLA_BREACHED', 'SLA_RECOVERED'] } },
      orderBy: [{ occurredAt: 'asc' }, { recordedAt: 'asc' }, { eventId: 'asc' }],
    });
    return { status: filter, breaches: slaBreaches(entries.map(toTimelineStep), filter) };
  }

  /** Every deal with its status; concurrent requests for the same status share one read. */
  deals(status?: DealStatus): Promise<{ deals: DealSummary[] }> {
    return this.shared.share(`deals:${status ?? ''}`, () => this.readDeals(status));
  }

  private async readDeals(status?: DealStatus): Promise<{ deals: DealSummary[] }> {
    const { version } = await this.projections.active();
    return this.projections.db(version).$transaction(async (tx) => {
      const deals = await tx.deal.findMany();
      const activity = await tx.timelineEntry.groupBy({
        by: ['dealId'],
        where: { dealId: { not: null } },
        _count: { _all: true },
        _max: { occurredAt: true },
      });
      const statusSteps = await tx.timelineEntry.findMany({
        where: { dealId: { not: null }, step: { in: [...STATUS_STEPS] } },
        select: { dealId: true, step: true, occurredAt: true, recordedAt: true, eventId: true },
      });
      const open = await tx.businessException.groupBy({
        by: ['dealId'],
        where: { dealId: { not: null }, status: 'OPEN' },
        _count: { _all: true },
      });
      const invoiceCallsOf = new Map(
        (await invoiceSyncActivity(tx, schemaOf(version))).map((row) => [row.dealId, row]),
      );
      const activityOf = new Map(activity.map((row) => [row.dealId, row]));
      const openOf = new Map(open.map((row) => [row.dealId, row._count._all]));
      const stepsOf = new Map<string, StatusStep[]>();
      for (const row of statusSteps) {
        const step: StatusStep = {
          step: row.step as TimelineStepName,
          occurredAt: row.occurredAt.toISOString(),
          recordedAt: row.recordedAt.toISOString(),
          eventId: row.eventId,
        };
        const steps = stepsOf.get(row.dealId as string);
        if (steps) steps.push(step);
        else stepsOf.set(row.dealId as string, [step]);
      }
      return {
        deals: listDeals(
          deals.map((deal) => ({
            dealId: deal.dealId,
            dealName: deal.dealName,
            customerName: deal.customerName,
            currency: deal.currency,
            amountMinor: deal.amountMinor === null ? null : Number(deal.amountMinor),
            statusSteps: stepsOf.get(deal.dealId) ?? [],
            openExceptions: openOf.get(deal.dealId) ?? 0,
            stepCount:
              (activityOf.get(deal.dealId)?._count._all ?? 0) + (invoiceCallsOf.get(deal.dealId)?.steps ?? 0),
            lastActivityAt: latest(
              activityOf.get(deal.dealId)?._max.occurredAt,
              invoiceCallsOf.get(deal.dealId)?.lastAt,
            ),
          })),
          status,
        ),
      };
    }, READ_TRANSACTION);
  }

  async exceptions(filter: ExceptionFilter, ownerRole?: ExceptionOwnerRole): Promise<ExceptionsByOwner> {
    const rows = await (
      await this.active()
    ).businessException.findMany({
      where: { status: { in: statusesFor(filter) }, ...(ownerRole ? { ownerRole } : {}) },
    });
    return groupByOwner(rows.map(toExceptionRecord), filter);
  }

  private async active(): Promise<ReportingDb> {
    return this.projections.db((await this.projections.active()).version);
  }
}

/** The later of two optional instants, as ISO-8601; null when neither is known. */
function latest(a: Date | null | undefined, b: Date | undefined): string | null {
  const times = [a, b].filter((time): time is Date => time instanceof Date);
  return times.length === 0 ? null : new Date(Math.max(...times.map((time) => time.getTime()))).toISOString();
}
