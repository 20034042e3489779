import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import {
  EventRecord,
  ExpenseApproved,
  ProjectCreated,
  RateCardRate,
  TimeEntryApproved,
} from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  EventOrigin,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import { REVENUE_RULE } from '../domain/billing-schedule';
import {
  billingPeriodFor,
  changedRate,
  entryProblem,
  FoundRate,
  formatHundredths,
  priceTimeEntry,
  RateCard,
  repriceProjectTime,
  rateCardVersion,
} from '../domain/pricing';
import { BillingDb, BillingTx, lockBilling } from '../infrastructure/billing-db';
import { Actual, BillingProject, RateCard as RateCardRow } from '../infrastructure/prisma/generated/client';
import {
  actualChangedEvents,
  ActualView,
  actualViewOf,
  missingRateExceptionId,
  SOURCE,
  unknownProjectExceptionId,
} from './actual-events';
import { BILLING_DB } from './tokens';

/** A request to change an actual's status was refused because of its current state (HTTP 409). */
export class ActualStateConflict extends Error {}

export async function closedPeriods(tx: BillingTx): Promise<Set<string>> {
  const rows = await tx.billingPeriod.findMany({ select: { period: true } });
  return new Set(rows.map((row) => row.period));
}

/**
 * Approved time and expenses → priced actuals, and the replicated data pricing needs (projects,
 * rate cards, person cost rates). One actual per entry/expense id, whatever the event id.
 */
