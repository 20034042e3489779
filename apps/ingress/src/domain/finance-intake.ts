/**
 * ERP payments and approved change orders as the ERP / CRM send them: decimal strings turned into
 * exact minor units and the change order's consistency rules.
 */

import { ChangeAction, ChangeOrderApproved, PaymentReceived } from '@throughline/contracts';

import { DATE_RANGE_MESSAGE, isSaneDate } from './calendar';
import { RuleIssue } from './master-data';
import {
  DecimalFormatError,
  decimalText,
  minorUnitExponent,
  parseMoneyMinor,
  signedDecimalToScaledInteger,
} from './money';
import { Parsed } from './psa';

export interface PaymentInput {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  currency: string;
  amount: string;
  receivedOn: string;
  reference?: string | null | undefined;
}

/**
 * A payment as the ERP sends it. Who recorded it (`recordedBy`) is added to the event only, so an
 * identical re-send by another caller is unchanged, not a conflict.
 */
export type PaymentFacts = Omit<PaymentReceived, 'recordedBy'>;

export function parsePayment(input: PaymentInput): Parsed<PaymentFacts> {
  const issues: RuleIssue[] = [];
  const amountMinor = money(input.amount, input.currency, ['amount'], issues);
  if (amountMinor === 0) issues.push({ path: ['amount'], message: 'a payment must be more than 0' });
  if (!isSaneDate(input.receivedOn)) {
    issues.push({ path: ['receivedOn'], message: DATE_RANGE_MESSAGE });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      paymentId: input.paymentId,
      invoiceId: input.invoiceId,
      customerId: input.customerId,
      currency: input.currency,
      amountMinor: amountMinor as number,
      receivedOn: input.receivedOn,
      reference: input.reference ?? null,
    },
  };
}

export interface ChangeOrderInput {
  changeOrderId: string;
  projectId: string;
  description: string;
  effectiveDate: string;
  /** Decimal string in `currency`; may be negative. */
  budgetDelta: string;
  currency: string;
  newEndDate?: string | null | undefined;
  roleChanges: {
    role: string;
    /** Decimal (string or number), at most 2 decimals; may be negative. */
    hoursDelta: string | number;
    /** New bill rate per hour, decimal string in `currency`. */
    rate?: string | null | undefined;
  }[];
  milestoneChanges: {
    action: ChangeAction;
    milestoneId: string;
    name?: string | null | undefined;
    dueDate?: string | null | undefined;
    /** Decimal string in `currency`. */
    amount?: string | null | undefined;
  }[];
  approvedBy: string;
}

/** The event payload, whose amounts are in `currency` (also on the event, since v2). */
export interface ParsedChangeOrder {
  currency: string;
  event: ChangeOrderApproved;
}

/**
 * A change order → ChangeOrderApproved, or every rule it breaks: dates are calendar dates and the
 * new end date is not before the effective date; a role appears once and changes its hours or its
 * rate; a milestone appears once; ADD needs name and dueDate, CHANGE changes at least one of name,
 * dueDate, amount, REMOVE carries none of them; and the order changes something.
 */
