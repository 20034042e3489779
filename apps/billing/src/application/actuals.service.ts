import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { EventRecord, ExpenseApproved, ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  EventOrigin,
  handleBatchOnce,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import { REVENUE_RULE } from '../domain/billing-schedule';
import {
  billingPeriodFor,
  billsTime,
  billValueHundredths,
  changedRate,
  entryProblem,
  findRate,
  FoundRate,
  describeDifferences,
  projectCards,
  exactHundredths,
  hundredthsAsDecimal,
  RateCard,
  repriceProjectTime,
  rateCardVersion,
  UnbilledTime,
  writeOffTime,
} from '../domain/pricing';
import {
  BillingDb,
  BillingTx,
  closedPeriods,
  lockBilling,
  lockPricing,
  rateCardOf,
} from '../infrastructure/billing-db';
import { Actual, BillingProject } from '../infrastructure/prisma/generated/client';
import {
  actualChangedEvents,
  ActualView,
  actualViewOf,
  missingRateExceptionId,
  missingRateRaised,
  SOURCE,
  unknownProjectExceptionId,
} from './actual-events';
import { BILLING_DB } from './tokens';
import { contractCardIds, newTimeActual, PricedFields, pricedTimeFields, TimePricing } from './time-pricing';

/** A request to change an actual's status was refused because of its current state (HTTP 409). */
export class ActualStateConflict extends Error {}

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

  /**
   * Approved time, a fetched batch at a time in one transaction. New, well-formed entries of known
   * projects — month-end's bulk — are priced in memory from rate cards, cost rates and projects
   * loaded once per batch and stored with one insert; corrections, malformed entries and entries of
   * projects billing does not know yet take the one-entry path below, in the batch's order (the
   * pricing carry runs per project in recording order).
   */
  async recordTimes(events: ConsumedEvent<'TimeEntryApproved'>[]): Promise<void> {
    await handleBatchOnce(this.db, this.runtime.groupId, events, async (tx, fresh) => {
      await lockPricing(
        tx,
        fresh.map((event) => event.data.projectId),
      );
      const entryIds = fresh.map((event) => event.data.entryId);
      const recorded = new Set(
        (await tx.actual.findMany({ where: { actualId: { in: entryIds } }, select: { actualId: true } })).map(
          (row) => row.actualId,
        ),
      );
      const pricing = await TimePricing.load(
        tx,
        fresh.map((event) => event.data.projectId),
      );
      const emitted: EventRecord[] = [];
      let pending: ConsumedEvent<'TimeEntryApproved'>[] = [];
      for (const event of fresh) {
        const entry = event.data;
        if (!recorded.has(entry.entryId) && pricing.canPrice(entry)) {
          recorded.add(entry.entryId);
          pending.push(event);
          continue;
        }
        emitted.push(...(await pricing.store(tx, pending)));
        pending = [];
        emitted.push(...(await this.recordOneTime(tx, event)));
        recorded.add(entry.entryId);
        // The one-entry path may have moved a project's carry: read the projects again.
        await pricing.reloadProjects(tx);
      }
      emitted.push(...(await pricing.store(tx, pending)));
      return emitted;
    });
  }

  private async recordOneTime(
    tx: BillingTx,
    event: ConsumedEvent<'TimeEntryApproved'>,
  ): Promise<EventRecord[]> {
    const entry: TimeEntryApproved = event.data;
    const existing = await tx.actual.findUnique({ where: { actualId: entry.entryId } });
    if (existing) return this.correctTime(tx, existing, entry, causedBy(event, SOURCE));
    const now = Date.now();
    const problem = entryProblem(entry);
    const row = await tx.actual.create({
      data: {
        ...newTimeActual(
          entry,
          problem ? approvalDate(entry.approvedAt) : entry.workDate,
          await closedPeriods(tx),
        ),
        note: problem ? `${INVALID} ${problem}` : null,
        changedAt: BigInt(now),
      },
    });
    if (problem) return [invalidEntryRaised(row, problem, causedBy(event, SOURCE))];
    return this.price(tx, [row], causedBy(event, SOURCE), now, true);
  }

  /**
   * A later approval of a recorded time entry. Only a higher revision than the stored one is a
   * correction (the same or a lower revision — a redelivery, an out-of-order older one — has no
   * effect). What a correction changes depends on where the actual is: UNPRICED gets the new facts
   * and is priced as usual; UNBILLED gets the new facts, cost and period and is re-priced exactly
   * through the project's carry; time on a draft or issued invoice keeps what was invoiced and
   * finance is told the exact difference; written-off time only notes the revision.
   */
  private async correctTime(
    tx: BillingTx,
    row: Actual,
    entry: TimeEntryApproved,
    origin: EventOrigin,
  ): Promise<EventRecord[]> {
    if (entry.revision <= row.revision) return [];
    const now = Date.now();
    // Where the facts stay as they are, only the revision is stored (not even changedAt).
    const revised = { revision: entry.revision };
    if (row.status === 'WRITTEN_OFF') {
      await tx.actual.update({ where: { actualId: row.actualId }, data: revised });
      return [];
    }
    if (row.status === 'READY_TO_INVOICE' || row.status === 'INVOICED') {
      await tx.actual.update({ where: { actualId: row.actualId }, data: revised });
      return [await this.timeCorrectedAfterInvoicing(tx, row, entry, origin)];
    }
    const problem = entryProblem(entry);
    if (problem) {
      // The stored facts stay (an UNBILLED actual stays priced as it was); finance sees the bad correction.
      await tx.actual.update({ where: { actualId: row.actualId }, data: revised });
      return [invalidCorrectionRaised(row, entry.revision, problem, origin)];
    }
    const facts = {
      ...revised,
      changedAt: BigInt(now),
      role: entry.role,
      workDate: entry.workDate,
      hoursHundredths: BigInt(entry.hoursHundredths),
      approvedBillable: entry.billable,
      approvedAt: BigInt(entry.approvedAt),
      billingPeriod: billingPeriodFor(entry.workDate, await closedPeriods(tx)),
    };
    if (row.status === 'UNBILLED') return this.repriceCorrected(tx, row, facts, origin, now);
    // UNPRICED: new facts, then priced as usual (a correction can make it priceable).
    const wasInvalid = row.note?.startsWith(INVALID) ?? false;
    const updated = await tx.actual.update({
      where: { actualId: row.actualId },
      data: { ...facts, billable: entry.billable, ...(wasInvalid ? { note: null } : {}) },
    });
    const events: EventRecord[] = [];
    if (wasInvalid) {
      events.push(
        resolved(
          invalidEntryExceptionId(row.actualId),
          updated,
          `Corrected in revision ${entry.revision}`,
          origin,
        ),
      );
    }
    if (row.dealId === null) return [...events, ...(await this.price(tx, [updated], origin, now, false))];
    const priced = await this.price(tx, [updated], origin, now, false);
    const after = await tx.actual.findUniqueOrThrow({ where: { actualId: row.actualId } });
    if (after.status !== 'UNPRICED') return [...events, ...priced];
    // Still no rate: the corrected actual and the exception say what is missing now.
    const project = await tx.billingProject.findUniqueOrThrow({ where: { projectId: row.projectId } });
    return [
      ...events,
      ...priced,
      ...actualChangedEvents([after], origin, null),
      missingRateRaised(after, project, origin),
    ];
  }

  /**
   * Re-prices a corrected UNBILLED time actual: the new facts priced from the rate cards like a new
   * entry (rate for the new role and date, cost rate, billable), but the bill amount moves from the
   * old exact value (old hours × old rate, 0 when it billed nothing) to the new one through the
   * project's carry (`repriceProjectTime`), so the project's billed amounts stay the floor of its
   * exact total. Without a rate for the corrected role and date it becomes UNPRICED (billed 0).
   */
  private async repriceCorrected(
    tx: BillingTx,
    row: Actual,
    facts: {
      revision: number;
      changedAt: bigint;
      role: string;
      workDate: string;
      hoursHundredths: bigint;
      approvedBillable: boolean;
      approvedAt: bigint;
      billingPeriod: string;
    },
    origin: EventOrigin,
    now: number,
  ): Promise<EventRecord[]> {
    const project = await tx.billingProject.findUniqueOrThrow({ where: { projectId: row.projectId } });
    const { carryHundredths: _unused, ...priced } = await this.priceOne(tx, { ...row, ...facts }, project);
    const newExact = billValueHundredths({
      hoursHundredths: Number(facts.hoursHundredths),
      billable: priced.status === 'UNBILLED' && priced.billable,
      rateMinor: priced.rateMinor === null ? null : Number(priced.rateMinor),
    });
    const unbilled = await tx.actual.findMany({
      where: { projectId: row.projectId, kind: 'TIME', status: 'UNBILLED' },
      orderBy: { recordedSeq: 'asc' },
    });
    const result = repriceProjectTime(
      unbilled.map(unbilledTimeOf),
      new Map([[row.actualId, newExact]]),
      project.carryHundredths,
    );
    const excessNote =
      result.excessMinor !== 0 ? `corrected: ${excessText(project.projectId, result.excessMinor)}` : null;
    const updated: Actual[] = [
      await tx.actual.update({
        where: { actualId: row.actualId },
        data: {
          ...facts,
          ...priced,
          billAmountMinor: BigInt(result.changed.get(row.actualId) ?? Number(row.billAmountMinor)),
          note: excessNote ?? priced.note,
          changedAt: BigInt(now),
        },
      }),
    ];
    for (const other of unbilled) {
      const amount = result.changed.get(other.actualId);
      if (other.actualId === row.actualId || amount === undefined) continue;
      updated.push(
        await tx.actual.update({
          where: { actualId: other.actualId },
          data: { billAmountMinor: BigInt(amount), changedAt: BigInt(now) },
        }),
      );
    }
    if (result.carryHundredths !== project.carryHundredths) {
      await tx.billingProject.update({
        where: { projectId: project.projectId },
        data: { carryHundredths: result.carryHundredths },
      });
    }
    const events = actualChangedEvents(updated, origin, null);
    if (priced.status === 'UNPRICED') events.push(missingRateRaised(updated[0], project, origin));
    return events;
  }

  /**
   * Time on a draft or an issued invoice keeps what was invoiced (lines equal the actuals they
   * cite): finance gets the exact bill difference of the correction (new hours × rate for the new
   * role and date, 0 when the corrected time bills nothing, minus the invoiced exact value) for a
   * credit or debit note.
   */
  private async timeCorrectedAfterInvoicing(
    tx: BillingTx,
    row: Actual,
    entry: TimeEntryApproved,
    origin: EventOrigin,
  ): Promise<EventRecord> {
    const project = await tx.billingProject.findUniqueOrThrow({ where: { projectId: row.projectId } });
    const cards = await tx.rateCard.findMany({
      where: { legalEntityId: project.legalEntityId, currency: project.currency },
    });
    const billsNow = entry.billable && billsTime(project.billingType as ProjectCreated['billingType']);
    const rate = billsNow
      ? findRate(
          projectCards(
            cards.map(rateCardOf),
            { rateCardId: project.rateCardId, contractCardIds: await contractCardIds(tx) },
            entry.workDate,
          ),
          project.legalEntityId,
          project.currency,
          entry.workDate,
          entry.role,
        )
      : null;
    const problem = entryProblem(entry);
    const currency = row.currency ?? project.currency;
    const oldExact = exactValueOf(row);
    // Unknown when the correction is malformed or no rate covers its billable new role and date.
    const newExact =
      problem !== null || (billsNow && rate === null)
        ? null
        : billValueHundredths({
            hoursHundredths: entry.hoursHundredths,
            billable: billsNow,
            rateMinor: rate?.rateMinor ?? null,
          });
    const differences =
      newExact === null ? null : describeDifferences(new Map([[currency, newExact - oldExact]]));
    const hoursBefore = hundredthsAsDecimal(row.hoursHundredths);
    const hoursAfter = hundredthsAsDecimal(BigInt(entry.hoursHundredths));
    const invoiceId = row.invoiceId ?? '?';
    const why =
      problem ??
      (newExact === null ? `no ${currency} rate for role ${entry.role} on ${entry.workDate}` : null);
    return createEvent(
      'BusinessExceptionRaised',
      {
        exceptionId: timeCorrectedAfterInvoicingExceptionId(row.actualId, entry.revision),
        ownerRole: 'FINANCE_OPERATIONS',
        entityType: 'Actual',
        entityId: row.actualId,
        dealId: row.dealId,
        code: 'TIME_CORRECTED_AFTER_INVOICING',
        message: `Time entry ${row.actualId} of project ${row.projectId} was corrected (revision ${entry.revision}: ${entry.correctionReason ?? 'no reason given'}) after it was put on invoice ${invoiceId}: hours ${hoursBefore} → ${hoursAfter}, ${differences ? `difference ${differences.text} (exact value)` : `difference unknown: ${why}`}`,
        remediation: `Issue a credit or debit note on invoice ${invoiceId} for the difference; the invoice and the actual it cites keep the invoiced hours and amount`,
        details: {
          projectId: row.projectId,
          invoiceId,
          revision: String(entry.revision),
          correctionReason: entry.correctionReason ?? '',
          hoursBefore,
          hoursAfter,
          roleBefore: row.role ?? '',
          roleAfter: entry.role,
          workDateBefore: row.workDate,
          workDateAfter: entry.workDate,
          billableBefore: String(row.billable),
          billableAfter: String(billsNow),
          ...(differences ? differences.details : { differenceUnknown: why ?? '' }),
        },
      },
      origin,
    );
  }

  async recordExpense(event: ConsumedEvent<'ExpenseApproved'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const expense: ExpenseApproved = event.data;
      await lockPricing(tx, [expense.projectId]);
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
        // Null when ProjectCreated v1 (no card) was read: priced from the legal entity's cards.
        rateCardId: project.rateCardId ?? null,
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
    const projectCardIds = new Map(
      (
        await tx.billingProject.findMany({
          where: { projectId: { in: [...new Set(rows.map((row) => row.projectId))] } },
          select: { projectId: true, rateCardId: true },
        })
      ).map((project) => [project.projectId, project.rateCardId]),
    );
    const named = await contractCardIds(tx);
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
        project: { rateCardId: projectCardIds.get(row.projectId) ?? null, contractCardIds: named },
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
        unbilled.map(unbilledTimeOf),
        new Map(
          unbilled.flatMap((r) => {
            const rate = unbilledRates.get(r.actualId);
            return rate
              ? [[r.actualId, exactHundredths(Number(r.hoursHundredths), rate.rateMinor)] as const]
              : [];
          }),
        ),
        project.carryHundredths,
      );
      for (const row of unbilled) {
        const changed = result.changed.get(row.actualId);
        const rate = unbilledRates.get(row.actualId);
        if (changed === undefined && !rate) continue;
        const excessNote =
          result.excessMinor !== 0 && rate
            ? `re-priced to rate ${rate.rateMinor}: ${excessText(projectId, result.excessMinor)} (rate change on invoiced time)`
            : null;
        updated.push(
          await tx.actual.update({
            where: { actualId: row.actualId },
            data: {
              rateMinor: rate ? BigInt(rate.rateMinor) : row.rateMinor,
              rateCardId: rate?.rateCardId ?? row.rateCardId,
              billAmountMinor: changed === undefined ? row.billAmountMinor : BigInt(changed),
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
    const events = actualChangedEvents(updated, origin, null);
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
   * draft or invoiced it is refused, so drafts never need to drop lines. Priced billable time
   * leaves the project's exact total through the carry (`writeOffTime`), so what is invoiced
   * stays the floor of the exact value of the time that is not written off, as recognised.
   */
  async writeOff(
    actualId: string,
    reason: string,
    actor: string,
    correlationId?: string,
  ): Promise<ActualView> {
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
      const now = BigInt(Date.now());
      const moved =
        actual.kind === 'TIME' && actual.status === 'UNBILLED'
          ? await this.writeOffTime(tx, actual, now)
          : null;
      const excess =
        moved && moved.excessMinor !== 0 ? ` (${excessText(actual.projectId, moved.excessMinor)})` : '';
      const updated = await tx.actual.update({
        where: { actualId },
        data: { status: 'WRITTEN_OFF', note: `written off: ${reason}${excess}`, changedAt: now },
      });
      const origin = { source: SOURCE, correlationId };
      // The other time the write-off re-priced changed by the same call: same actor.
      const events: EventRecord[] = actualChangedEvents([updated, ...(moved?.others ?? [])], origin, actor);
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

  /**
   * Takes written-off UNBILLED time out of its project's exact total: `writeOffTime` moves the
   * carry and any whole units the actual held for earlier entries to the project's other unbilled
   * time. The written-off actual keeps the amount it was billed (what was written off).
   */
  private async writeOffTime(
    tx: BillingTx,
    actual: Actual,
    now: bigint,
  ): Promise<{ others: Actual[]; excessMinor: number }> {
    const project = await tx.billingProject.findUniqueOrThrow({ where: { projectId: actual.projectId } });
    const unbilled = await tx.actual.findMany({
      where: { projectId: actual.projectId, kind: 'TIME', status: 'UNBILLED' },
      orderBy: { recordedSeq: 'asc' },
    });
    const result = writeOffTime(unbilled.map(unbilledTimeOf), actual.actualId, project.carryHundredths);
    const others: Actual[] = [];
    for (const other of unbilled) {
      const amount = result.changed.get(other.actualId);
      if (other.actualId === actual.actualId || amount === undefined) continue;
      others.push(
        await tx.actual.update({
          where: { actualId: other.actualId },
          data: { billAmountMinor: BigInt(amount), changedAt: now },
        }),
      );
    }
    if (result.carryHundredths !== project.carryHundredths) {
      await tx.billingProject.update({
        where: { projectId: project.projectId },
        data: { carryHundredths: result.carryHundredths },
      });
    }
    return { others, excessMinor: result.excessMinor };
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
      events.push(...actualChangedEvents([updated], origin, null));
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

  private async priceOne(tx: BillingTx, row: Actual, project: BillingProject): Promise<PricedFields> {
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
    return pricedTimeFields(
      row,
      project,
      cards.map(rateCardOf),
      personRate === null ? null : Number(personRate.costRateMinor),
      await contractCardIds(tx),
    );
  }
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
  const differences = describeDifferences(difference);
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
      message: `Rate card ${card.rateCardId} (${card.legalEntityId} ${card.currency}, ${validity}) changes the rate of ${invoiced.length} time actual(s) already on invoice(s) ${invoiceIds.join(', ')}: difference ${differences.text} (exact value, hours × rate change)`,
      remediation: `Issue a credit or debit note for the difference; the invoices and the actuals they cite keep the rate they were invoiced at`,
      details: {
        legalEntityId: card.legalEntityId,
        currency: card.currency,
        effectiveFrom: card.effectiveFrom,
        effectiveTo: card.effectiveTo ?? '',
        actualCount: String(invoiced.length),
        actualIds: invoiced.map(({ row }) => row.actualId).join(','),
        invoiceIds: invoiceIds.join(','),
        ...differences.details,
      },
    },
    origin,
  );
}

/** Stable per entry and revision, so a redelivered correction never raises twice under two ids. */
export function timeCorrectedAfterInvoicingExceptionId(actualId: string, revision: number): string {
  return `EXC-ACT-${actualId}-R${revision}-TIME_CORRECTED_AFTER_INVOICING`;
}

function unbilledTimeOf(row: Actual): UnbilledTime {
  return {
    actualId: row.actualId,
    exactHundredths: exactValueOf(row),
    amountMinor: Number(row.billAmountMinor),
  };
}

/** The exact bill value of a stored time actual, in hundredths of a minor unit. */
function exactValueOf(row: Actual): bigint {
  return billValueHundredths({
    hoursHundredths: Number(row.hoursHundredths),
    billable: row.billable,
    rateMinor: row.rateMinor === null ? null : Number(row.rateMinor),
  });
}

function excessText(projectId: string, excessMinor: number): string {
  return excessMinor > 0
    ? `project ${projectId} is billed ${excessMinor} minor unit(s) above its exact total`
    : `project ${projectId} is billed ${-excessMinor} minor unit(s) below its exact total`;
}

function invalidCorrectionRaised(
  row: Actual,
  revision: number,
  problem: string,
  origin: EventOrigin,
): EventRecord {
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: `EXC-ACT-${row.actualId}-R${revision}-INVALID_ENTRY`,
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      entityId: row.actualId,
      dealId: row.dealId,
      code: 'INVALID_ENTRY',
      message: `Correction (revision ${revision}) of time entry ${row.actualId} of project ${row.projectId} cannot be applied: ${problem}; the actual keeps its previous facts`,
      remediation: `Correct the entry again in the source system (next revision)`,
      details: { projectId: row.projectId, problem, revision: String(revision) },
    },
    origin,
  );
}

/** Marks (in the note) an approved entry that cannot be priced as it is. */
export const INVALID = 'invalid entry:';

export function approvalDate(approvedAt: number): string {
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