@Injectable()
export class ActualsService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  async recordTime(event: ConsumedEvent<'TimeEntryApproved'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const entry: TimeEntryApproved = event.data;
      await lockBilling(tx);
      if (await tx.actual.findUnique({ where: { actualId: entry.entryId } })) return [];
      const now = Date.now();
      const problem = entryProblem(entry);
      const row = await tx.actual.create({
        data: {
          actualId: entry.entryId,
          kind: 'TIME',
          projectId: entry.projectId,
          personId: entry.personId,
          role: entry.role,
          workDate: entry.workDate,
          hoursHundredths: BigInt(entry.hoursHundredths),
          approvedBillable: entry.billable,
          billable: entry.billable,
          billingPeriod: billingPeriodFor(
            problem ? approvalDate(entry.approvedAt) : entry.workDate,
            await closedPeriods(tx),
          ),
          status: 'UNPRICED',
          note: problem ? `${INVALID} ${problem}` : null,
          approvedAt: BigInt(entry.approvedAt),
          changedAt: BigInt(now),
        },
      });
      if (problem) return [invalidEntryRaised(row, problem, causedBy(event, SOURCE))];
      return this.price(tx, [row], causedBy(event, SOURCE), now, true);
    });
  }

  async recordExpense(event: ConsumedEvent<'ExpenseApproved'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const expense: ExpenseApproved = event.data;
      await lockBilling(tx);
      if (await tx.actual.findUnique({ where: { actualId: expense.expenseId } })) return [];
      const now = Date.now();
      const problem = entryProblem({ ...expense, workDate: expense.incurredOn, hoursHundredths: 0 });
      const row = await tx.actual.create({
        data: {
          actualId: expense.expenseId,
          kind: 'EXPENSE',
          projectId: expense.projectId,
          personId: expense.personId,
          role: null,
          workDate: expense.incurredOn,
          hoursHundredths: 0n,
          approvedBillable: expense.billable,
          billable: expense.billable,
          currency: expense.currency,
          expenseAmountMinor: BigInt(expense.amountMinor),
          description: `${expense.category} ${expense.incurredOn}${expense.receiptReference ? ` (${expense.receiptReference})` : ''}`,
          billingPeriod: billingPeriodFor(
            problem ? approvalDate(expense.approvedAt) : expense.incurredOn,
            await closedPeriods(tx),
          ),
          status: 'UNPRICED',
          note: problem ? `${INVALID} ${problem}` : null,
          approvedAt: BigInt(expense.approvedAt),
          changedAt: BigInt(now),
        },
      });
      if (problem) return [invalidEntryRaised(row, problem, causedBy(event, SOURCE))];
      return this.price(tx, [row], causedBy(event, SOURCE), now, true);
    });
  }

  /** A project became known (ProjectCreated): store its terms and price the actuals waiting for it. */
  async projectKnown(tx: BillingTx, project: ProjectCreated, origin: EventOrigin): Promise<EventRecord[]> {
    await lockBilling(tx);
    if (await tx.billingProject.findUnique({ where: { projectId: project.projectId } })) return [];
    await tx.billingProject.create({
      data: {
        projectId: project.projectId,
        dealId: project.dealId,
        customerId: project.customerId,
        legalEntityId: project.legalEntityId,
        currency: project.currency,
        billingType: project.billingType,
        revenueRule: REVENUE_RULE[project.billingType],
        startDate: project.startDate,
        endDate: project.endDate,
        feeMinor: BigInt(project.budgetMinor),
      },
    });
    const waiting = await tx.actual.findMany({
      where: { projectId: project.projectId, status: 'UNPRICED' },
      orderBy: { recordedSeq: 'asc' },
    });
    return this.price(tx, waiting, origin, Date.now(), false);
  }

  /**
   * A rate card version: replaces the stored one, prices the UNPRICED actuals it now covers and,
   * when the version says something new, re-prices the unbilled time it concerns (see `reprice`).
   */
  async upsertRateCard(event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const card = event.data;
      await lockBilling(tx);
      const previous = await tx.rateCard.findUnique({ where: { rateCardId: card.rateCardId } });
      const row = {
        legalEntityId: card.legalEntityId,
        currency: card.currency,
        effectiveFrom: card.effectiveFrom,
        effectiveTo: card.effectiveTo,
        rates: card.rates as unknown as object[],
      };
      await tx.rateCard.upsert({
        where: { rateCardId: card.rateCardId },
        create: { rateCardId: card.rateCardId, ...row },
        update: row,
      });
      const waiting = await tx.actual.findMany({
        where: { legalEntityId: card.legalEntityId, status: 'UNPRICED', kind: 'TIME' },
        orderBy: { recordedSeq: 'asc' },
      });
      const origin = causedBy(event, SOURCE);
      const now = Date.now();
      const events = await this.price(tx, waiting, origin, now, false);
      if (previous && rateCardVersion(rateCardOf(previous)) === rateCardVersion(card)) return events;
      return [...events, ...(await this.reprice(tx, card, origin, now))];
    });
  }

  /**
   * Re-prices priced time a new or changed rate card version concerns (it covers the work date,
   * or the time was priced from it) whose rate from all stored cards now differs. UNBILLED time
   * gets the new rate and amount through the project's carry (`repriceProjectTime`: the project's
   * billed amounts stay the floor of its exact total) and an ActualChanged. Time on a draft or an
   * issued invoice stays as invoiced (lines equal the actuals they cite); when its rate now
   * differs, one RATE_CHANGED_AFTER_INVOICING per card version tells finance the exact difference
   * for a credit or debit note. Cost is not re-priced (cost rates come from assignments).
   */
  private async reprice(
    tx: BillingTx,
    card: RateCard,
    origin: EventOrigin,
    now: number,
  ): Promise<EventRecord[]> {
    const cards = (
      await tx.rateCard.findMany({ where: { legalEntityId: card.legalEntityId, currency: card.currency } })
    ).map(rateCardOf);
    const rows = await tx.actual.findMany({
      where: {
        kind: 'TIME',
        legalEntityId: card.legalEntityId,
        currency: card.currency,
        billable: true,
        rateMinor: { not: null },
        status: { in: ['UNBILLED', 'READY_TO_INVOICE', 'INVOICED'] },
      },
      orderBy: { recordedSeq: 'asc' },
    });
    const unbilledRates = new Map<string, FoundRate>();
    const invoiced: { row: Actual; rate: FoundRate }[] = [];
    for (const row of rows) {
      const rate = changedRate(card, cards, {
        workDate: row.workDate,
        role: row.role ?? '',
        legalEntityId: card.legalEntityId,
        currency: card.currency,
        rateMinor: Number(row.rateMinor),
        rateCardId: row.rateCardId,
      });
      if (!rate) continue;
      if (row.status === 'UNBILLED') unbilledRates.set(row.actualId, rate);
      else if (rate.rateMinor !== Number(row.rateMinor)) invoiced.push({ row, rate });
    }
    const updated: Actual[] = [];
    const projectIds = new Set(rows.filter((r) => unbilledRates.has(r.actualId)).map((r) => r.projectId));
    for (const projectId of projectIds) {
      const project = await tx.billingProject.findUniqueOrThrow({ where: { projectId } });
      const unbilled = rows.filter((r) => r.projectId === projectId && r.status === 'UNBILLED');
      const result = repriceProjectTime(
        unbilled.map((r) => ({
          actualId: r.actualId,
          hoursHundredths: Number(r.hoursHundredths),
          rateMinor: Number(r.rateMinor),
          amountMinor: Number(r.billAmountMinor),
        })),
        new Map([...unbilledRates].map(([actualId, rate]) => [actualId, rate.rateMinor])),
        project.carryHundredths,
      );
      for (const row of unbilled) {
        const changed = result.changed.get(row.actualId);
        const rate = unbilledRates.get(row.actualId);
        if (!changed && !rate) continue;
        const excessNote =
          result.excessMinor > 0 && rate
            ? `re-priced to rate ${rate.rateMinor}: project ${projectId} is billed ${result.excessMinor} minor unit(s) above its exact total (rate cut on invoiced time)`
            : null;
        updated.push(
          await tx.actual.update({
            where: { actualId: row.actualId },
            data: {
              rateMinor: BigInt(changed?.rateMinor ?? Number(row.rateMinor)),
              rateCardId: rate?.rateCardId ?? row.rateCardId,
              billAmountMinor: BigInt(changed?.amountMinor ?? Number(row.billAmountMinor)),
              changedAt: BigInt(now),
              ...(excessNote ? { note: excessNote } : {}),
            },
          }),
        );
      }
      if (result.carryHundredths !== project.carryHundredths) {
        await tx.billingProject.update({
          where: { projectId },
          data: { carryHundredths: result.carryHundredths },
        });
      }
    }
    const events = actualChangedEvents(updated, origin);
    if (invoiced.length > 0) events.push(rateChangedAfterInvoicingRaised(card, invoiced, origin));
    return events;
  }

  /** The person's cost rate on the project; a cancelled assignment keeps the rate for history. */
  async assignmentChanged(event: ConsumedEvent<'AssignmentChanged'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const a = event.data;
      const key = { projectId: a.projectId, personId: a.personId };
      const existing = await tx.personCostRate.findUnique({ where: { projectId_personId: key } });
      const costRateMinor =
        a.status === 'CANCELLED' && existing ? existing.costRateMinor : BigInt(a.costRateMinor);
      await tx.personCostRate.upsert({
        where: { projectId_personId: key },
        create: { ...key, costRateMinor, assignmentStatus: a.status },
        update: { costRateMinor, assignmentStatus: a.status },
      });
      return [];
    });
  }

  async forecastUpdated(event: ConsumedEvent<'ProjectForecastUpdated'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const f = event.data;
      const forecastTotalCostMinor = BigInt(f.forecastCostMinor);
      await tx.projectForecast.upsert({
        where: { projectId: f.projectId },
        create: { projectId: f.projectId, forecastTotalCostMinor },
        update: { forecastTotalCostMinor },
      });
      return [];
    });
  }

  async milestoneCompleted(event: ConsumedEvent<'MilestoneCompleted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const m = event.data;
      const key = { projectId: m.projectId, milestoneId: m.milestoneId };
      if (await tx.completedMilestone.findUnique({ where: { projectId_milestoneId: key } })) return [];
      await tx.completedMilestone.create({ data: { ...key, completedOn: m.completedOn } });
      return [];
    });
  }

  /**
   * Writes an actual off. Only before it is on a draft invoice (UNPRICED, UNBILLED); once on a
   * draft or invoiced it is refused, so drafts never need to drop lines.
   */
  async writeOff(actualId: string, reason: string, correlationId?: string): Promise<ActualView> {
    let written: Actual | undefined;
    await commit(this.db, async (tx) => {
      await lockBilling(tx);
      const actual = await tx.actual.findUnique({ where: { actualId } });
      if (!actual) throw new NotFoundError(`No actual ${actualId}`);
      if (actual.status !== 'UNBILLED' && actual.status !== 'UNPRICED') {
        throw new ActualStateConflict(
          `Actual ${actualId} is ${actual.status}${actual.invoiceId ? ` on invoice ${actual.invoiceId}` : ''}: only UNPRICED or UNBILLED actuals can be written off`,
        );
      }
      const updated = await tx.actual.update({
        where: { actualId },
        data: { status: 'WRITTEN_OFF', note: `written off: ${reason}`, changedAt: BigInt(Date.now()) },
      });
      const origin = { source: SOURCE, correlationId };
      const events: EventRecord[] = actualChangedEvents([updated], origin);
      if (actual.status === 'UNPRICED') {
        const exceptionId = actual.note?.startsWith(INVALID)
          ? invalidEntryExceptionId(actualId)
          : actual.dealId === null
            ? unknownProjectExceptionId(actualId)
            : missingRateExceptionId(actualId);
        events.push(
          createEvent(
            'BusinessExceptionResolved',
            {
              exceptionId,
              entityType: 'Actual',
              entityId: actualId,
              dealId: actual.dealId,
              resolution: `Actual written off: ${reason}`,
            },
            origin,
          ),
        );
      }
      written = updated;
      return events;
    });
    return actualViewOf(written as Actual);
  }

  async list(projectId?: string, status?: string): Promise<ActualView[]> {
    const rows = await this.db.actual.findMany({
      where: { ...(projectId ? { projectId } : {}), ...(status ? { status } : {}) },
      orderBy: [{ workDate: 'asc' }, { actualId: 'asc' }],
      take: 1_000,
    });
    return rows.map(actualViewOf);
  }

  /**
   * Prices UNPRICED actuals (in order: the pricing carry runs per project in recording order) and
   * returns their events: ActualChanged when recorded or when the status changes, a business
   * exception for finance when no rate covers an entry, its resolution when one does.
   */
  async price(
    tx: BillingTx,
    rows: readonly Actual[],
    origin: EventOrigin,
    now: number,
    isNew: boolean,
  ): Promise<EventRecord[]> {
    const events: EventRecord[] = [];
    const projects = new Map<string, BillingProject | null>();
    const closed = await closedPeriods(tx);
    for (const row of rows) {
      if (row.note?.startsWith(INVALID)) continue; // stays UNPRICED until finance writes it off
      if (!projects.has(row.projectId)) {
        projects.set(
          row.projectId,
          await tx.billingProject.findUnique({ where: { projectId: row.projectId } }),
        );
      }
      const project = projects.get(row.projectId) ?? null;
      if (!project) {
        if (isNew) {
          await tx.actual.update({
            where: { actualId: row.actualId },
            data: { note: `project ${row.projectId} is not known to billing yet` },
          });
          events.push(unknownProjectRaised(row, origin));
        }
        continue;
      }
      const wasWaitingForProject = row.dealId === null;
      const { carryHundredths, ...priced } = await this.priceOne(tx, row, project);
      const billingPeriod = billingPeriodFor(`${row.billingPeriod}-01`, closed);
      const updated = await tx.actual.update({
        where: { actualId: row.actualId },
        data: {
          ...priced,
          dealId: project.dealId,
          customerId: project.customerId,
          legalEntityId: project.legalEntityId,
          billingPeriod,
          changedAt: BigInt(now),
        },
      });
      if (carryHundredths !== undefined && carryHundredths !== project.carryHundredths) {
        project.carryHundredths = carryHundredths;
        await tx.billingProject.update({
          where: { projectId: project.projectId },
          data: { carryHundredths },
        });
      }
      const statusChanged = updated.status !== row.status;
      if (!isNew && !wasWaitingForProject && !statusChanged) continue;
      events.push(...actualChangedEvents([updated], origin));
      if (wasWaitingForProject && !isNew) {
        events.push(
          resolved(
            unknownProjectExceptionId(row.actualId),
            updated,
            `Project ${project.projectId} is known`,
            origin,
          ),
        );
      }
      if (updated.status === 'UNPRICED') events.push(missingRateRaised(updated, project, origin));
      else if (row.status === 'UNPRICED' && !isNew && !wasWaitingForProject) {
        events.push(
          resolved(
            missingRateExceptionId(row.actualId),
            updated,
            `Priced from rate card ${updated.rateCardId ?? '(none)'}`,
            origin,
          ),
        );
      }
    }
    return events;
  }

  private async priceOne(
    tx: BillingTx,
    row: Actual,
    project: BillingProject,
  ): Promise<{
    status: string;
    billable: boolean;
    currency: string;
    rateMinor: bigint | null;
    rateCardId: string | null;
    billAmountMinor: bigint;
    costRateMinor: bigint | null;
    costAmountMinor: bigint;
    note: string | null;
    carryHundredths?: number;
  }> {
    if (row.kind === 'EXPENSE') {
      const amount = row.expenseAmountMinor ?? 0n;
      return {
        status: 'UNBILLED',
        billable: row.approvedBillable,
        currency: row.currency ?? project.currency,
        rateMinor: null,
        rateCardId: null,
        billAmountMinor: row.approvedBillable ? amount : 0n,
        costRateMinor: null,
        costAmountMinor: amount,
        note: null,
      };
    }
    const cards = await tx.rateCard.findMany({
      where: { legalEntityId: project.legalEntityId, currency: project.currency },
    });
    const personRate = await tx.personCostRate.findUnique({
      where: { projectId_personId: { projectId: project.projectId, personId: row.personId } },
    });
    const priced = priceTimeEntry(
      {
        hoursHundredths: Number(row.hoursHundredths),
        role: row.role ?? '',
        workDate: row.workDate,
        billable: row.approvedBillable,
      },
      {
        projectId: project.projectId,
        legalEntityId: project.legalEntityId,
        currency: project.currency,
        billingType: project.billingType as ProjectCreated['billingType'],
      },
      cards.map(rateCardOf),
      personRate === null ? null : Number(personRate.costRateMinor),
      project.carryHundredths,
    );
    const big = (value: number | null) => (value === null ? null : BigInt(value));
    return {
      status: priced.status,
      billable: priced.billable,
      currency: project.currency,
      rateMinor: big(priced.rateMinor),
      rateCardId: priced.rateCardId,
      billAmountMinor: BigInt(priced.billAmountMinor),
      costRateMinor: big(priced.costRateMinor),
      costAmountMinor: BigInt(priced.costAmountMinor),
      note: priced.note,
      carryHundredths: priced.carryHundredths,
    };
  }
}