export function parseChangeOrder(input: ChangeOrderInput): Parsed<ParsedChangeOrder> {
  const issues: RuleIssue[] = [];
  const { currency } = input;
  for (const field of ['effectiveDate', 'newEndDate'] as const) {
    const value = input[field];
    if (value !== null && value !== undefined && !isSaneDate(value)) {
      issues.push({ path: [field], message: DATE_RANGE_MESSAGE });
    }
  }
  const newEndDate = input.newEndDate ?? null;
  if (
    newEndDate !== null &&
    isSaneDate(newEndDate) &&
    isSaneDate(input.effectiveDate) &&
    newEndDate < input.effectiveDate
  ) {
    issues.push({
      path: ['newEndDate'],
      message: `must be on or after effectiveDate ${input.effectiveDate} (got ${newEndDate})`,
    });
  }
  const budgetDeltaMinor = signedMoney(input.budgetDelta, currency, ['budgetDelta'], issues);

  const roles = new Set<string>();
  const roleChanges = input.roleChanges.map((change, index) => {
    const path = ['roleChanges', index];
    if (roles.has(change.role)) {
      issues.push({ path: [...path, 'role'], message: `role "${change.role}" appears more than once` });
    }
    roles.add(change.role);
    let hoursDeltaHundredths = 0;
    try {
      hoursDeltaHundredths = signedDecimalToScaledInteger(decimalText(change.hoursDelta), 2);
    } catch (error) {
      issues.push({ path: [...path, 'hoursDelta'], message: messageOf(error) });
    }
    const rate = change.rate ?? null;
    const rateMinor = rate === null ? null : money(rate, currency, [...path, 'rate'], issues);
    if (hoursDeltaHundredths === 0 && rate === null) {
      issues.push({ path, message: `role "${change.role}" changes neither hours nor rate` });
    }
    return { role: change.role, hoursDeltaHundredths, rateMinor: rateMinor ?? null };
  });

  const milestones = new Set<string>();
  const milestoneChanges = input.milestoneChanges.map((change, index) => {
    const path = ['milestoneChanges', index];
    if (milestones.has(change.milestoneId)) {
      issues.push({
        path: [...path, 'milestoneId'],
        message: `milestone "${change.milestoneId}" appears more than once`,
      });
    }
    milestones.add(change.milestoneId);
    const name = change.name ?? null;
    const dueDate = change.dueDate ?? null;
    const amount = change.amount ?? null;
    if (dueDate !== null && !isSaneDate(dueDate)) {
      issues.push({ path: [...path, 'dueDate'], message: DATE_RANGE_MESSAGE });
    }
    const amountMinor = amount === null ? null : money(amount, currency, [...path, 'amount'], issues);
    switch (change.action) {
      case 'ADD':
        if (name === null) issues.push({ path: [...path, 'name'], message: 'required to ADD a milestone' });
        if (dueDate === null) {
          issues.push({ path: [...path, 'dueDate'], message: 'required to ADD a milestone' });
        }
        break;
      case 'CHANGE':
        if (name === null && dueDate === null && amount === null) {
          issues.push({ path, message: 'CHANGE needs at least one of name, dueDate, amount' });
        }
        break;
      case 'REMOVE':
        for (const [field, value] of [
          ['name', name],
          ['dueDate', dueDate],
          ['amount', amount],
        ] as const) {
          if (value !== null)
            issues.push({ path: [...path, field], message: 'not allowed to REMOVE a milestone' });
        }
        break;
    }
    return {
      action: change.action,
      milestoneId: change.milestoneId,
      name,
      dueDate,
      amountMinor: amountMinor ?? null,
    };
  });

  if (
    budgetDeltaMinor === 0 &&
    newEndDate === null &&
    input.roleChanges.length === 0 &&
    input.milestoneChanges.length === 0
  ) {
    issues.push({
      path: [],
      message: 'the change order changes nothing (no budget, end date, role or milestone change)',
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      currency,
      event: {
        changeOrderId: input.changeOrderId,
        projectId: input.projectId,
        description: input.description,
        effectiveDate: input.effectiveDate,
        budgetDeltaMinor: budgetDeltaMinor as number,
        newEndDate,
        roleChanges,
        milestoneChanges,
        approvedBy: input.approvedBy,
        currency,
      },
    },
  };
}

function money(
  text: string,
  currency: string,
  path: RuleIssue['path'],
  issues: RuleIssue[],
): number | undefined {
  try {
    return parseMoneyMinor(text, currency);
  } catch (error) {
    issues.push({ path, message: `${messageOf(error)} (${currency})` });
    return undefined;
  }
}

function signedMoney(
  text: string,
  currency: string,
  path: RuleIssue['path'],
  issues: RuleIssue[],
): number | undefined {
  try {
    return signedDecimalToScaledInteger(text, minorUnitExponent(currency));
  } catch (error) {
    issues.push({ path, message: `${messageOf(error)} (${currency})` });
    return undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof DecimalFormatError) return error.message;
  throw error;
}

/**
 * Top-level fields whose values differ, nested values compared structurally with object keys in
 * any order (a JSONB round trip does not keep key order).
 */
export function differingFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => canonical(before[key]) !== canonical(after[key])).sort();
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
