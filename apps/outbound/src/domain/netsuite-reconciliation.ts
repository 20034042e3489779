import { z } from 'zod';

import { NETSUITE_ENTITY } from './netsuite-records';
import { ExpectedRecord, HeldRecord, sumDecimals } from './reconciliation';

/**
 * NetSuite's side of reconciliation: what Throughline expects from the payload NetSuite took
 * (outbound_call.sent_payload) and what a NetSuite record (GET …/<type>/eid:<id>) holds, in the
 * generic shape of ./reconciliation.
 */

/**
 * Invoice statuses that agree with an issued invoice: NetSuite's `status.refName` in upper snake
 * case. Throughline does not follow payments here, so open and paid both agree; anything else
 * (e.g. `Voided`, `Pending Approval`) differs. The refNames are our reading of NetSuite's invoice
 * statuses, not a published list.
 */
export const AGREEING_INVOICE_STATUSES = ['OPEN', 'PAID_IN_FULL'] as const;

const sentInvoice = z.object({ item: z.object({ items: z.array(z.object({ amount: z.number() })).min(1) }) });
const sentCustomer = z.object({ isInactive: z.boolean() });

/**
 * What NetSuite should hold for one record Throughline sent. Without a readable payload (rows sent
 * before the payload was kept) only the record's presence is expected.
 */
export function netSuiteExpected(row: {
  entityType: string;
  externalId: string;
  targetRecordId: string;
  sentPayload: unknown;
}): ExpectedRecord {
  const base = { entityType: row.entityType, externalId: row.externalId, targetRecordId: row.targetRecordId };
  switch (row.entityType) {
    case NETSUITE_ENTITY.invoice: {
      const invoice = sentInvoice.safeParse(row.sentPayload);
      if (!invoice.success) return base;
      return {
        ...base,
        amount: sumDecimals(invoice.data.item.items.map((line) => jsonNumberText(line.amount))),
        statuses: AGREEING_INVOICE_STATUSES,
      };
    }
    case NETSUITE_ENTITY.customer: {
      const customer = sentCustomer.safeParse(row.sentPayload);
      return customer.success ? { ...base, statuses: [activity(customer.data.isInactive)] } : base;
    }
    case NETSUITE_ENTITY.project:
      // Throughline never makes a project inactive in NetSuite.
      return row.sentPayload === null ? base : { ...base, statuses: ['ACTIVE'] };
    default:
      return base;
  }
}

const heldRecord = z.object({
  id: z.string(),
  total: z.number().optional(),
  status: z.object({ refName: z.string() }).partial().optional(),
  isInactive: z.boolean().optional(),
});

/** A NetSuite record as GET answered it (fields NetSuite leaves out stay unknown). */
export function netSuiteHeld(entityType: string, externalId: string, body: unknown): HeldRecord {
  const record = heldRecord.parse(body);
  const base = { entityType, externalId, targetRecordId: record.id };
  if (entityType === NETSUITE_ENTITY.invoice) {
    return {
      ...base,
      ...(record.total !== undefined ? { amount: jsonNumberText(record.total) } : {}),
      ...(record.status?.refName ? { status: upperSnake(record.status.refName) } : {}),
    };
  }
  return record.isInactive === undefined ? base : { ...base, status: activity(record.isInactive) };
}

/** The NetSuite record type of an outbound_call entity type (the URL's `<type>`). */
export function netSuiteRecordType(entityType: string): string {
  switch (entityType) {
    case NETSUITE_ENTITY.customer:
      return 'customer';
    case NETSUITE_ENTITY.project:
      return 'job';
    case NETSUITE_ENTITY.invoice:
      return 'invoice';
    default:
      throw new RangeError(`NetSuite holds no ${entityType} records Throughline writes`);
  }
}

const activity = (isInactive: boolean) => (isInactive ? 'INACTIVE' : 'ACTIVE');
const upperSnake = (text: string) => text.trim().toUpperCase().replace(/\s+/g, '_');

/**
 * A JSON number as the decimal text it was written as. JSON.parse keeps the nearest double and
 * String() gives the shortest text that reads back to it, which is the text written for any number
 * of at most 15 significant digits (all amounts below 10^13 with two decimals); longer ones are
 * refused rather than compared inexactly.
 */
export function jsonNumberText(value: number): string {
  const text = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text) || text.replace(/[-.]/g, '').replace(/^0+/, '').length > 15) {
    throw new RangeError(`amount ${text} cannot be compared exactly`);
  }
  return text;
}
