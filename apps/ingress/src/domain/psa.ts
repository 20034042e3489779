/**
 * Time entries and expenses as a PSA or time tool sends them, and the rules of their approval:
 * an entry may change while SUBMITTED; its approval publishes it once (TimeEntryApproved /
 * ExpenseApproved); after that a changed re-send is a conflict. An approved time entry changes only
 * through a correction, which re-approves it as its next revision (expenses have no corrections).
 */

import { ExpenseApproved, TimeEntryApproved } from '@throughline/contracts';

import { DATE_RANGE_MESSAGE, isSaneDate, toEpochMs } from './calendar';
import { RuleIssue } from './master-data';
import { DecimalFormatError, decimalText, decimalToScaledInteger, parseMoneyMinor } from './money';

export const ENTRY_STATUSES = ['SUBMITTED', 'APPROVED'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** Most hours one time entry may carry (one person, one day). */
export const MAX_HOURS_HUNDREDTHS_PER_ENTRY = 2_400;
/** Time tool named in the events when the sender does not say. */
export const DEFAULT_SOURCE_SYSTEM = 'PSA';

export interface Approval {
  /** Approver's user id (never a name or e-mail). */
  approvedBy: string;
  /** Epoch ms. */
  approvedAt: number;
}

/** What a time entry says, apart from its approval. */
export interface TimeEntryFacts {
  entryId: string;
  projectId: string;
  personId: string;
  role: string;
  workDate: string;
  hoursHundredths: number;
  billable: boolean;
  sourceSystem: string;
}

/** What an expense says, apart from its approval. */
export interface ExpenseFacts {
  expenseId: string;
  projectId: string;
  personId: string;
  incurredOn: string;
  amountMinor: number;
  currency: string;
  category: string;
  receiptReference: string | null;
  billable: boolean;
  sourceSystem: string;
}

/** An entry as received: its facts and, when sent as APPROVED, its approval. */
export interface Submission<F> {
  facts: F;
  approval: Approval | null;
}

/** An entry as ingress holds it. */
export interface StoredEntry<F> {
  facts: F;
  status: EntryStatus;
}

/** The fields common to both request kinds, already checked for shape. */
interface EntryInput {
  status?: EntryStatus | undefined;
  approvedBy?: string | null | undefined;
  approvedAt?: string | number | null | undefined;
  sourceSystem?: string | undefined;
}

export interface TimeEntryInput extends EntryInput {
  entryId: string;
  projectId: string;
  personId: string;
  role: string;
  workDate: string;
  hours: string | number;
  billable: boolean;
}

export interface ExpenseInput extends EntryInput {
  expenseId: string;
  projectId: string;
  personId: string;
  incurredOn: string;
  /** Decimal string in the currency's minor-unit precision. */
  amount: string;
  currency: string;
  category: string;
  receiptReference?: string | null | undefined;
  billable: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: RuleIssue[] };

/**
 * Hours of one entry as hours × 100: at most 2 decimals, more than 0 (0 too for a correction, which
 * is how a PSA withdraws approved time), at most 24.
 */
export function parseEntryHours(value: string | number, options: { allowZero?: boolean } = {}): number {
  const text = decimalText(value);
  const hundredths = decimalToScaledInteger(text, 2);
  if (hundredths === 0 && !options.allowZero) {
    throw new DecimalFormatError(`"${text}" hours: an entry must have more than 0 hours`);
  }
  if (hundredths > MAX_HOURS_HUNDREDTHS_PER_ENTRY) {
    throw new DecimalFormatError(`"${text}" hours is more than 24 in one entry`);
  }
  return hundredths;
}

/** A time entry request → its facts and approval, or every rule it breaks (paths within the entry). */
export function parseTimeEntry(
  input: TimeEntryInput,
  receivedAt: number,
): Parsed<Submission<TimeEntryFacts>> {
  const issues: RuleIssue[] = [];
  let hoursHundredths = 0;
  try {
    hoursHundredths = parseEntryHours(input.hours);
  } catch (error) {
    issues.push({ path: ['hours'], message: messageOf(error) });
  }
  if (!isSaneDate(input.workDate)) {
    issues.push({ path: ['workDate'], message: DATE_RANGE_MESSAGE });
  }
  const approval = parseApproval(input, receivedAt, issues);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      facts: {
        entryId: input.entryId,
        projectId: input.projectId,
        personId: input.personId,
        role: input.role,
        workDate: input.workDate,
        hoursHundredths,
        billable: input.billable,
        sourceSystem: input.sourceSystem ?? DEFAULT_SOURCE_SYSTEM,
      },
      approval,
    },
  };
}

