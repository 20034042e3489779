import { Inject, Injectable } from '@nestjs/common';

import { addDays, periodBounds } from '@throughline/calendar';
import {
  BillingPeriodClosed,
  EventRecord,
  InvoiceIssued,
  InvoiceLine,
  RevenueRule,
} from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import { BillableActual, draftInvoices, OpenScheduleItem, ProjectBilling } from '../domain/invoice-drafting';
import {
  cumulativeRevenue,
  DeliveredActual,
  recognitionIdFor,
  recognize,
} from '../domain/revenue-recognition';
import { BillingDb, BillingTx, lockBilling } from '../infrastructure/billing-db';
import { Invoice } from '../infrastructure/prisma/generated/client';
import { actualChangedEvents, SOURCE } from './actual-events';
import { BILLING_DB } from './tokens';

/** The command conflicts with the current state (closing a closed period, issuing twice): HTTP 409. */
export class StateConflict extends Error {}

export interface InvoiceView {
  invoiceId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  billingPeriod: string;
  status: 'DRAFT' | 'ISSUED';
  totalMinor: number;
  invoiceNumber: string | null;
  issuedOn: string | null;
  dueDate: string | null;
  lines: InvoiceLine[];
}

export interface BillingPeriodView {
  period: string;
  status: 'OPEN' | 'CLOSED';
  closedAt: number | null;
  closedBy: string | null;
}

export interface PeriodRevenueView {
  period: string;
  recognitions: {
    recognitionId: string;
    projectId: string;
    currency: string;
    amountMinor: number;
    cumulativeMinor: number;
    carriedRemainder: string;
  }[];
  totals: { currency: string; amountMinor: number }[];
}

export interface InvoicesQuery {
  status?: string;
  customerId?: string;
}

export const PAYMENT_TERMS_DAYS = 30;

/** Period close (draft invoices, revenue recognition) and invoice issue. */
@Injectable()
export class InvoicingService {
  constructor(@Inject(BILLING_DB) private readonly db: BillingDb) {}

  async closePeriod(period: string, closedBy: string, correlationId?: string): Promise<BillingPeriodClosed> {
    let closed: BillingPeriodClosed | undefined;
    await commit(this.db, async (tx) => {
      await lockBilling(tx);
      const existing = await tx.billingPeriod.findUnique({ where: { period } });
      if (existing) {
        throw new StateConflict(
          `Billing period ${period} was already closed by ${existing.closedBy} at ${new Date(Number(existing.closedAt)).toISOString()}`,
        );
      }
      const closedAt = Date.now();
      const origin: EventOrigin = { source: SOURCE, correlationId };
      await tx.billingPeriod.create({ data: { period, closedAt: BigInt(closedAt), closedBy } });
      const events: EventRecord[] = [];
      const { summaries, actualEvents } = await this.draft(tx, period, closedAt, origin);
      events.push(...actualEvents);
      events.push(...(await this.recognizeRevenue(tx, period, origin)));
      closed = { period, closedAt, closedBy, draftInvoices: summaries };
      events.push(createEvent('BillingPeriodClosed', closed, origin));
      return events;
    });
    return closed as BillingPeriodClosed;
  }

