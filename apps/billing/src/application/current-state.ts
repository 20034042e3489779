import { epochDay, isIsoDate } from '@throughline/calendar';
import { ActualState, InvoiceState, InvoiceTaxTotal, PaymentState } from '@throughline/contracts';
import { CurrentStateConfig } from '@throughline/messaging';

import { InvoiceDetailLine } from '../domain/invoice-drafting';
import { summarizeInvoiceLines } from '../domain/invoice-summary';
import { BillingTx } from '../infrastructure/billing-db';
import { Actual, Invoice, Payment } from '../infrastructure/prisma/generated/client';
import { actualViewOf, SOURCE } from './actual-events';

/** Tax as stored on an issued invoice (`domain/tax.ts` InvoiceTax); null on a draft. */
interface StoredTax {
  reverseCharge: boolean;
  lines: { taxCode: string | null; rateBasisPoints: number | null; taxMinor: number }[];
  totals: InvoiceTaxTotal[];
}

const dayOf = (isoDate: string | null): number | null => (isoDate === null ? null : epochDay(isoDate));

export function actualStateOf(row: Actual): ActualState {
  const view = actualViewOf(row);
  return {
    ...view,
    revision: row.revision,
    // An invalid entry is kept (UNPRICED, reason in note) with the date as approved.
    workDate: isIsoDate(view.workDate) ? epochDay(view.workDate) : null,
    workDateAsApproved: isIsoDate(view.workDate) ? null : view.workDate,
    approvedBillable: row.approvedBillable,
    expenseAmountMinor: row.expenseAmountMinor === null ? null : Number(row.expenseAmountMinor),
    description: row.description,
  };
}

export function invoiceStateOf(row: Invoice): InvoiceState {
  const tax = row.tax as unknown as StoredTax | null;
  const summary = summarizeInvoiceLines(row.invoiceId, row.lines as unknown as InvoiceDetailLine[]);
  const totalMinor = Number(row.totalMinor);
  const paidMinor = Number(row.paidMinor);
  return {
    invoiceId: row.invoiceId,
    invoiceNumber: row.invoiceNumber,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    billingPeriod: row.billingPeriod,
    status: row.status as InvoiceState['status'],
    issuedOn: dayOf(row.issuedOn),
    dueDate: dayOf(row.dueDate),
    issuedAt: row.issuedAt === null ? null : Number(row.issuedAt),
    lines: summary.map((line, index) => ({
      ...line,
      taxCode: tax?.lines[index]?.taxCode ?? null,
      taxRateBasisPoints: tax?.lines[index]?.rateBasisPoints ?? null,
      taxMinor: tax?.lines[index]?.taxMinor ?? 0,
    })),
    netMinor: row.netMinor === null ? totalMinor : Number(row.netMinor),
    taxMinor: Number(row.taxMinor),
    totalMinor,
    taxes: tax?.totals ?? [],
    reverseCharge: tax?.reverseCharge ?? false,
    paidMinor,
    openMinor: totalMinor - paidMinor,
  };
}

export function paymentStateOf(row: Payment): PaymentState {
  return {
    paymentId: row.paymentId,
    invoiceId: row.invoiceId,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    amountMinor: Number(row.amountMinor),
    appliedMinor: Number(row.appliedMinor),
    unappliedMinor: Number(row.unappliedMinor),
    unappliedReason: row.unappliedReason,
    receivedOn: epochDay(row.receivedOn),
    reference: row.reference,
    recordedAt: Number(row.recordedAt),
  };
}

function byId<Row, State>(rows: readonly Row[], idOf: (row: Row) => string, stateOf: (row: Row) => State) {
  return new Map(rows.map((row) => [idOf(row), stateOf(row)]));
}

/**
 * Billing's current-state topics: every change to an actual, invoice or payment row (tracked by
 * migration 007) publishes the entity's full state in the same transaction.
 */
export const BILLING_CURRENT_STATE: CurrentStateConfig<BillingTx> = {
  source: SOURCE,
  entities: [
    {
      entity: 'actual',
      eventType: 'ActualState',
      load: async (tx, ids) =>
        byId(
          await tx.actual.findMany({ where: { actualId: { in: [...ids] } } }),
          (row) => row.actualId,
          actualStateOf,
        ),
    },
    {
      entity: 'invoice',
      eventType: 'InvoiceState',
      load: async (tx, ids) =>
        byId(
          await tx.invoice.findMany({ where: { invoiceId: { in: [...ids] } } }),
          (row) => row.invoiceId,
          invoiceStateOf,
        ),
    },
    {
      entity: 'payment',
      eventType: 'PaymentState',
      load: async (tx, ids) =>
        byId(
          await tx.payment.findMany({ where: { paymentId: { in: [...ids] } } }),
          (row) => row.paymentId,
          paymentStateOf,
        ),
    },
  ],
};