/** An expense request → its facts and approval, or every rule it breaks (paths within the expense). */
export function parseExpense(input: ExpenseInput, receivedAt: number): Parsed<Submission<ExpenseFacts>> {
  const issues: RuleIssue[] = [];
  let amountMinor = 0;
  try {
    amountMinor = parseMoneyMinor(input.amount, input.currency);
    if (amountMinor === 0) issues.push({ path: ['amount'], message: 'an expense must be more than 0' });
  } catch (error) {
    issues.push({ path: ['amount'], message: `${messageOf(error)} (${input.currency})` });
  }
  if (!isSaneDate(input.incurredOn)) {
    issues.push({ path: ['incurredOn'], message: DATE_RANGE_MESSAGE });
  }
  const approval = parseApproval(input, receivedAt, issues);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      facts: {
        expenseId: input.expenseId,
        projectId: input.projectId,
        personId: input.personId,
        incurredOn: input.incurredOn,
        amountMinor,
        currency: input.currency,
        category: input.category,
        receiptReference: input.receiptReference ?? null,
        billable: input.billable,
        sourceSystem: input.sourceSystem ?? DEFAULT_SOURCE_SYSTEM,
      },
      approval,
    },
  };
}

/**
 * status APPROVED needs approvedBy (approvedAt defaults to when ingress received it); a SUBMITTED
 * entry carries no approval fields.
 */
function parseApproval(input: EntryInput, receivedAt: number, issues: RuleIssue[]): Approval | null {
  const approvedAt = input.approvedAt ?? null;
  const approvedBy = input.approvedBy ?? null;
  if ((input.status ?? 'SUBMITTED') === 'SUBMITTED') {
    if (approvedBy !== null) {
      issues.push({ path: ['approvedBy'], message: 'only allowed with status APPROVED' });
    }
    if (approvedAt !== null) {
      issues.push({ path: ['approvedAt'], message: 'only allowed with status APPROVED' });
    }
    return null;
  }
  if (approvedBy === null) issues.push({ path: ['approvedBy'], message: 'required with status APPROVED' });
  const at = parseApprovedAt(approvedAt, receivedAt, issues);
  return approvedBy === null || at === undefined ? null : { approvedBy, approvedAt: at };
}

/** approvedAt as epoch ms: given (epoch ms or ISO date-time with zone) or else `now`. */
export function parseApprovedAt(
  value: string | number | null | undefined,
  now: number,
  issues: RuleIssue[],
): number | undefined {
  if (value === null || value === undefined) return now;
  const instant = toEpochMs(value);
  if (instant === undefined) {
    issues.push({
      path: ['approvedAt'],
      message: 'expected epoch milliseconds or an ISO-8601 date-time with a zone, e.g. 2026-12-01T17:00:00Z',
    });
  } else if (instant > now + 5 * 60_000) {
    issues.push({ path: ['approvedAt'], message: 'lies in the future' });
  }
  return instant;
}

export type IntakeOutcome =
  /** New, SUBMITTED: stored, nothing published yet. */
  | 'RECEIVED'
  /** Known and still SUBMITTED, sent with different facts: stored, nothing published. */
  | 'UPDATED'
  /** Approved by this request: the *Approved event is published. */
  | 'APPROVED'
  /** Known, SUBMITTED, identical re-send: nothing to do. */
  | 'UNCHANGED'
  /** Known and already approved; the re-send is identical: nothing to do, no second event. */
  | 'ALREADY_APPROVED';

export type IntakeDecision =
  | { conflict: false; outcome: IntakeOutcome; store: boolean; approve: boolean; changed: string[] }
  | { conflict: true; changed: string[] };

/**
 * What receiving `incoming` does given what ingress holds. Approval metadata of a re-sent approved
 * entry is not compared: the first approval stands.
 */
export function decideIntake<F extends object>(
  existing: StoredEntry<F> | undefined,
  incoming: Submission<F>,
): IntakeDecision {
  const approve = incoming.approval !== null;
  if (!existing) {
    return { conflict: false, outcome: approve ? 'APPROVED' : 'RECEIVED', store: true, approve, changed: [] };
  }
  const changed = changedFields(existing.facts, incoming.facts);
  if (existing.status === 'APPROVED') {
    return changed.length > 0
      ? { conflict: true, changed }
      : { conflict: false, outcome: 'ALREADY_APPROVED', store: false, approve: false, changed };
  }
  const outcome: IntakeOutcome = approve ? 'APPROVED' : changed.length > 0 ? 'UPDATED' : 'UNCHANGED';
  return { conflict: false, outcome, store: changed.length > 0, approve, changed };
}

/** Names of the fields whose values differ (facts are flat records of primitives). */
export function changedFields<F extends object>(before: F, after: F): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => (before as Record<string, unknown>)[key] !== (after as Record<string, unknown>)[key])
    .sort();
}

/** The facts of an approved time entry that a correction may change. */
export const CORRECTABLE_FIELDS = ['hoursHundredths', 'role', 'workDate', 'billable'] as const;
/** Fields a correction body may not carry: they name the entry and its message key. */
export const FIXED_FIELDS = ['entryId', 'projectId', 'personId', 'sourceSystem'] as const;

export type CorrectableFacts = Pick<TimeEntryFacts, (typeof CORRECTABLE_FIELDS)[number]>;