  private async draft(tx: BillingTx, period: string, closedAt: number, origin: EventOrigin) {
    const end = periodBounds(period).last;
    const projectRows = await tx.billingProject.findMany();
    const forecasts = new Map(
      (await tx.projectForecast.findMany()).map((f) => [f.projectId, Number(f.forecastTotalCostMinor)]),
    );
    const costs = await costsToDate(tx, end);
    const schedules = await tx.billingSchedule.findMany({ include: { items: true } });
    const completed = await tx.completedMilestone.findMany();
    const completedOn = new Map(completed.map((m) => [`${m.projectId}/${m.milestoneId}`, m.completedOn]));

    const projects = new Map<string, ProjectBilling>();
    const scheduleOf = new Map(schedules.map((s) => [s.projectId, s]));
    for (const p of projectRows) {
      const schedule = scheduleOf.get(p.projectId);
      projects.set(p.projectId, {
        projectId: p.projectId,
        dealId: p.dealId,
        customerId: p.customerId,
        legalEntityId: p.legalEntityId,
        currency: p.currency,
        billingType: p.billingType as ProjectBilling['billingType'],
        feeMinor: Number(p.feeMinor),
        forecastTotalCostMinor: forecasts.get(p.projectId) ?? null,
        costToDateMinor: costs.get(`${p.projectId}/${p.currency}`) ?? 0,
        progressBilledMinor: Number(p.progressBilledMinor),
        retainerFeesBilledMinor: (schedule?.items ?? [])
          .filter((item) => item.invoiceId !== null)
          .reduce((sum, item) => sum + Number(item.amountMinor ?? 0n), 0),
        retainerUsageMinor: Number(p.retainerUsageMinor),
        retainerOverageBilledMinor: Number(p.retainerOverageBilledMinor),
      });
    }
    const items: OpenScheduleItem[] = schedules.flatMap((s) =>
      s.items
        .filter((item) => item.invoiceId === null)
        .map((item) => ({
          itemId: item.itemId,
          projectId: s.projectId,
          description: item.description,
          dueDate: item.dueDate,
          amountMinor: item.amountMinor === null ? null : Number(item.amountMinor),
          milestoneId: item.milestoneId,
          completedOn: item.milestoneId
            ? (completedOn.get(`${s.projectId}/${item.milestoneId}`) ?? null)
            : null,
        })),
    );
    const actualRows = await tx.actual.findMany({
      where: { status: 'UNBILLED', billable: true, billingPeriod: { lte: period } },
      orderBy: { recordedSeq: 'asc' },
    });
    const actuals: BillableActual[] = actualRows.map((a) => ({
      actualId: a.actualId,
      projectId: a.projectId,
      kind: a.kind as BillableActual['kind'],
      role: a.role,
      workDate: a.workDate,
      hoursHundredths: Number(a.hoursHundredths),
      rateMinor: a.rateMinor === null ? null : Number(a.rateMinor),
      billAmountMinor: Number(a.billAmountMinor),
      currency: a.currency ?? '',
      description: a.description ?? undefined,
    }));

    const plan = draftInvoices(period, projects, actuals, items);
    for (const invoice of plan.invoices) {
      await tx.invoice.create({
        data: {
          invoiceId: invoice.invoiceId,
          customerId: invoice.customerId,
          legalEntityId: invoice.legalEntityId,
          currency: invoice.currency,
          billingPeriod: invoice.billingPeriod,
          status: 'DRAFT',
          lines: invoice.lines as unknown as object[],
          totalMinor: BigInt(invoice.totalMinor),
        },
      });
    }
    // One update per invoice rather than per actual: a month holds thousands of actuals.
    const actualIdsByInvoice = new Map<string, string[]>();
    for (const [actualId, invoiceId] of plan.actualInvoice) {
      const ids = actualIdsByInvoice.get(invoiceId) ?? [];
      ids.push(actualId);
      actualIdsByInvoice.set(invoiceId, ids);
    }
    for (const [invoiceId, actualIds] of actualIdsByInvoice) {
      await tx.actual.updateMany({
        where: { actualId: { in: actualIds } },
        data: { status: 'READY_TO_INVOICE', invoiceId, changedAt: BigInt(closedAt) },
      });
    }
    const updatedActuals = await tx.actual.findMany({
      where: { actualId: { in: [...plan.actualInvoice.keys()] } },
      orderBy: { recordedSeq: 'asc' },
    });
    for (const [itemId, invoiceId] of plan.itemInvoice) {
      await tx.billingScheduleItem.update({ where: { itemId }, data: { invoiceId } });
    }
    for (const [projectId, billed] of plan.progressBilled) {
      await tx.billingProject.update({ where: { projectId }, data: { progressBilledMinor: BigInt(billed) } });
    }
    for (const [projectId, retainer] of plan.retainer) {
      await tx.billingProject.update({
        where: { projectId },
        data: {
          retainerUsageMinor: BigInt(retainer.usageMinor),
          retainerOverageBilledMinor: BigInt(retainer.overageBilledMinor),
        },
      });
    }
    return {
      summaries: plan.invoices.map((invoice) => ({
        invoiceId: invoice.invoiceId,
        customerId: invoice.customerId,
        legalEntityId: invoice.legalEntityId,
        currency: invoice.currency,
        totalMinor: invoice.totalMinor,
        lineCount: invoice.lines.length,
      })),
      actualEvents: actualChangedEvents(updatedActuals, origin),
    };
  }

