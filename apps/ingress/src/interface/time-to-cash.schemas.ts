import { z } from 'zod';

import { CHANGE_ACTIONS } from '@throughline/contracts';
import { isIsoCurrency } from '@throughline/money';
import { ValidationError } from '@throughline/platform';

import { RuleIssue } from '../domain/master-data';
import { duplicateIds, ENTRY_STATUSES, FIXED_FIELDS, Parsed } from '../domain/psa';

/** Largest batch one request may carry. */
export const MAX_BATCH = 500;

/** Ids from external systems (time tool, ERP, CRM): 1-128 letters, digits, ".", "_", ":", "-". */
export const externalId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_", ":" or "-"');
/** People are named by their user id only: no names or e-mail addresses reach events or logs. */
const userId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    'expected a user id (1-128 letters, digits, ".", "_", ":" or "-"), not a name or e-mail address',
  );
const text = (max: number) => z.string().trim().min(1).max(max);
const currency = z.string().refine(isIsoCurrency, 'expected an ISO 4217 currency code such as EUR');
const decimalString = z.string({
  invalid_type_error: 'expected a decimal string such as "1234.50" (a JSON number could lose digits)',
});
const hours = z.union([z.string(), z.number()], {
  errorMap: () => ({ message: 'expected hours as a decimal string or number, e.g. "7.5"' }),
});
const instant = z.union([z.number(), z.string()], {
  errorMap: () => ({ message: 'expected epoch milliseconds or an ISO-8601 date-time' }),
});
const category = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'expected an upper-case category code such as TRAVEL or MEALS');

const approvalFields = {
  status: z.enum(ENTRY_STATUSES).optional(),
  approvedBy: userId.nullish(),
  approvedAt: instant.nullish(),
  sourceSystem: externalId.optional(),
};

/** One time entry as a PSA sends it (shape only; hours, dates and approval rules are domain rules). */
export const timeEntryBody = z
  .object({
    entryId: externalId,
    projectId: externalId,
    personId: userId,
    role: text(200),
    workDate: z.string(),
    hours,
    billable: z.boolean(),
    ...approvalFields,
  })
  .strict();

/** A field that names the entry: present in a correction body, it is refused, not ignored. */
const fixed = z
  .undefined({ errorMap: () => ({ message: 'cannot change in a correction (the entry keeps it)' }) })
  .optional();

/**
 * A correction of an approved time entry (shape only): the facts it sets, why, and who approved it.
 * Hours, dates and approvedAt are domain rules.
 */
export const timeEntryCorrectionBody = z
  .object({
    hours: hours.optional(),
    role: text(200).optional(),
    workDate: z.string().optional(),
    billable: z.boolean().optional(),
    reason: text(1_000),
    approvedBy: userId,
    approvedAt: instant.nullish(),
    ...(Object.fromEntries(FIXED_FIELDS.map((field) => [field, fixed])) as Record<
      (typeof FIXED_FIELDS)[number],
      typeof fixed
    >),
  })
  .strict();

export const expenseBody = z
  .object({
    expenseId: externalId,
    projectId: externalId,
    personId: userId,
    incurredOn: z.string(),
    amount: decimalString,
    currency,
    category,
    receiptReference: text(200).nullish(),
    billable: z.boolean(),
    ...approvalFields,
  })
  .strict();

export const approvalsBody = z
  .object({
    approvedBy: userId,
    approvedAt: instant.nullish(),
    timeEntryIds: z.array(externalId).max(MAX_BATCH).default([]),
    expenseIds: z.array(externalId).max(MAX_BATCH).default([]),
  })
  .strict()
  .refine((body) => body.timeEntryIds.length + body.expenseIds.length > 0, {
    message: 'name at least one id in timeEntryIds or expenseIds',
  });

export const paymentBody = z
  .object({
    paymentId: externalId,
    invoiceId: externalId,
    customerId: externalId,
    currency,
    amount: decimalString,
    receivedOn: z.string(),
    reference: text(200).nullish(),
  })
  .strict();

export const changeOrderBody = z
  .object({
    changeOrderId: externalId,
    projectId: externalId,
    description: text(2_000),
    effectiveDate: z.string(),
    budgetDelta: decimalString,
    currency,
    newEndDate: z.string().nullish(),
    roleChanges: z
      .array(z.object({ role: text(200), hoursDelta: hours, rate: decimalString.nullish() }).strict())
      .default([]),
    milestoneChanges: z
      .array(
        z
          .object({
            action: z.enum(CHANGE_ACTIONS),
            milestoneId: externalId,
            name: text(200).nullish(),
            dueDate: z.string().nullish(),
            amount: decimalString.nullish(),
          })
          .strict(),
      )
      .default([]),
    approvedBy: userId,
  })
  .strict();

export const listQuery = z
  .object({
    projectId: externalId.optional(),
    status: z.enum(ENTRY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
  })
  .strict();

export interface RejectedEntry {
  index: number;
  /** The entry's id, when it has a readable one. */
  id: string | null;
  errors: string[];
}

/**
 * A single entry or a batch (array of up to 500) → the parsed entries, all of them or none: every
 * bad entry is listed (index, id, each field and why) in one 400, and nothing is stored.
 */
export function parseEntries<S extends z.ZodTypeAny, T>(
  body: unknown,
  options: {
    /** Plural noun, e.g. "time entries". */
    kind: string;
    idField: string;
    schema: S;
    parse: (input: z.infer<S>) => Parsed<T>;
  },
): T[] {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (items.length === 0 || items.length > MAX_BATCH) {
    throw new ValidationError(
      `Invalid request: send one object or an array of 1 to ${MAX_BATCH} ${options.kind} (got ${items.length})`,
    );
  }
  const rejected: RejectedEntry[] = [];
  const parsed: T[] = [];
  const ids = items.map((item) => {
    const value = (item as Record<string, unknown> | null)?.[options.idField];
    return typeof value === 'string' ? value : null;
  });
  // Indexes are positions in the request, so a duplicate is reported where the sender put it.
  const duplicates = duplicateIds(ids.map((id, index) => id ?? `\u0000${index}`));
  items.forEach((item, index) => {
    const id = ids[index] ?? null;
    const shape = options.schema.safeParse(item);
    const result: Parsed<T> = shape.success
      ? options.parse(shape.data)
      : {
          ok: false,
          issues: shape.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
        };
    const errors = result.ok ? [] : result.issues.map(describeIssue);
    const sameId = id === null ? undefined : duplicates.get(id);
    if (sameId && sameId[0] !== index) {
      errors.push(
        `${options.idField}: "${id}" appears more than once in the batch (indexes ${sameId.join(', ')})`,
      );
    }
    if (errors.length > 0) rejected.push({ index, id, errors });
    else if (result.ok) parsed.push(result.value);
  });
  if (rejected.length > 0) {
    throw new ValidationError(
      `Invalid request: ${rejected.length} of ${items.length} ${options.kind} invalid; nothing was stored. ` +
        rejected.map((entry) => `[${entry.index}] ${entry.errors.join('; ')}`).join(' | '),
      { context: { rejected } },
    );
  }
  return parsed;
}

/** A parsed single request, or a 400 naming every field at fault. */
export function orReject<T>(result: Parsed<T>): T {
  if (result.ok) return result.value;
  const issues = result.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  throw new ValidationError(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    context: { issues },
  });
}

function describeIssue(issue: RuleIssue): string {
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
