import { Inject, Injectable, Optional } from '@nestjs/common';

import { periodBounds } from '@throughline/calendar';
import {
  ActualStatus,
  BillingPeriodClosed,
  eventDefinition,
  EventRecord,
  InvoiceIssued,
  RevenueRule,
} from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { traceHeaders } from '@throughline/observability';
import { BusinessRuleViolation, currentLogContext, NotFoundError } from '@throughline/platform';

import {
  BillableActual,
  draftInvoices,
  InvoiceDetailLine,
  OpenScheduleItem,
  ProjectBilling,
} from '../domain/invoice-drafting';
import { summarizeInvoiceLines } from '../domain/invoice-summary';
import {
  costToDate,
  cumulativeRevenue,
  DeliveredActual,
  noCostBasisException,
  recognitionIdFor,
  recognize,
} from '../domain/revenue-recognition';
import {
  dueDateFor,
  issuedLines,
  issueRefusal,
  PaymentTerms,
  STANDARD_PAYMENT_TERMS,
} from '../domain/invoice-issue';
import { InvoiceStatus } from '../domain/cash-application';
import {
  InvoiceTax,
  taxInvoice,
  TaxPolicy,
  taxSetupException,
  taxSetupGaps,
  TaxSetupMissing,
  untaxedInvoice,
} from '../domain/tax';
import { BillingDb, BillingTx, closedPeriods, lockBilling } from '../infrastructure/billing-db';
import { Prisma } from '../infrastructure/prisma/generated/client';
import { SOURCE } from './actual-events';
import { customerTaxProfileOf, taxRegimeOf } from './tax.service';
import { BILLING_DB } from './tokens';

/** The command conflicts with the current state (closing a closed period, issuing twice): HTTP 409. */
export class StateConflict extends Error {}

/**
 * A close or issue ran out of its transaction's time: nothing was stored, and retrying as it is would
 * fail the same way, so it is not a 503 (HTTP 422 with the reason, like every business refusal).
 */
export class CommandDidNotFinish extends BusinessRuleViolation {
  constructor(command: string, timeoutMs: number, cause: unknown) {
    super(
      'BILLING_COMMAND_DID_NOT_FINISH',
      `${command} did not finish within ${timeoutMs / 1_000} s and was rolled back: nothing was stored`,
      'FINANCE_OPERATIONS',
      'Retrying as is fails the same way: ask the operators to look at the billing database (size, load, locks) before retrying.',
      { cause },
    );
  }
}

export interface InvoicingLimits {
  /**
   * Time allowed to a close or issue transaction. Both are single transactions of set-based
   * statements; a close of 100,000 actuals took 81 s on a loaded 2-core machine, so Prisma's 5 s
   * default is far too short.
   */
  transactionTimeoutMs: number;
  /** Time allowed to wait for a pooled connection to start the transaction. */
  maxWaitMs: number;
}

/** Optional provider of InvoicingLimits, read at each close and issue. */
export const INVOICING_LIMITS = Symbol('INVOICING_LIMITS');

const DEFAULT_LIMITS: InvoicingLimits = { transactionTimeoutMs: 300_000, maxWaitMs: 10_000 };

export interface InvoiceView {
  invoiceId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  billingPeriod: string;
  status: InvoiceStatus;
  /** Amount due: the lines' sum (a draft), net + tax once issued. */
  totalMinor: number;
  /** Sum of the lines before tax; null for a draft (taxed at issue). */
  netMinor: number | null;
  /** Tax of the issued invoice (0 for a draft). */
  taxMinor: number;
  /** Applied from payments (cash application). */
  paidMinor: number;
  /** totalMinor − paidMinor: accounts receivable on the invoice once issued. */
  openMinor: number;
  invoiceNumber: string | null;
  issuedOn: string | null;
  dueDate: string | null;
  /** Detail lines of the invoice: one per actual or schedule item billed (`lines` may be a page of them). */
  lineCount: number;
  /** Detail lines in the draft's order (all of them, or the page asked for). */
  lines: InvoiceDetailLine[];
}

