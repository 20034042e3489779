import { ConflictException, Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';
import { NotFoundError } from '@throughline/platform';

import {
  Approval,
  decideIntake,
  EntryStatus,
  ExpenseFacts,
  expenseApproved,
  IntakeOutcome,
  StoredEntry,
  Submission,
  TimeEntryFacts,
  timeEntryApproved,
} from '../domain/psa';
import { IngressDb, IngressTx, Prisma } from '../infrastructure/ingress-db';
import { INGRESS_DB, SOURCE } from './tokens';

export interface EntryResult {
  id: string;
  outcome: IntakeOutcome;
  status: EntryStatus;
  /** eventId of the TimeEntryApproved / ExpenseApproved, once approved. */
  eventId: string | null;
  /** Fields that differed from what ingress held (UPDATED). */
  changed?: string[];
}

export interface Conflict {
  id: string;
  changed: string[];
}

export interface ListQuery {
  projectId?: string | undefined;
  status?: EntryStatus | undefined;
  limit: number;
}

/** Namespace of the transaction-level advisory locks that serialise requests on the same entries. */
const ENTRY_LOCK_CLASS = 40_401;

type TimeEntryRow = Prisma.PsaTimeEntryGetPayload<object>;
type ExpenseRow = Prisma.PsaExpenseGetPayload<object>;

/**
 * Intake of PSA time entries and expenses, and their approval. Each request is one transaction:
 * every entry is stored (and its approval published through the outbox) or none is.
 */
@Injectable()
export class PsaIntakeService {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async receiveTimeEntries(
    submissions: readonly Submission<TimeEntryFacts>[],
    correlationId?: string,
  ): Promise<EntryResult[]> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const results: EntryResult[] = [];
    await commit(this.db, async (tx) => {
      const ids = submissions.map((submission) => submission.facts.entryId);
      await lockEntries(
        tx,
        ids.map((id) => `time:${id}`),
      );
      const rows = await tx.psaTimeEntry.findMany({ where: { entryId: { in: ids } } });
      const existing = new Map(rows.map((row) => [row.entryId, storedTimeEntry(row)]));
      const decisions = submissions.map((submission) => ({
        submission,
        decision: decideIntake(existing.get(submission.facts.entryId), submission),
      }));
      rejectConflicts(
        'time entries',
        decisions.flatMap(({ submission, decision }) =>
          decision.conflict ? [{ id: submission.facts.entryId, changed: decision.changed }] : [],
        ),
      );
      const events: EventRecord[] = [];
      for (const { submission, decision } of decisions) {
        if (decision.conflict) continue;
        const { facts, approval } = submission;
        const event =
          decision.approve && approval
            ? createEvent('TimeEntryApproved', timeEntryApproved(facts, approval), origin)
            : undefined;
        const approved = event && approval ? approvedColumns(approval, event, correlationId) : {};
        if (decision.store || event) {
          await tx.psaTimeEntry.upsert({
            where: { entryId: facts.entryId },
            create: { ...facts, status: 'SUBMITTED', correlationId, ...approved },
            update: { ...facts, updatedAt: new Date(), ...approved },
          });
        }
        if (event) events.push(event);
        const stored = existing.get(facts.entryId);
        results.push({
          id: facts.entryId,
          outcome: decision.outcome,
          status: event ? 'APPROVED' : (stored?.status ?? 'SUBMITTED'),
          eventId:
            event?.envelope.eventId ?? rows.find((row) => row.entryId === facts.entryId)?.eventId ?? null,
          ...(decision.outcome === 'UPDATED' ? { changed: decision.changed } : {}),
        });
      }
      return events;
    });
    this.logOutcomes('PSA time entries received', results, correlationId);
    return results;
  }

  async receiveExpenses(
    submissions: readonly Submission<ExpenseFacts>[],
    correlationId?: string,
  ): Promise<EntryResult[]> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const results: EntryResult[] = [];
    await commit(this.db, async (tx) => {
      const ids = submissions.map((submission) => submission.facts.expenseId);
      await lockEntries(
        tx,
        ids.map((id) => `expense:${id}`),
      );
      const rows = await tx.psaExpense.findMany({ where: { expenseId: { in: ids } } });
      const existing = new Map(rows.map((row) => [row.expenseId, storedExpense(row)]));
      const decisions = submissions.map((submission) => ({
        submission,
        decision: decideIntake(existing.get(submission.facts.expenseId), submission),
      }));
      rejectConflicts(
        'expenses',
        decisions.flatMap(({ submission, decision }) =>
          decision.conflict ? [{ id: submission.facts.expenseId, changed: decision.changed }] : [],
        ),
      );
      const events: EventRecord[] = [];
      for (const { submission, decision } of decisions) {
        if (decision.conflict) continue;
        const { facts, approval } = submission;
        const event =
          decision.approve && approval
            ? createEvent('ExpenseApproved', expenseApproved(facts, approval), origin)
            : undefined;
        const approved = event && approval ? approvedColumns(approval, event, correlationId) : {};
        const columns = { ...facts, amountMinor: BigInt(facts.amountMinor) };
        if (decision.store || event) {
          await tx.psaExpense.upsert({
            where: { expenseId: facts.expenseId },
            create: { ...columns, status: 'SUBMITTED', correlationId, ...approved },
            update: { ...columns, updatedAt: new Date(), ...approved },
          });
        }
        if (event) events.push(event);
        const stored = existing.get(facts.expenseId);
        results.push({
          id: facts.expenseId,
          outcome: decision.outcome,
          status: event ? 'APPROVED' : (stored?.status ?? 'SUBMITTED'),
          eventId:
            event?.envelope.eventId ?? rows.find((row) => row.expenseId === facts.expenseId)?.eventId ?? null,
          ...(decision.outcome === 'UPDATED' ? { changed: decision.changed } : {}),
        });
      }
      return events;
    });
    this.logOutcomes('PSA expenses received', results, correlationId);
    return results;
  }

  /**
   * Approves SUBMITTED entries (TimeEntryApproved / ExpenseApproved); approved ones are left as
   * they are. Any unknown id fails the whole request (404), so nothing is half-approved.
   */
  async approve(
    request: { timeEntryIds: readonly string[]; expenseIds: readonly string[] },
    approval: Approval,
    correlationId?: string,
  ): Promise<{ timeEntries: EntryResult[]; expenses: EntryResult[] }> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const timeEntryIds = [...new Set(request.timeEntryIds)];
    const expenseIds = [...new Set(request.expenseIds)];
    const answer = { timeEntries: [] as EntryResult[], expenses: [] as EntryResult[] };
    await commit(this.db, async (tx) => {
      await lockEntries(tx, [
        ...timeEntryIds.map((id) => `time:${id}`),
        ...expenseIds.map((id) => `expense:${id}`),
      ]);
      const entries = await tx.psaTimeEntry.findMany({ where: { entryId: { in: timeEntryIds } } });
      const expenses = await tx.psaExpense.findMany({ where: { expenseId: { in: expenseIds } } });
      const unknownEntries = timeEntryIds.filter((id) => !entries.some((row) => row.entryId === id));
      const unknownExpenses = expenseIds.filter((id) => !expenses.some((row) => row.expenseId === id));
      if (unknownEntries.length + unknownExpenses.length > 0) {
        throw new NotFoundError(
          [
            unknownEntries.length ? `unknown time entries: ${unknownEntries.join(', ')}` : '',
            unknownExpenses.length ? `unknown expenses: ${unknownExpenses.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; ') + '; nothing was approved',
        );
      }
      const events: EventRecord[] = [];
      for (const id of timeEntryIds) {
        const row = entries.find((candidate) => candidate.entryId === id) as TimeEntryRow;
        if (row.status === 'APPROVED') {
          answer.timeEntries.push({
            id,
            outcome: 'ALREADY_APPROVED',
            status: 'APPROVED',
            eventId: row.eventId,
          });
          continue;
        }
        const event = createEvent(
          'TimeEntryApproved',
          timeEntryApproved(timeEntryFacts(row), approval),
          origin,
        );
        await tx.psaTimeEntry.update({
          where: { entryId: id },
          data: { ...approvedColumns(approval, event, correlationId), updatedAt: new Date() },
        });
        events.push(event);
        answer.timeEntries.push({
          id,
          outcome: 'APPROVED',
          status: 'APPROVED',
          eventId: event.envelope.eventId,
        });
      }
      for (const id of expenseIds) {
        const row = expenses.find((candidate) => candidate.expenseId === id) as ExpenseRow;
        if (row.status === 'APPROVED') {
          answer.expenses.push({ id, outcome: 'ALREADY_APPROVED', status: 'APPROVED', eventId: row.eventId });
          continue;
        }
        const event = createEvent('ExpenseApproved', expenseApproved(expenseFacts(row), approval), origin);
        await tx.psaExpense.update({
          where: { expenseId: id },
          data: { ...approvedColumns(approval, event, correlationId), updatedAt: new Date() },
        });
        events.push(event);
        answer.expenses.push({
          id,
          outcome: 'APPROVED',
          status: 'APPROVED',
          eventId: event.envelope.eventId,
        });
      }
      return events;
    });
    this.logOutcomes('PSA time entries approved', answer.timeEntries, correlationId);
    this.logOutcomes('PSA expenses approved', answer.expenses, correlationId);
    return answer;
  }

  async listTimeEntries(query: ListQuery) {
    const rows = await this.db.psaTimeEntry.findMany({
      where: { projectId: query.projectId, status: query.status },
      orderBy: [{ workDate: 'asc' }, { entryId: 'asc' }],
      take: query.limit,
    });
    return rows.map((row) => ({
      ...timeEntryFacts(row),
      ...entryState(row),
    }));
  }

  async listExpenses(query: ListQuery) {
    const rows = await this.db.psaExpense.findMany({
      where: { projectId: query.projectId, status: query.status },
      orderBy: [{ incurredOn: 'asc' }, { expenseId: 'asc' }],
      take: query.limit,
    });
    return rows.map((row) => ({
      ...expenseFacts(row),
      ...entryState(row),
    }));
  }

  /** Ids and outcomes only: entries carry a personId but no other personal data, and none is logged. */
  private logOutcomes(message: string, results: readonly EntryResult[], correlationId?: string): void {
    if (results.length === 0) return;
    const counts: Partial<Record<IntakeOutcome, number>> = {};
    for (const result of results) counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
    this.logger.info(
      {
        correlationId,
        counts,
        approvedEventIds: results.filter((r) => r.outcome === 'APPROVED').map((r) => r.eventId),
      },
      message,
    );
  }
}

/**
 * Serialises concurrent requests touching the same entries (the check-then-write below would
 * otherwise race, e.g. two identical approvals both publishing). Keys are taken in sorted order
 * so two requests never wait on each other crosswise.
 */
async function lockEntries(tx: IngressTx, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(${ENTRY_LOCK_CLASS}::int, hashtext(k))
      FROM (SELECT unnest(${sorted}::text[]) AS k ORDER BY 1) AS keys`;
}

function rejectConflicts(kind: string, conflicts: readonly Conflict[]): void {
  if (conflicts.length === 0) return;
  throw new ConflictException({
    error:
      `already approved ${kind} sent with different content (${conflicts
        .map((c) => `${c.id}: ${c.changed.join(', ')}`)
        .join('; ')}); corrections of approved entries are not supported, so nothing in this ` +
      `request was stored`,
    conflicts,
  });
}

function approvedColumns(approval: Approval, event: EventRecord, correlationId: string | undefined) {
  return {
    status: 'APPROVED',
    approvedBy: approval.approvedBy,
    approvedAt: new Date(approval.approvedAt),
    eventId: event.envelope.eventId,
    correlationId: correlationId ?? null,
  };
}

function timeEntryFacts(row: TimeEntryRow): TimeEntryFacts {
  return {
    entryId: row.entryId,
    projectId: row.projectId,
    personId: row.personId,
    role: row.role,
    workDate: row.workDate,
    hoursHundredths: row.hoursHundredths,
    billable: row.billable,
    sourceSystem: row.sourceSystem,
  };
}

function expenseFacts(row: ExpenseRow): ExpenseFacts {
  return {
    expenseId: row.expenseId,
    projectId: row.projectId,
    personId: row.personId,
    incurredOn: row.incurredOn,
    amountMinor: Number(row.amountMinor),
    currency: row.currency,
    category: row.category,
    receiptReference: row.receiptReference,
    billable: row.billable,
    sourceSystem: row.sourceSystem,
  };
}

function storedTimeEntry(row: TimeEntryRow): StoredEntry<TimeEntryFacts> {
  return { facts: timeEntryFacts(row), status: row.status as EntryStatus };
}

function storedExpense(row: ExpenseRow): StoredEntry<ExpenseFacts> {
  return { facts: expenseFacts(row), status: row.status as EntryStatus };
}

function entryState(row: TimeEntryRow | ExpenseRow) {
  return {
    status: row.status as EntryStatus,
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.getTime() ?? null,
    eventId: row.eventId,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