  /**
   * RevenueRecognized per project and currency for the period. Only periods with a non-zero amount
   * are published (the exact remainder stays carried in the cumulative); a period closed after a
   * later one was already recognized for the project is skipped (the later one covered it).
   */
  private async recognizeRevenue(tx: BillingTx, period: string, origin: EventOrigin): Promise<EventRecord[]> {
    const end = periodBounds(period).last;
    const events: EventRecord[] = [];
    const projects = await tx.billingProject.findMany({ orderBy: { projectId: 'asc' } });
    const forecasts = new Map(
      (await tx.projectForecast.findMany()).map((f) => [f.projectId, Number(f.forecastTotalCostMinor)]),
    );
    const costs = await costsToDate(tx, end);
    for (const project of projects) {
      const later = await tx.revenueRecognition.findFirst({
        where: { projectId: project.projectId, period: { gte: period } },
      });
      if (later) continue;
      const rule = project.revenueRule as RevenueRule;
      const worked = await tx.actual.findMany({
        where: { projectId: project.projectId, workDate: { lte: end }, status: { not: 'WRITTEN_OFF' } },
      });
      const billableIn = (currency: string): DeliveredActual[] =>
        worked
          .filter((a) => a.billable && a.status !== 'UNPRICED' && a.currency === currency)
          .map((a) => ({
            kind: a.kind as DeliveredActual['kind'],
            hoursHundredths: Number(a.hoursHundredths),
            rateMinor: a.rateMinor === null ? null : Number(a.rateMinor),
            billAmountMinor: Number(a.billAmountMinor),
          }));
      // The fee is in the project currency; expenses may bring others (revenue in their own currency).
      const currencies = [
        ...new Set([project.currency, ...worked.flatMap((a) => (a.currency ? [a.currency] : []))]),
      ].sort();
      const schedule = await tx.billingSchedule.findUnique({
        where: { projectId: project.projectId },
        include: { items: true },
      });
      const completed = await tx.completedMilestone.findMany({
        where: { projectId: project.projectId, completedOn: { lte: end } },
      });
      const completedIds = new Set(completed.map((m) => m.milestoneId));
      for (const currency of currencies) {
        const fee = currency === project.currency;
        const cumulative = cumulativeRevenue({
          revenueRule: rule,
          feeMinor: fee ? Number(project.feeMinor) : 0,
          delivered: billableIn(currency),
          costToDateMinor: fee ? (costs.get(`${project.projectId}/${project.currency}`) ?? 0) : 0,
          forecastTotalCostMinor: fee ? (forecasts.get(project.projectId) ?? null) : null,
          completedMilestoneFeesMinor: fee
            ? (schedule?.items ?? [])
                .filter((item) => item.milestoneId !== null && completedIds.has(item.milestoneId))
                .map((item) => Number(item.amountMinor ?? 0n))
            : [],
          retainerBilledMinor: fee
            ? (schedule?.items ?? [])
                .filter((item) => item.invoiceId !== null)
                .reduce((sum, item) => sum + Number(item.amountMinor ?? 0n), 0) +
              Number(project.retainerOverageBilledMinor)
            : 0,
        });
        const previous = await tx.revenueRecognition.findFirst({
          where: { projectId: project.projectId, currency },
          orderBy: { period: 'desc' },
        });
        const recognition = recognize(cumulative.exact, previous ? Number(previous.cumulativeMinor) : 0);
        if (recognition.amountMinor === 0) continue;
        const recognitionId = recognitionIdFor(project.projectId, period, currency);
        await tx.revenueRecognition.create({
          data: {
            recognitionId,
            projectId: project.projectId,
            period,
            currency,
            amountMinor: BigInt(recognition.amountMinor),
            cumulativeMinor: BigInt(recognition.cumulativeMinor),
            carriedRemainder: recognition.carriedRemainder,
          },
        });
        events.push(
          createEvent(
            'RevenueRecognized',
            {
              recognitionId,
              projectId: project.projectId,
              dealId: project.dealId,
              period,
              revenueRule: rule,
              currency,
              amountMinor: recognition.amountMinor,
              cumulativeMinor: recognition.cumulativeMinor,
              percentCompleteBasisPoints: cumulative.percentCompleteBasisPoints,
              carriedRemainder: recognition.carriedRemainder,
            },
            origin,
          ),
        );
      }
    }
    return events;
  }

