import { ConflictException, Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';
import { NotFoundError } from '@throughline/platform';

import {
  Approval,
  decideCorrection,
  decideIntake,
  EntryStatus,
  ExpenseFacts,
  expenseApproved,
  IntakeOutcome,
  StoredEntry,
  Submission,
  TimeEntryCorrection,
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

export interface CorrectionResult {
  entryId: string;
  /** CORRECTED: stored as the next revision and published; UNCHANGED: the current revision already says it. */
  outcome: 'CORRECTED' | 'UNCHANGED';
  /** The entry's current revision (the new one when CORRECTED). */
  revision: number;
  /** eventId of the TimeEntryApproved of that revision. */
  eventId: string;
  /** Fields the correction changed (empty when UNCHANGED). */
  changed: string[];
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
/** The columns intake and approval read: an entry's facts, status and approval event. */
type StateColumns = 'status' | 'eventId';
type TimeEntryFactsRow = Pick<TimeEntryRow, keyof TimeEntryFacts>;
type ExpenseFactsRow = Pick<ExpenseRow, keyof ExpenseFacts>;

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

  receiveTimeEntries(
    submissions: readonly Submission<TimeEntryFacts>[],
    correlationId?: string,
  ): Promise<EntryResult[]> {
    return this.receive(TIME_ENTRIES, submissions, correlationId);
  }

  receiveExpenses(
    submissions: readonly Submission<ExpenseFacts>[],
    correlationId?: string,
  ): Promise<EntryResult[]> {
    return this.receive(EXPENSES, submissions, correlationId);
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
      await lockEntries(tx, [...TIME_ENTRIES.lockKeys(timeEntryIds), ...EXPENSES.lockKeys(expenseIds)]);
      const entries = await TIME_ENTRIES.find(tx, timeEntryIds);
      const expenses = await EXPENSES.find(tx, expenseIds);
      const unknown = [
        unknownIds(TIME_ENTRIES, timeEntryIds, entries),
        unknownIds(EXPENSES, expenseIds, expenses),
      ].filter(Boolean);
      if (unknown.length > 0) throw new NotFoundError(`${unknown.join('; ')}; nothing was approved`);
      const approve = async <F extends object>(
        kind: EntryKind<F>,
        ids: string[],
        rows: Map<string, EntryRow<F>>,
      ) => {
        const events: EventRecord[] = [];
        const approved: Approved[] = [];
        const results: EntryResult[] = [];
        for (const id of ids) {
          const row = rows.get(id) as EntryRow<F>;
          if (row.stored.status === 'APPROVED') {
            results.push({ id, outcome: 'ALREADY_APPROVED', status: 'APPROVED', eventId: row.eventId });
            continue;
          }
          const event = kind.approvedEvent(row.stored.facts, approval, origin);
          const eventId = event.envelope.eventId;
          events.push(event);
          approved.push({ id, eventId });
          results.push({ id, outcome: 'APPROVED', status: 'APPROVED', eventId });
        }
        await kind.approveAll(tx, approved, approval, correlationId);
        return { events, results };
      };
      const time = await approve(TIME_ENTRIES, timeEntryIds, entries);
      const expense = await approve(EXPENSES, expenseIds, expenses);
      answer.timeEntries = time.results;
      answer.expenses = expense.results;
      return [...time.events, ...expense.events];
    });
    this.logOutcomes('PSA time entries approved', answer.timeEntries, correlationId);
    this.logOutcomes('PSA expenses approved', answer.expenses, correlationId);
    return answer;
  }

  /**
   * Corrects an APPROVED time entry: its corrected facts become the next revision, stored and
   * published as TimeEntryApproved (with the revision and the reason) in one transaction. A
   * correction that changes nothing (e.g. re-sent) publishes nothing. 404 for an unknown entry, 409
   * for one not approved yet.
   */
  async correctTimeEntry(
    entryId: string,
    correction: TimeEntryCorrection,
    correlationId?: string,
  ): Promise<CorrectionResult> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    let result: CorrectionResult | undefined;
    await commit(this.db, async (tx) => {
      // The same lock as intake and approval: two identical corrections at once make one revision.
      await lockEntries(tx, TIME_ENTRIES.lockKeys([entryId]));
      const row = await tx.psaTimeEntry.findUnique({ where: { entryId } });
      if (!row) throw new NotFoundError(`unknown time entry: ${entryId}; nothing was corrected`);
      const decision = decideCorrection(
        { facts: timeEntryFacts(row), status: row.status as EntryStatus, revision: row.revision },
        correction,
      );
      if (decision.outcome === 'NOT_APPROVED') {
        throw new ConflictException({
          error:
            `time entry ${entryId} is ${row.status}, not approved: only approved entries are corrected; ` +
            'send the changed entry to POST /psa/time-entries instead (status APPROVED approves it)',
        });
      }
      if (decision.outcome === 'UNCHANGED') {
        result = {
          entryId,
          outcome: 'UNCHANGED',
          revision: decision.revision,
          eventId: row.eventId ?? '',
          changed: [],
        };
        return [];
      }
      const { facts, revision, changed } = decision;
      const event = createEvent(
        'TimeEntryApproved',
        timeEntryApproved(facts, correction.approval, { revision, reason: correction.reason }),
        origin,
      );
      // The superseded revision is kept as it was approved.
      await tx.psaTimeEntryRevision.create({
        data: {
          entryId,
          revision: row.revision,
          role: row.role,
          workDate: row.workDate,
          hoursHundredths: row.hoursHundredths,
          billable: row.billable,
          approvedBy: row.approvedBy ?? '',
          approvedAt: row.approvedAt ?? new Date(0),
          correctionReason: row.correctionReason,
          eventId: row.eventId ?? '',
          correlationId: row.correlationId,
        },
      });
      await tx.psaTimeEntry.update({
        where: { entryId },
        data: {
          hoursHundredths: facts.hoursHundredths,
          role: facts.role,
          workDate: facts.workDate,
          billable: facts.billable,
          revision,
          correctionReason: correction.reason,
          ...approvedColumns(correction.approval, event, correlationId),
          updatedAt: new Date(),
        },
      });
      result = { entryId, outcome: 'CORRECTED', revision, eventId: event.envelope.eventId, changed };
      return [event];
    });
    const answer = result as CorrectionResult;
    this.logger.info(
      {
        correlationId,
        entryId,
        outcome: answer.outcome,
        revision: answer.revision,
        eventId: answer.eventId,
        changed: answer.changed,
      },
      'PSA time entry correction received',
    );
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
      revision: row.revision,
      correctionReason: row.correctionReason,
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

  private async receive<F extends object>(
    kind: EntryKind<F>,
    submissions: readonly Submission<F>[],
    correlationId?: string,
  ): Promise<EntryResult[]> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const results: EntryResult[] = [];
    await commit(this.db, async (tx) => {
      const ids = submissions.map((submission) => kind.idOf(submission.facts));
      await lockEntries(tx, kind.lockKeys(ids));
      const existing = await kind.find(tx, ids);
      const decisions = submissions.map((submission) => ({
        submission,
        decision: decideIntake(existing.get(kind.idOf(submission.facts))?.stored, submission),
      }));
      rejectConflicts(
        kind,
        decisions.flatMap(({ submission, decision }) =>
          decision.conflict ? [{ id: kind.idOf(submission.facts), changed: decision.changed }] : [],
        ),
      );
      const events: EventRecord[] = [];
      const stores: Store<F>[] = [];
      for (const { submission, decision } of decisions) {
        if (decision.conflict) continue;
        const { facts, approval } = submission;
        const id = kind.idOf(facts);
        const event = decision.approve && approval ? kind.approvedEvent(facts, approval, origin) : undefined;
        if (event && approval) {
          events.push(event);
          stores.push({ facts, approved: { approval, eventId: event.envelope.eventId } });
        } else if (decision.store) {
          stores.push({ facts, approved: null });
        }
        const stored = existing.get(id);
        results.push({
          id,
          outcome: decision.outcome,
          status: event ? 'APPROVED' : (stored?.stored.status ?? 'SUBMITTED'),
          eventId: event?.envelope.eventId ?? stored?.eventId ?? null,
          ...(decision.outcome === 'UPDATED' ? { changed: decision.changed } : {}),
        });
      }
      await kind.saveAll(tx, stores, correlationId);
      return events;
    });
    this.logOutcomes(`PSA ${kind.label} received`, results, correlationId);
    return results;
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
 * otherwise race, e.g. two identical approvals both publishing). One statement takes every lock of
 * the request, in the order of the lock ids themselves (hashes, deduplicated), so two requests
 * never wait on each other crosswise, not even when two keys share a hash.
 */