/** An invoice without its lines, as `GET /invoices` lists them. */
export type InvoiceHeaderView = Omit<InvoiceView, 'lines'>;

/** Which detail lines of an invoice to return. */
export interface LinePage {
  offset: number;
  limit: number;
}

/** Lines per page of `GET /invoices/:id` (also its default): 1,000 lines are ~250 kB of JSON. */
export const MAX_LINES_PER_PAGE = 1_000;

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

/** Optional provider of PaymentTerms (`BILLING_PAYMENT_TERMS_DAYS`); 30 days for every entity without it. */
export const PAYMENT_TERMS = Symbol('PAYMENT_TERMS');

/** Optional provider of the TaxPolicy (`BILLING_TAX`); OFF without it. */
export const TAX_POLICY = Symbol('TAX_POLICY');

/** A draft may not be issued as asked (zero total, issue date out of order or in a closed period): HTTP 422. */
export class IssueRefused extends BusinessRuleViolation {
  constructor(code: string, reason: string) {
    super(
      code,
      reason,
      'FINANCE_OPERATIONS',
      code === 'ZERO_TOTAL_INVOICE'
        ? 'Nothing to bill: leave the draft unissued'
        : code === 'TAX_SETUP_MISSING'
          ? 'Complete the tax regime of the legal entity and the tax profile of the customer in the ERP, then issue again'
          : 'Issue it on a date in an open period, on or after the last invoice of its legal entity',
    );
  }
}