  /** Issues a draft invoice: the next number of its legal entity, due 30 days after issue. */
  async issue(invoiceId: string, issuedOn: string, correlationId?: string): Promise<InvoiceIssued> {
    let issued: InvoiceIssued | undefined;
    await commit(this.db, async (tx) => {
      await lockBilling(tx);
      const invoice = await tx.invoice.findUnique({ where: { invoiceId } });
      if (!invoice) throw new NotFoundError(`No invoice ${invoiceId}`);
      if (invoice.status !== 'DRAFT') {
        throw new StateConflict(`Invoice ${invoiceId} was already issued as ${invoice.invoiceNumber ?? '?'}`);
      }
      const [sequence] = await tx.$queryRaw<{ last_number: number }[]>`
        INSERT INTO invoice_sequence (legal_entity_id, last_number) VALUES (${invoice.legalEntityId}, 1)
        ON CONFLICT (legal_entity_id) DO UPDATE SET last_number = invoice_sequence.last_number + 1
        RETURNING last_number`;
      const invoiceNumber = `${invoice.legalEntityId}-${String(sequence.last_number).padStart(6, '0')}`;
      const issuedAt = Date.now();
      const dueDate = addDays(issuedOn, PAYMENT_TERMS_DAYS);
      await tx.invoice.update({
        where: { invoiceId },
        data: { status: 'ISSUED', invoiceNumber, issuedOn, dueDate, issuedAt: BigInt(issuedAt) },
      });
      const actualIds = (invoice.lines as unknown as InvoiceLine[]).flatMap((line) => line.sourceIds);
      await tx.actual.updateMany({
        where: { invoiceId, status: 'READY_TO_INVOICE', actualId: { in: actualIds } },
        data: { status: 'INVOICED', changedAt: BigInt(issuedAt) },
      });
      const invoiced = await tx.actual.findMany({
        where: { invoiceId, status: 'INVOICED', actualId: { in: actualIds } },
        orderBy: { actualId: 'asc' },
      });
      const origin: EventOrigin = { source: SOURCE, correlationId };
      issued = {
        invoiceId,
        invoiceNumber,
        customerId: invoice.customerId,
        legalEntityId: invoice.legalEntityId,
        currency: invoice.currency,
        billingPeriod: invoice.billingPeriod,
        issuedOn,
        dueDate,
        issuedAt,
        lines: invoice.lines as unknown as InvoiceLine[],
        totalMinor: Number(invoice.totalMinor),
      };
      return [createEvent('InvoiceIssued', issued, origin), ...actualChangedEvents(invoiced, origin)];
    });
    return issued as InvoiceIssued;
  }

  /** Revenue recognized in a closed period, per project and currency, with totals per currency. */
  async revenue(period: string): Promise<PeriodRevenueView> {
    const rows = await this.db.revenueRecognition.findMany({
      where: { period },
      orderBy: [{ projectId: 'asc' }, { currency: 'asc' }],
    });
    const totals = new Map<string, bigint>();
    for (const row of rows) totals.set(row.currency, (totals.get(row.currency) ?? 0n) + row.amountMinor);
    return {
      period,
      recognitions: rows.map((row) => ({
        recognitionId: row.recognitionId,
        projectId: row.projectId,
        currency: row.currency,
        amountMinor: Number(row.amountMinor),
        cumulativeMinor: Number(row.cumulativeMinor),
        carriedRemainder: row.carriedRemainder,
      })),
      totals: [...totals.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, amountMinor]) => ({ currency, amountMinor: Number(amountMinor) })),
    };
  }

  async periods(): Promise<BillingPeriodView[]> {
    const closed = await this.db.billingPeriod.findMany();
    const withActuals = await this.db.actual.findMany({
      distinct: ['billingPeriod'],
      select: { billingPeriod: true },
    });
    const views = new Map<string, BillingPeriodView>();
    for (const { billingPeriod } of withActuals) {
      views.set(billingPeriod, { period: billingPeriod, status: 'OPEN', closedAt: null, closedBy: null });
    }
    for (const p of closed) {
      views.set(p.period, {
        period: p.period,
        status: 'CLOSED',
        closedAt: Number(p.closedAt),
        closedBy: p.closedBy,
      });
    }
    return [...views.values()].sort((a, b) => a.period.localeCompare(b.period));
  }

  async invoices(filter: InvoicesQuery): Promise<InvoiceView[]> {
    const rows = await this.db.invoice.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.customerId ? { customerId: filter.customerId } : {}),
      },
      orderBy: { invoiceId: 'asc' },
      take: 1_000,
    });
    return rows.map(invoiceViewOf);
  }

  async invoice(invoiceId: string): Promise<InvoiceView> {
    const row = await this.db.invoice.findUnique({ where: { invoiceId } });
    if (!row) throw new NotFoundError(`No invoice ${invoiceId}`);
    return invoiceViewOf(row);
  }
}

/**
 * Cost to date per project and currency (`projectId/currency`): the cost of time worked up to
 * `end`, whatever its billing status (a write-off does not undo the cost). Expenses are left out,
 * like the forecast they are measured against (the sum of the assignments' forecast cost).
 */
async function costsToDate(tx: BillingTx, end: string): Promise<Map<string, number>> {
  const costs = await tx.actual.groupBy({
    by: ['projectId', 'currency'],
    where: { workDate: { lte: end }, kind: 'TIME' },
    _sum: { costAmountMinor: true },
  });
  return new Map(
    costs.map((c) => [`${c.projectId}/${c.currency ?? ''}`, Number(c._sum.costAmountMinor ?? 0n)]),
  );
}

function invoiceViewOf(row: Invoice): InvoiceView {
  return {
    invoiceId: row.invoiceId,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    billingPeriod: row.billingPeriod,
    status: row.status as InvoiceView['status'],
    totalMinor: Number(row.totalMinor),
    invoiceNumber: row.invoiceNumber,
    issuedOn: row.issuedOn,
    dueDate: row.dueDate,
    lines: row.lines as unknown as InvoiceLine[],
  };
}
