/**
 * Cash application: a customer payment (`PaymentReceived`) applied to the invoice it names, and
 * accounts receivable (AR = invoiced − paid; credit notes do not exist yet). Pure: the caller loads
 * the invoice and the payments and stores what these functions return. Money in integer minor units.
 */
import { BusinessExceptionRaised } from '@throughline/contracts';

export const INVOICE_STATUSES = ['DRAFT', 'ISSUED', 'PARTIALLY_PAID', 'PAID'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Why (part of) a payment is not applied to an invoice: it stays unapplied cash for finance. */
export type UnappliedReason =
  /** Paid beyond the invoice's open amount: the excess. */
  | 'OVERPAYMENT'
  /** Billing has no invoice with that id. */
  | 'UNKNOWN_INVOICE'
  /** The invoice is a draft: nothing is owed on it yet. */
  | 'INVOICE_NOT_ISSUED'
  /** Paid in another currency than the invoice's: the whole amount (no conversion). */
  | 'CURRENCY_MISMATCH';

export interface Payment {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  receivedOn: string;
}

/** What applying a payment needs to know about the invoice it names. */
export interface PayableInvoice {
  invoiceId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  status: InvoiceStatus;
  totalMinor: number;
  paidMinor: number;
}

export interface CashApplication {
  appliedMinor: number;
  unappliedMinor: number;
  /** Null when the whole payment is applied. */
  unappliedReason: UnappliedReason | null;
  /** The invoice after the payment; null when none is touched. */
  invoice: { paidMinor: number; status: InvoiceStatus } | null;
}

/** Open amount of an invoice: its total less what has been applied to it (never below 0). */
export function openMinor(invoice: Pick<PayableInvoice, 'totalMinor' | 'paidMinor'>): number {
  return Math.max(0, invoice.totalMinor - invoice.paidMinor);
}

/** Status of an issued invoice of `totalMinor` with `paidMinor` applied. */
export function paidStatus(totalMinor: number, paidMinor: number): InvoiceStatus {
  if (paidMinor <= 0) return 'ISSUED';
  return paidMinor >= totalMinor ? 'PAID' : 'PARTIALLY_PAID';
}

/**
 * Applies `payment` to `invoice` (null: billing does not know the id). Up to the invoice's open
 * amount is applied; the excess, or the whole payment when the invoice is unknown, a draft or in
 * another currency, is unapplied cash.
 */
export function applyPayment(payment: Payment, invoice: PayableInvoice | null): CashApplication {
  const unapplied = (unappliedReason: UnappliedReason): CashApplication => ({
    appliedMinor: 0,
    unappliedMinor: payment.amountMinor,
    unappliedReason,
    invoice: null,
  });
  if (invoice === null) return unapplied('UNKNOWN_INVOICE');
  if (invoice.status === 'DRAFT') return unapplied('INVOICE_NOT_ISSUED');
  if (invoice.currency !== payment.currency) return unapplied('CURRENCY_MISMATCH');
  const appliedMinor = Math.min(payment.amountMinor, openMinor(invoice));
  const unappliedMinor = payment.amountMinor - appliedMinor;
  const paidMinor = invoice.paidMinor + appliedMinor;
  return {
    appliedMinor,
    unappliedMinor,
    unappliedReason: unappliedMinor > 0 ? 'OVERPAYMENT' : null,
    invoice: { paidMinor, status: paidStatus(invoice.totalMinor, paidMinor) },
  };
}

export function unappliedCashExceptionId(paymentId: string): string {
  return `EXC-PAY-${paymentId}-UNAPPLIED_CASH`;
}

/** Decimal display of minor units with two decimals ("1234.50"), for exception texts. */
function decimal(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The exception for finance about a payment's unapplied cash; null when all of it was applied. */
export function unappliedCashException(
  payment: Payment,
  application: CashApplication,
  invoice: PayableInvoice | null,
): BusinessExceptionRaised | null {
  const reason = application.unappliedReason;
  if (reason === null || application.unappliedMinor === 0) return null;
  const amount = `${payment.currency} ${decimal(application.unappliedMinor)}`;
  const what: Record<UnappliedReason, string> = {
    OVERPAYMENT: `Payment ${payment.paymentId} paid ${amount} more than invoice ${payment.invoiceId} was open for (${payment.currency} ${decimal(payment.amountMinor)} received, ${payment.currency} ${decimal(application.appliedMinor)} applied)`,
    UNKNOWN_INVOICE: `Payment ${payment.paymentId} of ${amount} names invoice ${payment.invoiceId}, which billing does not know`,
    INVOICE_NOT_ISSUED: `Payment ${payment.paymentId} of ${amount} names invoice ${payment.invoiceId}, which is a draft (not issued)`,
    CURRENCY_MISMATCH: `Payment ${payment.paymentId} of ${amount} names invoice ${payment.invoiceId}, which is in ${invoice?.currency ?? '?'}`,
  };
  const remediation: Record<UnappliedReason, string> = {
    OVERPAYMENT: `Refund ${amount} to customer ${payment.customerId} or agree with them which open invoice it settles; it is reported as unapplied cash until then`,
    UNKNOWN_INVOICE: `Find the invoice customer ${payment.customerId} meant (ERP payment reference) and correct the payment in the ERP, or refund it; the whole amount is unapplied cash until then`,
    INVOICE_NOT_ISSUED: `Issue invoice ${payment.invoiceId} and correct the payment in the ERP, or refund it; the whole amount is unapplied cash until then`,
    CURRENCY_MISMATCH: `Ask customer ${payment.customerId} to pay in ${invoice?.currency ?? 'the invoice currency'}, or refund the payment and have the ERP record it converted; the whole amount is unapplied cash until then`,
  };
  return {
    exceptionId: unappliedCashExceptionId(payment.paymentId),
    ownerRole: 'FINANCE_OPERATIONS',
    entityType: 'Payment',
    entityId: payment.paymentId,
    dealId: null,
    code: 'UNAPPLIED_CASH',
    message: what[reason],
    remediation: remediation[reason],
    details: {
      reason,
      paymentId: payment.paymentId,
      invoiceId: payment.invoiceId,
      customerId: payment.customerId,
      currency: payment.currency,
      receivedOn: payment.receivedOn,
      amountMinor: String(payment.amountMinor),
      appliedMinor: String(application.appliedMinor),
      unappliedMinor: String(application.unappliedMinor),
    },
  };
}

/** An issued invoice as receivables need it. */
export interface IssuedInvoice {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  issuedOn: string;
  dueDate: string;
  totalMinor: number;
}

/** A stored payment: whether it was matched to its invoice when it arrived (same id, issued, same currency). */
export interface ReceivedPayment extends Payment {
  matched: boolean;
}

export interface OpenInvoiceRow {
  invoiceId: string;
  invoiceNumber: string;
  dueDate: string;
  totalMinor: number;
  paidMinor: number;
  openMinor: number;
}

export interface ReceivablesRow {
  customerId: string;
  /** Null for unapplied cash of payments naming no known invoice. */
  legalEntityId: string | null;
  currency: string;
  openMinor: number;
  unappliedMinor: number;
  invoices: OpenInvoiceRow[];
}

export interface Receivables {
  asOf: string;
  rows: ReceivablesRow[];
  totals: { currency: string; openMinor: number; unappliedMinor: number }[];
}

/**
 * Accounts receivable on `asOf`, per customer, legal entity and currency: invoices issued on or
 * before it less the matched payments received on or before it (open AR), and unapplied cash.
 * Paid beyond an invoice's total is unapplied (not netted against other invoices); payments not
 * matched, or naming an invoice issued after `asOf`, are unapplied whole. The same rule as
 * reporting's AR ageing, so the two agree invoice by invoice.
 */
export function receivables(
  invoices: readonly IssuedInvoice[],
  payments: readonly ReceivedPayment[],
  asOf: string,
): Receivables {
  const issued = new Map(invoices.filter((i) => i.issuedOn <= asOf).map((i) => [i.invoiceId, i]));
  const paidOf = new Map<string, number>();
  const rows = new Map<string, ReceivablesRow>();
  const row = (customerId: string, legalEntityId: string | null, currency: string) => {
    const key = JSON.stringify([customerId, legalEntityId, currency]);
    let found = rows.get(key);
    if (!found) {
      found = { customerId, legalEntityId, currency, openMinor: 0, unappliedMinor: 0, invoices: [] };
      rows.set(key, found);
    }
    return found;
  };
  for (const payment of payments) {
    if (payment.receivedOn > asOf) continue;
    const invoice = issued.get(payment.invoiceId);
    if (payment.matched && invoice && invoice.currency === payment.currency) {
      paidOf.set(invoice.invoiceId, (paidOf.get(invoice.invoiceId) ?? 0) + payment.amountMinor);
    } else {
      row(payment.customerId, invoice?.legalEntityId ?? null, payment.currency).unappliedMinor +=
        payment.amountMinor;
    }
  }
  for (const invoice of issued.values()) {
    const paid = paidOf.get(invoice.invoiceId) ?? 0;
    const target = row(invoice.customerId, invoice.legalEntityId, invoice.currency);
    if (paid > invoice.totalMinor) target.unappliedMinor += paid - invoice.totalMinor;
    const open = Math.max(0, invoice.totalMinor - paid);
    if (open === 0) continue;
    target.openMinor += open;
    target.invoices.push({
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
      dueDate: invoice.dueDate,
      totalMinor: invoice.totalMinor,
      paidMinor: paid,
      openMinor: open,
    });
  }
  const sorted = [...rows.values()]
    .filter((r) => r.openMinor > 0 || r.unappliedMinor > 0)
    .map((r) => ({ ...r, invoices: r.invoices.sort((a, b) => a.invoiceId.localeCompare(b.invoiceId)) }))
    .sort((a, b) =>
      [a.customerId, a.legalEntityId ?? '', a.currency]
        .join('\u0000')
        .localeCompare([b.customerId, b.legalEntityId ?? '', b.currency].join('\u0000')),
    );
  const totals = new Map<string, { currency: string; openMinor: number; unappliedMinor: number }>();
  for (const r of sorted) {
    const total = totals.get(r.currency) ?? { currency: r.currency, openMinor: 0, unappliedMinor: 0 };
    total.openMinor += r.openMinor;
    total.unappliedMinor += r.unappliedMinor;
    totals.set(r.currency, total);
  }
  return {
    asOf,
    rows: sorted,
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}