function rateCardOf(row: RateCardRow): RateCard {
  return {
    rateCardId: row.rateCardId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
    rates: row.rates as unknown as RateCardRate[],
  };
}

/** Stable per rate card version (its content), so the same version never raises twice under two ids. */
export function rateChangedAfterInvoicingExceptionId(card: RateCard): string {
  const version = createHash('sha256').update(rateCardVersion(card)).digest('hex').slice(0, 12);
  return `EXC-RC-${card.rateCardId}-${version}-RATE_CHANGED_AFTER_INVOICING`;
}

function rateChangedAfterInvoicingRaised(
  card: RateCard,
  invoiced: readonly { row: Actual; rate: FoundRate }[],
  origin: EventOrigin,
): EventRecord {
  const invoiceIds = [...new Set(invoiced.map(({ row }) => row.invoiceId ?? '?'))].sort();
  // Exact value difference in hundredths of a minor unit, per currency: hours × (new − invoiced rate).
  const difference = new Map<string, bigint>();
  for (const { row, rate } of invoiced) {
    const currency = row.currency ?? card.currency;
    const delta = row.hoursHundredths * (BigInt(rate.rateMinor) - (row.rateMinor ?? 0n));
    difference.set(currency, (difference.get(currency) ?? 0n) + delta);
  }
  const differences = [...difference].map(
    ([currency, hundredths]) => `${currency} ${formatHundredths(hundredths)} minor units`,
  );
  const validity = `${card.effectiveFrom}..${card.effectiveTo ?? 'open-ended'}`;
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: rateChangedAfterInvoicingExceptionId(card),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'RateCard',
      entityId: card.rateCardId,
      dealId: null,
      code: 'RATE_CHANGED_AFTER_INVOICING',
      message: `Rate card ${card.rateCardId} (${card.legalEntityId} ${card.currency}, ${validity}) changes the rate of ${invoiced.length} time actual(s) already on invoice(s) ${invoiceIds.join(', ')}: difference ${differences.join(', ')} (exact value, hours × rate change)`,
      remediation: `Issue a credit or debit note for the difference; the invoices and the actuals they cite keep the rate they were invoiced at`,
      details: {
        legalEntityId: card.legalEntityId,
        currency: card.currency,
        effectiveFrom: card.effectiveFrom,
        effectiveTo: card.effectiveTo ?? '',
        actualCount: String(invoiced.length),
        actualIds: invoiced.map(({ row }) => row.actualId).join(','),
        invoiceIds: invoiceIds.join(','),
        ...Object.fromEntries(
          [...difference].map(([currency, hundredths]) => [
            `differenceMinor.${currency}`,
            formatHundredths(hundredths),
          ]),
        ),
      },
    },
    origin,
  );
}