/** A correction request, already checked for shape; absent fields keep their approved value. */
export interface TimeEntryCorrectionInput {
  hours?: string | number | undefined;
  role?: string | undefined;
  workDate?: string | undefined;
  billable?: boolean | undefined;
  reason: string;
  approvedBy: string;
  approvedAt?: string | number | null | undefined;
}

/** A parsed correction: the facts it sets, why, and its approval. */
export interface TimeEntryCorrection {
  changes: Partial<CorrectableFacts>;
  reason: string;
  approval: Approval;
}

/** An approved time entry as ingress holds it: the facts of its current revision. */
export interface ApprovedTimeEntry {
  facts: TimeEntryFacts;
  status: EntryStatus;
  revision: number;
}

export type CorrectionDecision =
  /** Only an APPROVED entry can be corrected; a SUBMITTED one is simply re-sent. */
  | { outcome: 'NOT_APPROVED' }
  /** The corrected facts equal the current revision's: nothing to publish. */
  | { outcome: 'UNCHANGED'; revision: number }
  /** The next revision, with the full corrected facts, to be approved and published. */
  | { outcome: 'CORRECTED'; revision: number; facts: TimeEntryFacts; changed: string[] };

/**
 * A correction request → the facts it sets and its approval, or every rule it breaks. Hours follow
 * the intake's rules except that 0 is allowed; approvedAt those of an approval.
 */
export function parseTimeEntryCorrection(
  input: Partial<TimeEntryCorrectionInput>,
  receivedAt: number,
  issues: RuleIssue[] = [],
): Parsed<TimeEntryCorrection> {
  const changes: Partial<CorrectableFacts> = {};
  if (input.hours !== undefined) {
    try {
      changes.hoursHundredths = parseEntryHours(input.hours, { allowZero: true });
    } catch (error) {
      issues.push({ path: ['hours'], message: messageOf(error) });
    }
  }
  if (input.workDate !== undefined) {
    if (isSaneDate(input.workDate)) changes.workDate = input.workDate;
    else issues.push({ path: ['workDate'], message: DATE_RANGE_MESSAGE });
  }
  if (input.role !== undefined) changes.role = input.role;
  if (input.billable !== undefined) changes.billable = input.billable;
  if (
    input.hours === undefined &&
    input.workDate === undefined &&
    input.role === undefined &&
    input.billable === undefined
  ) {
    issues.push({ path: [], message: 'name at least one of hours, role, workDate, billable to correct' });
  }
  const approvedAt = parseApprovedAt(input.approvedAt, receivedAt, issues);
  if (issues.length > 0 || input.reason === undefined || input.approvedBy === undefined) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    value: {
      changes,
      reason: input.reason,
      approval: { approvedBy: input.approvedBy, approvedAt: approvedAt as number },
    },
  };
}

/**
 * What a correction does to the entry ingress holds: the next revision when it changes a fact, else
 * nothing (so re-sending a correction already applied publishes nothing again).
 */
export function decideCorrection(
  existing: ApprovedTimeEntry,
  correction: TimeEntryCorrection,
): CorrectionDecision {
  if (existing.status !== 'APPROVED') return { outcome: 'NOT_APPROVED' };
  const facts: TimeEntryFacts = { ...existing.facts, ...correction.changes };
  const changed = changedFields(existing.facts, facts);
  return changed.length === 0
    ? { outcome: 'UNCHANGED', revision: existing.revision }
    : { outcome: 'CORRECTED', revision: existing.revision + 1, facts, changed };
}

/** TimeEntryApproved of a first approval (revision 1), or of a correction with its reason. */
export function timeEntryApproved(
  facts: TimeEntryFacts,
  approval: Approval,
  correction: { revision: number; reason: string } | null = null,
): TimeEntryApproved {
  return {
    entryId: facts.entryId,
    projectId: facts.projectId,
    personId: facts.personId,
    role: facts.role,
    workDate: facts.workDate,
    hoursHundredths: facts.hoursHundredths,
    billable: facts.billable,
    approvedAt: approval.approvedAt,
    approvedBy: approval.approvedBy,
    sourceSystem: facts.sourceSystem,
    revision: correction?.revision ?? 1,
    correctionReason: correction?.reason ?? null,
  };
}

export function expenseApproved(facts: ExpenseFacts, approval: Approval): ExpenseApproved {
  return {
    expenseId: facts.expenseId,
    projectId: facts.projectId,
    personId: facts.personId,
    incurredOn: facts.incurredOn,
    amountMinor: facts.amountMinor,
    currency: facts.currency,
    category: facts.category,
    receiptReference: facts.receiptReference,
    billable: facts.billable,
    approvedAt: approval.approvedAt,
    approvedBy: approval.approvedBy,
    sourceSystem: facts.sourceSystem,
  };
}

/** Indexes of ids that occur more than once, by id. */
export function duplicateIds(ids: readonly string[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  ids.forEach((id, index) => seen.set(id, [...(seen.get(id) ?? []), index]));
  return new Map([...seen].filter(([, indexes]) => indexes.length > 1));
}

function messageOf(error: unknown): string {
  if (error instanceof DecimalFormatError) return error.message;
  throw error;
}