/** Period close (draft invoices, revenue recognition) and invoice issue. */
@Injectable()
export class InvoicingService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    @Optional() @Inject(INVOICING_LIMITS) private readonly limits: InvoicingLimits = DEFAULT_LIMITS,
    @Optional() @Inject(PAYMENT_TERMS) private readonly paymentTerms: PaymentTerms = STANDARD_PAYMENT_TERMS,
    @Optional() @Inject(TAX_POLICY) private readonly taxPolicy: TaxPolicy = 'OFF',
  ) {}

  /** Runs one close or issue as a single transaction with the generous timeout it needs. */
  private async inLongTransaction<R extends EventRecord[]>(
    command: string,
    work: (tx: BillingTx) => Promise<R>,
  ): Promise<void> {
    const { transactionTimeoutMs, maxWaitMs } = this.limits;
    try {
      await commit(this.db, work, { timeoutMs: transactionTimeoutMs, maxWaitMs });
    } catch (error) {
      if (isTransactionTimeout(error)) throw new CommandDidNotFinish(command, transactionTimeoutMs, error);
      throw error;
    }
  }

  async closePeriod(period: string, closedBy: string, correlationId?: string): Promise<BillingPeriodClosed> {
    let closed: BillingPeriodClosed | undefined;
    await this.inLongTransaction(`Closing billing period ${period}`, async (tx) => {
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
      const { summaries, exceptions } = await this.draft(tx, period, closedAt, closedBy, origin);
      events.push(...exceptions.map(({ event }) => event));
      events.push(...(await this.taxSetupExceptions(tx, period, summaries, origin)));
      const raised = new Set(exceptions.map(({ projectId }) => projectId));
      events.push(...(await this.recognizeRevenue(tx, period, origin, raised)));
      closed = { period, closedAt, closedBy, draftInvoices: summaries };
      events.push(createEvent('BillingPeriodClosed', closed, origin));
      return events;
    });
    return closed as BillingPeriodClosed;
  }

  private async draft(
    tx: BillingTx,
    period: string,
    closedAt: number,
    closedBy: string,
    origin: EventOrigin,
  ) {
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
    // Raw rows: Prisma's findMany maps each row at a cost that counts at 100,000 actuals.
    const actualRows = await tx.$queryRaw<BillableActualRow[]>`
      SELECT actual_id, project_id, kind, role, work_date, hours_hundredths, rate_minor, bill_amount_minor,
        currency, description
      FROM actual
      WHERE status = 'UNBILLED' AND billable AND billing_period <= ${period}
      ORDER BY recorded_seq`;
    const actuals: BillableActual[] = actualRows.map((a) => ({
      actualId: a.actual_id,
      projectId: a.project_id,
      kind: a.kind as BillableActual['kind'],
      role: a.role,
      workDate: a.work_date,
      hoursHundredths: Number(a.hours_hundredths),
      rateMinor: a.rate_minor === null ? null : Number(a.rate_minor),
      billAmountMinor: Number(a.bill_amount_minor),
      currency: a.currency ?? '',
      description: a.description ?? undefined,
    }));

    const plan = draftInvoices(period, projects, actuals, items);
    for (const invoice of plan.invoices) {
      // The lines as one JSON text parameter rather than a Json field Prisma walks line by line.
      await tx.$executeRaw`
        INSERT INTO invoice (invoice_id, customer_id, legal_entity_id, currency, billing_period, status, lines, total_minor)
        VALUES (${invoice.invoiceId}, ${invoice.customerId}, ${invoice.legalEntityId}, ${invoice.currency},
          ${invoice.billingPeriod}, 'DRAFT', ${JSON.stringify(invoice.lines)}::jsonb, ${BigInt(invoice.totalMinor)})`;
    }
    // One statement for every cited actual, with the ids as two arrays: a month can hold 100,000
    // actuals, beyond what a list of bind parameters (at most 65,535) can carry.
    const cited = [...plan.actualInvoice];
    const updated = await tx.$executeRaw`
      UPDATE actual SET status = 'READY_TO_INVOICE', invoice_id = cited.invoice_id, changed_at = ${BigInt(closedAt)}
      FROM unnest(${cited.map(([actualId]) => actualId)}::text[], ${cited.map(([, invoiceId]) => invoiceId)}::text[])
        AS cited (actual_id, invoice_id)
      WHERE actual.actual_id = cited.actual_id AND actual.status = 'UNBILLED'`;
    if (updated !== cited.length) {
      throw new Error(
        `Period close of ${period}: ${cited.length} actuals drafted but ${updated} were still UNBILLED`,
      );
    }
    // The drafts are new (their ids name the period, closed once), so these are exactly the cited actuals.
    await enqueueActualChanged(
      tx,
      plan.invoices.map((invoice) => invoice.invoiceId),
      'READY_TO_INVOICE',
      origin,
      closedBy,
    );
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
    const exceptions = [...plan.noCostBasis].map(([projectId, basis]) => ({
      projectId,
      event: createEvent(
        'BusinessExceptionRaised',
        noCostBasisException(projects.get(projectId) as ProjectBilling, period, basis),
        origin,
      ),
    }));
    const summaries = plan.invoices.map((invoice) => ({
      invoiceId: invoice.invoiceId,
      customerId: invoice.customerId,
      legalEntityId: invoice.legalEntityId,
      currency: invoice.currency,
      totalMinor: invoice.totalMinor,
      lineCount: invoice.lines.length,
    }));
    return { summaries, exceptions };
  }

  /**
   * A TAX_SETUP_MISSING exception for finance per draft of the close that could not be taxed on the
   * period's last day (no regime for its legal entity, no tax profile for its customer, no rate):
   * the gap reaches its owner at the close, not when someone tries to issue.
   */
  private async taxSetupExceptions(
    tx: BillingTx,
    period: string,
    drafts: readonly { invoiceId: string; customerId: string; legalEntityId: string; totalMinor: number }[],
    origin: EventOrigin,
  ): Promise<EventRecord[]> {
    if (this.taxPolicy === 'OFF') return [];
    const end = periodBounds(period).last;
    const events: EventRecord[] = [];
    for (const draft of drafts) {
      if (draft.totalMinor === 0) continue; // never issued: nothing to tax
      const regime = await taxRegimeOf(tx, draft.legalEntityId);
      const customer = await customerTaxProfileOf(tx, draft.customerId);
      const gaps = taxSetupGaps(draft.legalEntityId, regime, draft.customerId, customer, [], end);
      if (gaps.length > 0) {
        events.push(createEvent('BusinessExceptionRaised', taxSetupException(draft, period, gaps), origin));
      }
    }
    return events;
  }

  /**
   * RevenueRecognized per project and currency for the period. Only periods with a non-zero amount
   * are published (the exact remainder stays carried in the cumulative); a period closed after a
   * later one was already recognized for the project is skipped (the later one covered it), and so
   * is a percent-complete project without a cost basis (its exception is raised here unless the draft
   * raised it: `noCostBasisRaised`).
   */
  private async recognizeRevenue(
    tx: BillingTx,
    period: string,
    origin: EventOrigin,
    noCostBasisRaised: ReadonlySet<string>,
  ): Promise<EventRecord[]> {
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
      const worked = await tx.$queryRaw<WorkedActualRow[]>`
        SELECT kind, status, billable, currency, hours_hundredths, rate_minor, bill_amount_minor
        FROM actual
        WHERE project_id = ${project.projectId} AND work_date <= ${end} AND status <> 'WRITTEN_OFF'`;
      const billableIn = (currency: string): DeliveredActual[] =>
        worked
          .filter((a) => a.billable && a.status !== 'UNPRICED' && a.currency === currency)
          .map((a) => ({
            kind: a.kind as DeliveredActual['kind'],
            hoursHundredths: Number(a.hours_hundredths),
            rateMinor: a.rate_minor === null ? null : Number(a.rate_minor),
            billAmountMinor: Number(a.bill_amount_minor),
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
        if (cumulative.exact === null) {
          if (!noCostBasisRaised.has(project.projectId)) {
            events.push(
              createEvent(
                'BusinessExceptionRaised',
                noCostBasisException(project, period, cumulative.noCostBasis),
                origin,
              ),
            );
          }
          continue;
        }
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

  /**
   * Issues a draft invoice: the next number of its legal entity (the series), due after the legal
   * entity's payment terms. Refused (422, nothing numbered) for a zero total, a date before the
   * series' last issued invoice or in a closed period. Zero-amount lines are left off the issued
   * invoice; the actuals they cite (billed 0) are settled by it (INVOICED with its id).
   */
  /** `issuedBy`: the verified caller, recorded in InvoiceIssued and in its actuals' ActualChanged. */
  async issue(
    invoiceId: string,
    issuedOn: string,
    issuedBy: string,
    correlationId?: string,
  ): Promise<InvoiceIssued> {
    let issued: InvoiceIssued | undefined;
    await this.inLongTransaction(`Issuing invoice ${invoiceId}`, async (tx) => {
      await lockBilling(tx);
      let invoice = await tx.invoice.findUnique({ where: { invoiceId } });
      if (!invoice) throw new NotFoundError(`No invoice ${invoiceId}`);
      if (invoice.status !== 'DRAFT') {
        throw new StateConflict(`Invoice ${invoiceId} was already issued as ${invoice.invoiceNumber ?? '?'}`);
      }
      const last = await tx.invoice.aggregate({
        // Numbered invoices, whether unpaid, partially paid or paid.
        where: { legalEntityId: invoice.legalEntityId, invoiceNumber: { not: null } },
        _max: { issuedOn: true },
      });
      const refusal = issueRefusal({
        invoiceId,
        totalMinor: Number(invoice.totalMinor),
        issuedOn,
        lastIssuedOnInSeries: last._max.issuedOn,
        closedPeriods: await closedPeriods(tx),
      });
      if (refusal) throw new IssueRefused(refusal.code, refusal.reason);
      const summary = summarizeInvoiceLines(
        invoiceId,
        issuedLines(invoice.lines as unknown as InvoiceDetailLine[]),
      );
      const customer = await customerTaxProfileOf(tx, invoice.customerId);
      const taxable = summary.map((line) => ({
        lineId: line.lineId,
        amountMinor: line.amountMinor,
        taxCode: null,
      }));
      let tax: InvoiceTax | ReturnType<typeof untaxedInvoice>;
      try {
        tax =
          this.taxPolicy === 'OFF'
            ? untaxedInvoice(taxable)
            : taxInvoice(await taxRegimeOf(tx, invoice.legalEntityId), customer, taxable, issuedOn);
      } catch (error) {
        if (!(error instanceof TaxSetupMissing)) throw error;
        throw new IssueRefused(
          'TAX_SETUP_MISSING',
          `Invoice ${invoiceId} cannot be taxed on ${issuedOn}: ${error.message}`,
        );
      }
      const [sequence] = await tx.$queryRaw<{ last_number: number }[]>`
        INSERT INTO invoice_sequence (legal_entity_id, last_number) VALUES (${invoice.legalEntityId}, 1)
        ON CONFLICT (legal_entity_id) DO UPDATE SET last_number = invoice_sequence.last_number + 1
        RETURNING last_number`;
      const invoiceNumber = `${invoice.legalEntityId}-${String(sequence.last_number).padStart(6, '0')}`;
      const issuedAt = Date.now();
      const dueDate = dueDateFor(this.paymentTerms, invoice.legalEntityId, issuedOn);
      await tx.invoice.update({
        where: { invoiceId },
        data: {
          status: 'ISSUED',
          invoiceNumber,
          issuedOn,
          dueDate,
          issuedAt: BigInt(issuedAt),
          totalMinor: BigInt(tax.grossMinor),
          netMinor: BigInt(tax.netMinor),
          taxMinor: BigInt(tax.taxMinor),
          tax: tax as unknown as Prisma.InputJsonValue,
        },
      });
      // The cited actuals are read from the stored lines by PostgreSQL: 100,000 ids are no parameter.
      // A join: PostgreSQL answers `IN (SELECT jsonb_array_elements_text(...))` by scanning the list per row.
      await tx.$executeRaw`
        UPDATE actual SET status = 'INVOICED', changed_at = ${BigInt(issuedAt)}
        FROM (
          SELECT DISTINCT jsonb_array_elements_text(line -> 'sourceIds') AS actual_id
          FROM invoice CROSS JOIN jsonb_array_elements(invoice.lines) AS line
          WHERE invoice.invoice_id = ${invoiceId}
        ) AS cited
        WHERE actual.actual_id = cited.actual_id AND actual.invoice_id = ${invoiceId}
          AND actual.status = 'READY_TO_INVOICE'`;
      const origin: EventOrigin = { source: SOURCE, correlationId };
      // Until now the invoice was a draft, so its INVOICED actuals are the ones just invoiced.
      await enqueueActualChanged(tx, [invoiceId], 'INVOICED', origin, issuedBy);
      const lines = invoice.lines as unknown as { amountMinor: number }[];
      const shown = issuedLines(lines);
      if (shown.length !== lines.length) {
        invoice = await tx.invoice.update({
          where: { invoiceId },
          data: { lines: shown as unknown as Prisma.InputJsonValue },
        });
      }
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
        lines: summary.map((line, i) => ({
          ...line,
          taxCode: tax.lines[i].taxCode,
          taxRateBasisPoints: tax.lines[i].rateBasisPoints,
          taxMinor: tax.lines[i].taxMinor,
        })),
        totalMinor: tax.grossMinor,
        netMinor: tax.netMinor,
        taxMinor: tax.taxMinor,
        taxes: tax.totals,
        reverseCharge: tax.reverseCharge,
        taxNote: tax.note,
        customerCountry: customer?.country ?? null,
        customerTaxId: customer?.taxId ?? null,
        issuedBy,
      };
      return [createEvent('InvoiceIssued', issued, origin)];
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
    // groupBy is a GROUP BY in SQL; findMany's distinct would read every actual.
    const withActuals = await this.db.actual.groupBy({ by: ['billingPeriod'] });
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

  /** Invoices without their lines (a close can draft an invoice of 100,000), at most 1,000. */
  async invoices(filter: InvoicesQuery): Promise<InvoiceHeaderView[]> {
    const rows = await this.db.$queryRaw<InvoiceHeaderRow[]>`
      SELECT ${HEADER_COLUMNS}, jsonb_array_length(lines) AS line_count FROM invoice
      WHERE (${filter.status ?? null}::text IS NULL OR status = ${filter.status ?? null})
        AND (${filter.customerId ?? null}::text IS NULL OR customer_id = ${filter.customerId ?? null})
      ORDER BY invoice_id LIMIT 1000`;
    return rows.map(invoiceHeaderOf);
  }

  /** One invoice with one page of its detail lines (`lines.offset` lines skipped, `lines.limit` at most). */
  async invoice(
    invoiceId: string,
    lines: LinePage = { offset: 0, limit: MAX_LINES_PER_PAGE },
  ): Promise<InvoiceView> {
    // The page is cut by PostgreSQL: the whole array of a large invoice never leaves the database.
    const [row] = await this.db.$queryRaw<(InvoiceHeaderRow & { page: InvoiceDetailLine[] })[]>`
      SELECT ${HEADER_COLUMNS}, jsonb_array_length(lines) AS line_count,
        coalesce((SELECT jsonb_agg(line ORDER BY position) FROM jsonb_array_elements(lines)
          WITH ORDINALITY AS page (line, position)
          WHERE position > ${lines.offset} AND position <= ${lines.offset + lines.limit}), '[]'::jsonb) AS page
      FROM invoice WHERE invoice_id = ${invoiceId}`;
    if (!row) throw new NotFoundError(`No invoice ${invoiceId}`);
    return { ...invoiceHeaderOf(row), lines: row.page };
  }
}

/**
 * Cost to date per project and currency (`projectId/currency`): the cost of time worked up to
 * `end`, whatever its billing status (a write-off does not undo the cost), rounded like the forecast
 * (`costToDate`: exact per person and cost rate, half up). Expenses are left out, like the forecast
 * they are measured against (the sum of the assignments' forecast cost).
 */
async function costsToDate(tx: BillingTx, end: string): Promise<Map<string, number>> {
  const groups = await tx.$queryRaw<{ project_id: string; currency: string | null; exact: string }[]>`
    SELECT project_id, currency, SUM(hours_hundredths * cost_rate_minor)::text AS exact
    FROM actual
    WHERE work_date <= ${end} AND kind = 'TIME' AND cost_rate_minor IS NOT NULL
    GROUP BY project_id, currency, person_id, cost_rate_minor`;
  const exact = new Map<string, bigint[]>();
  for (const group of groups) {
    const key = `${group.project_id}/${group.currency ?? ''}`;
    exact.set(key, [...(exact.get(key) ?? []), BigInt(group.exact)]);
  }
  return new Map([...exact].map(([key, sums]) => [key, costToDate(sums)]));
}

interface BillableActualRow {
  actual_id: string;
  project_id: string;
  kind: string;
  role: string | null;
  work_date: string;
  hours_hundredths: bigint;
  rate_minor: bigint | null;
  bill_amount_minor: bigint;
  currency: string | null;
  description: string | null;
}

interface WorkedActualRow {
  kind: string;
  status: string;
  billable: boolean;
  currency: string | null;
  hours_hundredths: bigint;
  rate_minor: bigint | null;
  bill_amount_minor: bigint;
}

/**
 * Writes ActualChanged for every actual on `invoiceIds` in `status` to the outbox, in the order they
 * were recorded — built by PostgreSQL in one statement, because carrying 100,000 rows to Node and
 * 100,000 records back through Prisma took minutes. The record is `createEvent('ActualChanged',
 * actualChangedOf(row, changedBy), origin)` (one occurredAt for all; the close-at-volume test compares
 * the two); actuals with an unknown project have no ActualChanged. The headers carry the trace context.
 */
async function enqueueActualChanged(
  tx: BillingTx,
  invoiceIds: readonly string[],
  status: ActualStatus,
  origin: EventOrigin,
  changedBy: string,
): Promise<number> {
  const { latestVersion, topic } = eventDefinition('ActualChanged');
  const correlationId = origin.correlationId ?? currentLogContext().correlationId ?? null;
  return tx.$executeRaw`
    INSERT INTO messaging_outbox (event_id, event_type, message_key, record, headers)
    SELECT event_id, 'ActualChanged', data ->> ${topic.key}, jsonb_build_object(
        'envelope', jsonb_build_object(
          'eventId', event_id, 'eventType', 'ActualChanged', 'schemaVersion', ${latestVersion}::int,
          'occurredAt', ${Date.now()}::bigint, 'correlationId', coalesce(${correlationId}::text, event_id::text),
          'causationId', ${origin.causationId ?? null}::text, 'source', ${origin.source}::text,
          'key', data ->> ${topic.key}),
        'data', data),
      ${JSON.stringify(traceHeaders())}::jsonb
    FROM (
      SELECT gen_random_uuid() AS event_id, recorded_seq, jsonb_build_object(
        'actualId', actual_id, 'kind', kind, 'projectId', project_id, 'dealId', deal_id,
        'customerId', customer_id, 'legalEntityId', legal_entity_id, 'personId', person_id, 'role', role,
        'workDate', work_date, 'hoursHundredths', hours_hundredths, 'billable', billable, 'currency', currency,
        'rateMinor', rate_minor, 'rateCardId', rate_card_id, 'billAmountMinor', bill_amount_minor,
        'costRateMinor', cost_rate_minor, 'costAmountMinor', cost_amount_minor, 'billingPeriod', billing_period,
        'status', status, 'invoiceId', invoice_id, 'approvedAt', approved_at, 'changedAt', changed_at,
        'changedBy', ${changedBy}::text) AS data
      FROM actual
      WHERE invoice_id = ANY(${invoiceIds}::text[]) AND status = ${status}
        AND deal_id IS NOT NULL AND customer_id IS NOT NULL AND legal_entity_id IS NOT NULL AND currency IS NOT NULL
    ) AS changed
    ORDER BY recorded_seq`;
}

/** Prisma's "Transaction API error" (P2028): the interactive transaction expired or could not start. */
function isTransactionTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2028';
}

const HEADER_COLUMNS = Prisma.sql`invoice_id, customer_id, legal_entity_id, currency, billing_period, status,
  total_minor, net_minor, tax_minor, paid_minor, invoice_number, issued_on, due_date`;

interface InvoiceHeaderRow {
  invoice_id: string;
  customer_id: string;
  legal_entity_id: string;
  currency: string;
  billing_period: string;
  status: string;
  total_minor: bigint;
  net_minor: bigint | null;
  tax_minor: bigint;
  paid_minor: bigint;
  invoice_number: string | null;
  issued_on: string | null;
  due_date: string | null;
  line_count: number;
}

function invoiceHeaderOf(row: InvoiceHeaderRow): InvoiceHeaderView {
  return {
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    legalEntityId: row.legal_entity_id,
    currency: row.currency,
    billingPeriod: row.billing_period,
    status: row.status as InvoiceView['status'],
    totalMinor: Number(row.total_minor),
    netMinor: row.net_minor === null ? null : Number(row.net_minor),
    taxMinor: Number(row.tax_minor),
    paidMinor: Number(row.paid_minor),
    openMinor: Number(row.total_minor - row.paid_minor),
    invoiceNumber: row.invoice_number,
    issuedOn: row.issued_on,
    dueDate: row.due_date,
    lineCount: Number(row.line_count),
  };
}