/** Marks (in the note) an approved entry that cannot be priced as it is. */
const INVALID = 'invalid entry:';

function approvalDate(approvedAt: number): string {
  const date = new Date(approvedAt);
  return Number.isNaN(date.getTime())
    ? new Date().toISOString().slice(0, 10)
    : date.toISOString().slice(0, 10);
}

function invalidEntryExceptionId(actualId: string): string {
  return `EXC-ACT-${actualId}-INVALID_ENTRY`;
}

function invalidEntryRaised(row: Actual, problem: string, origin: EventOrigin): EventRecord {
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: invalidEntryExceptionId(row.actualId),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      entityId: row.actualId,
      dealId: null,
      code: 'INVALID_ENTRY',
      message: `Approved ${row.kind === 'TIME' ? 'time entry' : 'expense'} ${row.actualId} of project ${row.projectId} cannot be priced: ${problem}`,
      remediation: `Correct the entry in the source system under a new id and write this one off (POST /actuals/${row.actualId}/write-off)`,
      details: { projectId: row.projectId, problem },
    },
    origin,
  );
}

function unknownProjectRaised(row: Actual, origin: EventOrigin): EventRecord {
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: unknownProjectExceptionId(row.actualId),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      entityId: row.actualId,
      dealId: null,
      code: 'UNKNOWN_PROJECT',
      message: `Approved ${row.kind === 'TIME' ? 'time entry' : 'expense'} ${row.actualId} is for project ${row.projectId}, which billing does not know`,
      remediation: `Check that project ${row.projectId} exists and was set up; the actual is kept and priced as soon as the project arrives`,
      details: { projectId: row.projectId, workDate: row.workDate },
    },
    origin,
  );
}

function missingRateRaised(row: Actual, project: BillingProject, origin: EventOrigin): EventRecord {
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: missingRateExceptionId(row.actualId),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      entityId: row.actualId,
      dealId: project.dealId,
      code: 'MISSING_RATE',
      message: `No ${project.currency} rate for role ${row.role ?? '?'} of legal entity ${project.legalEntityId} on ${row.workDate}: time entry ${row.actualId} cannot be priced`,
      remediation: `Publish a rate card for legal entity ${project.legalEntityId} in ${project.currency} covering ${row.workDate} with role ${row.role ?? '?'} (ERP rate cards API); the entry is priced as soon as it arrives`,
      details: {
        projectId: project.projectId,
        legalEntityId: project.legalEntityId,
        currency: project.currency,
        role: row.role ?? '',
        workDate: row.workDate,
      },
    },
    origin,
  );
}

function resolved(
  exceptionId: string,
  row: Actual,
  resolution: string,
  origin: EventOrigin,
): EventRecord<'BusinessExceptionResolved'> {
  return createEvent(
    'BusinessExceptionResolved',
    { exceptionId, entityType: 'Actual', entityId: row.actualId, dealId: row.dealId, resolution },
    origin,
  );
}
