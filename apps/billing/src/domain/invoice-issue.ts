/**
 * Rules for issuing a draft invoice: what may be given a legal number, on which date, what is
 * printed on it and when it is due. Pure: the caller loads the series and the closed periods.
 */
import { addDays, isIsoDate, periodOf } from '@throughline/calendar';

/** Payment terms when neither the legal entity nor the default is configured otherwise. */
export const DEFAULT_PAYMENT_TERMS_DAYS = 30;

/** Days from issue to due date, per legal entity, with a default for the others. */
export interface PaymentTerms {
  defaultDays: number;
  byLegalEntity: ReadonlyMap<string, number>;
}

export const STANDARD_PAYMENT_TERMS: PaymentTerms = {
  defaultDays: DEFAULT_PAYMENT_TERMS_DAYS,
  byLegalEntity: new Map(),
};

/**
 * Parses `BILLING_PAYMENT_TERMS_DAYS`: a default and/or `LEGAL_ENTITY=days` pairs separated by
 * commas ("30,LE-NL=14,LE-US=45"). Days are whole numbers 0..365. Throws with every problem at once.
 */
export function parsePaymentTerms(text: string | undefined): PaymentTerms {
  if (text === undefined || text.trim() === '') return STANDARD_PAYMENT_TERMS;
  const problems: string[] = [];
  let defaultDays = DEFAULT_PAYMENT_TERMS_DAYS;
  const byLegalEntity = new Map<string, number>();
  const days = (value: string, part: string) => {
    const n = /^\d{1,3}$/.test(value.trim()) ? Number(value) : NaN;
    if (!(n >= 0 && n <= 365)) problems.push(`"${part}": days must be a whole number 0..365`);
    return n;
  };
  for (const part of text.split(',').map((p) => p.trim())) {
    const [entity, value] = part.includes('=') ? part.split('=', 2) : [null, part];
    if (entity === null) defaultDays = days(value, part);
    else if (entity.trim() === '') problems.push(`"${part}": legal entity id missing`);
    else byLegalEntity.set(entity.trim(), days(value, part));
  }
  if (problems.length > 0) {
    throw new RangeError(`BILLING_PAYMENT_TERMS_DAYS is invalid: ${problems.join('; ')}`);
  }
  return { defaultDays, byLegalEntity };
}

/** Due date of an invoice of `legalEntityId` issued on `issuedOn`. */
export function dueDateFor(terms: PaymentTerms, legalEntityId: string, issuedOn: string): string {
  return addDays(issuedOn, terms.byLegalEntity.get(legalEntityId) ?? terms.defaultDays);
}

/** What issuing needs to know about the draft and its number series. */
export interface IssueRequest {
  invoiceId: string;
  totalMinor: number;
  issuedOn: string;
  /** Latest issue date of the invoices already numbered in the draft's series (legal entity). */
  lastIssuedOnInSeries: string | null;
  /** Closed billing periods (YYYY-MM). */
  closedPeriods: ReadonlySet<string>;
}

export type IssueRefusal = {
  code:
    | 'ZERO_TOTAL_INVOICE'
    | 'ISSUE_DATE_BEFORE_LAST_INVOICE'
    | 'ISSUE_DATE_IN_CLOSED_PERIOD'
    | 'INVALID_ISSUE_DATE';
  reason: string;
};

/**
 * Why a draft may not be issued as asked (null when it may). A zero total has nothing to bill and
 * would only use up a legal number. Numbers run in date order within a series, so the date may
 * not be earlier than the series' latest issued invoice; nor may it fall in a closed period.
 */
export function issueRefusal(request: IssueRequest): IssueRefusal | null {
  const { invoiceId, issuedOn, lastIssuedOnInSeries } = request;
  if (!isIsoDate(issuedOn)) {
    return { code: 'INVALID_ISSUE_DATE', reason: `issue date "${issuedOn}" is not a calendar date` };
  }
  if (request.totalMinor === 0) {
    return {
      code: 'ZERO_TOTAL_INVOICE',
      reason: `Invoice ${invoiceId} totals 0: a zero-total draft is not issued and takes no invoice number`,
    };
  }
  if (lastIssuedOnInSeries !== null && issuedOn < lastIssuedOnInSeries) {
    return {
      code: 'ISSUE_DATE_BEFORE_LAST_INVOICE',
      reason: `Invoice ${invoiceId} cannot be issued on ${issuedOn}: its series already has an invoice issued on ${lastIssuedOnInSeries}, and numbers must run in date order`,
    };
  }
  if (request.closedPeriods.has(periodOf(issuedOn))) {
    return {
      code: 'ISSUE_DATE_IN_CLOSED_PERIOD',
      reason: `Invoice ${invoiceId} cannot be issued on ${issuedOn}: billing period ${periodOf(issuedOn)} is closed`,
    };
  }
  return null;
}

/** The lines an issued invoice shows: those that bill something (zero-amount lines are left off). */
export function issuedLines<L extends { amountMinor: number }>(lines: readonly L[]): L[] {
  return lines.filter((line) => line.amountMinor !== 0);
}