async function lockEntries(tx: IngressTx, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(${ENTRY_LOCK_CLASS}::int, h)
      FROM (SELECT DISTINCT hashtext(k) AS h FROM json_array_elements_text(${json(keys)}::json) AS k ORDER BY h) AS locks`;
}

function rejectConflicts<F extends object>(kind: EntryKind<F>, conflicts: readonly Conflict[]): void {
  if (conflicts.length === 0) return;
  throw new ConflictException({
    error: `already approved ${kind.label} sent with different content (${conflicts
      .map((c) => `${c.id}: ${c.changed.join(', ')}`)
      .join('; ')}); ${kind.correctionHint}; nothing in this request was stored`,
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

function timeEntryFacts(row: TimeEntryFactsRow): TimeEntryFacts {
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

function expenseFacts(row: ExpenseFactsRow): ExpenseFacts {
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

/** What ingress holds of one entry: its facts and status, and its approval event once approved. */
interface EntryRow<F> {
  stored: StoredEntry<F>;
  eventId: string | null;
}

/** An entry that intake inserts or updates, and its approval when this request approves it. */
interface Store<F> {
  facts: F;
  approved: { approval: Approval; eventId: string } | null;
}

/** An entry that an approval request approves, with the eventId of its *Approved event. */
interface Approved {
  id: string;
  eventId: string;
}

/**
 * The table and event of one kind of PSA entry; the intake and approval rules are shared. Each
 * method is one SQL statement for the whole request, whatever its number of entries.
 */
interface EntryKind<F extends object> {
  /** Plural, as in messages: "time entries". */
  label: string;
  /** How an approved entry of this kind is corrected, for the 409 of a changed re-send. */
  correctionHint: string;
  idOf(facts: F): string;
  lockKeys(ids: readonly string[]): string[];
  find(tx: IngressTx, ids: readonly string[]): Promise<Map<string, EntryRow<F>>>;
  approvedEvent(facts: F, approval: Approval, origin: EventOrigin): EventRecord;
  /** Inserts new entries (SUBMITTED, or APPROVED with their approval) and updates SUBMITTED ones. */
  saveAll(tx: IngressTx, entries: readonly Store<F>[], correlationId: string | undefined): Promise<void>;
  /** Marks SUBMITTED entries APPROVED by one approval. */
  approveAll(
    tx: IngressTx,
    entries: readonly Approved[],
    approval: Approval,
    correlationId: string | undefined,
  ): Promise<void>;
}

/**
 * The approval columns of an entry being stored (null when not approved): stored as sent when new,
 * and over the stored SUBMITTED entry (its correlationId kept unless this request approves it).
 */
function approvalColumns<F>(entry: Store<F>, correlationId: string | undefined) {
  return {
    status: entry.approved ? 'APPROVED' : 'SUBMITTED',
    approved_by: entry.approved?.approval.approvedBy ?? null,
    approved_at: entry.approved ? new Date(entry.approved.approval.approvedAt).toISOString() : null,
    event_id: entry.approved?.eventId ?? null,
    correlation_id: correlationId ?? null,
  };
}

/**
 * The rows of a bulk statement as one JSON parameter, which the statement reads with
 * json_to_recordset / json_array_elements_text: the client converts every element of an array
 * parameter on its own, which cost more CPU than the statement itself at 500 entries.
 */
function json(rows: readonly unknown[]): string {
  return JSON.stringify(rows);
}

/**
 * The lock makes these writes safe (no other request changes these entries meanwhile); the row
 * count checks that what the decisions were based on still held (an approved entry is never
 * overwritten), failing the whole request otherwise.
 */
function expectWritten(kind: string, written: number, expected: number): void {
  if (written !== expected) {
    throw new Error(
      `${kind}: wrote ${written} of ${expected} entries; the stored entries changed under the lock`,
    );
  }
}

/** Same statement for both tables; only their names differ (constants, never input). */
async function approveRows(
  tx: IngressTx,
  table: { name: string; id: string; label: string },
  entries: readonly Approved[],
  approval: Approval,
  correlationId: string | undefined,
): Promise<void> {
  if (entries.length === 0) return;
  const written = await tx.$executeRaw`
    UPDATE ${Prisma.raw(table.name)} AS t
       SET status = 'APPROVED',
           approved_by = ${approval.approvedBy},
           approved_at = ${new Date(approval.approvedAt).toISOString()}::timestamptz,
           event_id = a.event_id,
           correlation_id = ${correlationId ?? null}::text,
           updated_at = now()
      FROM json_to_recordset(${json(entries.map((e) => ({ id: e.id, event_id: e.eventId })))}::json)
           AS a (id text, event_id text)
     WHERE t.${Prisma.raw(table.id)} = a.id AND t.status = 'SUBMITTED'`;
  expectWritten(table.label, written, entries.length);
}

const TIME_ENTRIES: EntryKind<TimeEntryFacts> = {
  label: 'time entries',
  correctionHint:
    'an approved time entry is corrected with POST /psa/time-entries/{entryId}/corrections ' +
    '(changed facts, reason, approvedBy), which publishes it again as its next revision',
  idOf: (facts) => facts.entryId,
  lockKeys: (ids) => ids.map((id) => `time:${id}`),
  find: async (tx, ids) => {
    if (ids.length === 0) return new Map();
    // Raw rather than findMany: the client's query compiler costs more than the query for 500 ids.
    const rows = await tx.$queryRaw<Pick<TimeEntryRow, keyof TimeEntryFacts | StateColumns>[]>`
      SELECT entry_id AS "entryId", project_id AS "projectId", person_id AS "personId", role,
             work_date AS "workDate", hours_hundredths AS "hoursHundredths", billable,
             source_system AS "sourceSystem", status, event_id AS "eventId"
        FROM psa_time_entry
       WHERE entry_id = ANY(ARRAY(SELECT json_array_elements_text(${json(ids)}::json)))`;
    return new Map(rows.map((row) => [row.entryId, entryRow(timeEntryFacts(row), row)]));
  },
  approvedEvent: (facts, approval, origin) =>
    createEvent('TimeEntryApproved', timeEntryApproved(facts, approval), origin),
  saveAll: async (tx, entries, correlationId) => {
    if (entries.length === 0) return;
    const rows = entries.map((entry) => ({
      entry_id: entry.facts.entryId,
      project_id: entry.facts.projectId,
      person_id: entry.facts.personId,
      role: entry.facts.role,
      work_date: entry.facts.workDate,
      hours_hundredths: entry.facts.hoursHundredths,
      billable: entry.facts.billable,
      source_system: entry.facts.sourceSystem,
      ...approvalColumns(entry, correlationId),
    }));
    const written = await tx.$executeRaw`
      INSERT INTO psa_time_entry AS t (entry_id, project_id, person_id, role, work_date, hours_hundredths,
             billable, source_system, status, approved_by, approved_at, event_id, correlation_id)
      SELECT entry_id, project_id, person_id, role, work_date, hours_hundredths, billable, source_system,
             status, approved_by, approved_at, event_id, correlation_id
        FROM json_to_recordset(${json(rows)}::json) AS r (entry_id text, project_id text,
             person_id text, role text, work_date text, hours_hundredths int, billable boolean,
             source_system text, status text, approved_by text, approved_at timestamptz, event_id text,
             correlation_id text)
      ON CONFLICT (entry_id) DO UPDATE
         SET project_id = EXCLUDED.project_id, person_id = EXCLUDED.person_id, role = EXCLUDED.role,
             work_date = EXCLUDED.work_date, hours_hundredths = EXCLUDED.hours_hundredths,
             billable = EXCLUDED.billable, source_system = EXCLUDED.source_system,
             status = EXCLUDED.status, approved_by = EXCLUDED.approved_by,
             approved_at = EXCLUDED.approved_at, event_id = EXCLUDED.event_id,
             correlation_id = CASE WHEN EXCLUDED.status = 'APPROVED' THEN EXCLUDED.correlation_id
                                   ELSE t.correlation_id END,
             updated_at = now()
       WHERE t.status = 'SUBMITTED'`;
    expectWritten('time entries', written, entries.length);
  },
  approveAll: (tx, entries, approval, correlationId) =>
    approveRows(
      tx,
      { name: 'psa_time_entry', id: 'entry_id', label: 'time entries' },
      entries,
      approval,
      correlationId,
    ),
};

const EXPENSES: EntryKind<ExpenseFacts> = {
  label: 'expenses',
  correctionHint: 'corrections of approved expenses are not supported',
  idOf: (facts) => facts.expenseId,
  lockKeys: (ids) => ids.map((id) => `expense:${id}`),
  find: async (tx, ids) => {
    if (ids.length === 0) return new Map();
    const rows = await tx.$queryRaw<Pick<ExpenseRow, keyof ExpenseFacts | StateColumns>[]>`
      SELECT expense_id AS "expenseId", project_id AS "projectId", person_id AS "personId",
             incurred_on AS "incurredOn", amount_minor AS "amountMinor", currency, category,
             receipt_reference AS "receiptReference", billable, source_system AS "sourceSystem",
             status, event_id AS "eventId"
        FROM psa_expense
       WHERE expense_id = ANY(ARRAY(SELECT json_array_elements_text(${json(ids)}::json)))`;
    return new Map(rows.map((row) => [row.expenseId, entryRow(expenseFacts(row), row)]));
  },
  approvedEvent: (facts, approval, origin) =>
    createEvent('ExpenseApproved', expenseApproved(facts, approval), origin),
  saveAll: async (tx, entries, correlationId) => {
    if (entries.length === 0) return;
    const rows = entries.map((entry) => ({
      expense_id: entry.facts.expenseId,
      project_id: entry.facts.projectId,
      person_id: entry.facts.personId,
      incurred_on: entry.facts.incurredOn,
      amount_minor: entry.facts.amountMinor,
      currency: entry.facts.currency,
      category: entry.facts.category,
      receipt_reference: entry.facts.receiptReference,
      billable: entry.facts.billable,
      source_system: entry.facts.sourceSystem,
      ...approvalColumns(entry, correlationId),
    }));
    const written = await tx.$executeRaw`
      INSERT INTO psa_expense AS t (expense_id, project_id, person_id, incurred_on, amount_minor, currency,
             category, receipt_reference, billable, source_system, status, approved_by, approved_at,
             event_id, correlation_id)
      SELECT expense_id, project_id, person_id, incurred_on, amount_minor, currency, category,
             receipt_reference, billable, source_system, status, approved_by, approved_at, event_id,
             correlation_id
        FROM json_to_recordset(${json(rows)}::json) AS r (expense_id text, project_id text,
             person_id text, incurred_on text, amount_minor bigint, currency text, category text,
             receipt_reference text, billable boolean, source_system text, status text,
             approved_by text, approved_at timestamptz, event_id text, correlation_id text)
      ON CONFLICT (expense_id) DO UPDATE
         SET project_id = EXCLUDED.project_id, person_id = EXCLUDED.person_id,
             incurred_on = EXCLUDED.incurred_on, amount_minor = EXCLUDED.amount_minor,
             currency = EXCLUDED.currency, category = EXCLUDED.category,
             receipt_reference = EXCLUDED.receipt_reference, billable = EXCLUDED.billable,
             source_system = EXCLUDED.source_system, status = EXCLUDED.status,
             approved_by = EXCLUDED.approved_by, approved_at = EXCLUDED.approved_at,
             event_id = EXCLUDED.event_id,
             correlation_id = CASE WHEN EXCLUDED.status = 'APPROVED' THEN EXCLUDED.correlation_id
                                   ELSE t.correlation_id END,
             updated_at = now()
       WHERE t.status = 'SUBMITTED'`;
    expectWritten('expenses', written, entries.length);
  },
  approveAll: (tx, entries, approval, correlationId) =>
    approveRows(
      tx,
      { name: 'psa_expense', id: 'expense_id', label: 'expenses' },
      entries,
      approval,
      correlationId,
    ),
};

function entryRow<F>(facts: F, row: Pick<TimeEntryRow | ExpenseRow, StateColumns>): EntryRow<F> {
  return { stored: { facts, status: row.status as EntryStatus }, eventId: row.eventId };
}

function unknownIds<F extends object>(
  kind: EntryKind<F>,
  ids: readonly string[],
  found: Map<string, EntryRow<F>>,
): string {
  const unknown = ids.filter((id) => !found.has(id));
  return unknown.length ? `unknown ${kind.label}: ${unknown.join(', ')}` : '';
}
