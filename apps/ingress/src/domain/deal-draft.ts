import { CrmSystem, DealLine, DealWon } from '@throughline/contracts';
import { isIsoCurrency } from '@throughline/money';

import { toCalendarDate } from './calendar';
import { DecimalFormatError, extendedAmountMinor, parseHoursHundredths, parseMoneyMinor } from './money';

/** A CRM deal that cannot become a DealWon as it is; the message names every field at fault. */
export class DealNotMappable extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'DealNotMappable';
  }
}

/** A CRM value and where it came from, so a problem names the exact CRM field. */
export interface Field {
  value: string | null | undefined;
  /** E.g. `company 456 property "erp_customer_id"` or `payload.ErpCustomerId__c`. */
  source: string;
}

export interface LineDraft {
  lineId: string;
  description: string | null;
  hours: Field;
  /** Line value; when empty, unit price × hours (rounded half up once). */
  amount: Field;
  unitPrice: Field;
  legalEntityId: Field;
  role: Field;
  rateCardId: string | null;
}

/** A closed-won deal in CRM-neutral terms, before validation. */
export interface DealDraft {
  crm: CrmSystem;
  dealId: string;
  deliveryId: string;
  dealName: Field;
  customerId: Field;
  customerName: Field;
  currency: Field;
  /** Total deal value; when empty, the sum of the lines. */
  amount: Field;
  closeDate: Field;
  /** Used when closeDate is empty (e.g. the webhook's occurrence date). */
  fallbackCloseDate: string | null;
  templateId: Field;
  salesOwnerEmail: string | null;
  lines: readonly LineDraft[];
  /** Reported when there are no lines, e.g. `deal 123 has no associated line items`. */
  noLinesProblem: string;
}

/**
 * Validates a draft and builds the canonical DealWon: all amounts in exact minor units, hours ×
 * 100. Throws DealNotMappable listing every problem (not only the first), so one fix in the CRM
 * suffices.
 */
export function buildDealWon(draft: DealDraft): DealWon {
  const problems: string[] = [];
  const text = (field: Field): string => {
    const value = field.value?.trim();
    if (!value) {
      problems.push(`${field.source} is empty`);
      return '';
    }
    return value;
  };
  const parse = (field: Field, parser: (value: string) => number): number => {
    try {
      return parser(field.value ?? '');
    } catch (error) {
      if (!(error instanceof DecimalFormatError)) throw error;
      problems.push(`${field.source} ${error.message}`);
      return 0;
    }
  };

  const dealName = text(draft.dealName);
  const customerId = text(draft.customerId);
  const customerName = text(draft.customerName);
  const templateId = text(draft.templateId);
  const currency = text(draft.currency).toUpperCase();
  if (currency && !isIsoCurrency(currency)) {
    problems.push(`${draft.currency.source} "${currency}" is not an ISO-4217 currency code`);
  }

  let closeDate = draft.fallbackCloseDate ?? '';
  if (draft.closeDate.value?.trim()) {
    closeDate = toCalendarDate(draft.closeDate.value) ?? '';
    if (!closeDate) {
      problems.push(`${draft.closeDate.source} "${draft.closeDate.value}" is not a date from 2000 to 2100`);
    }
  } else if (!closeDate) {
    problems.push(`${draft.closeDate.source} is empty`);
  }

  if (draft.lines.length === 0) problems.push(draft.noLinesProblem);
  const lines = draft.lines.map((line): DealLine => {
    const hoursHundredths = text(line.hours) ? parse(line.hours, parseHoursHundredths) : 0;
    let amountMinor = 0;
    if (line.amount.value?.trim()) {
      amountMinor = parse(line.amount, (value) => parseMoneyMinor(value, currency));
    } else if (line.unitPrice.value?.trim()) {
      amountMinor = parse(line.unitPrice, (value) => extendedAmountMinor(value, hoursHundredths, currency));
    } else {
      problems.push(`${line.amount.source} and ${line.unitPrice.source} are both empty`);
    }
    return {
      lineId: line.lineId,
      legalEntityId: text(line.legalEntityId),
      role: text(line.role),
      rateCardId: line.rateCardId?.trim() || null,
      hoursHundredths,
      amountMinor,
      currency,
      description: line.description?.trim() || null,
    };
  });

  const amountMinor = draft.amount.value?.trim()
    ? parse(draft.amount, (value) => parseMoneyMinor(value, currency))
    : lines.reduce((sum, line) => sum + line.amountMinor, 0);

  if (problems.length > 0) throw new DealNotMappable(problems);
  return {
    dealId: draft.dealId,
    crm: draft.crm,
    crmDeliveryId: draft.deliveryId,
    dealName,
    customerId,
    customerName,
    currency,
    amountMinor,
    closeDate,
    templateId,
    lines,
    salesOwnerEmail: draft.salesOwnerEmail?.trim() || null,
  };
}
