import { Inject, Injectable } from '@nestjs/common';

import { causedBy, ConsumedEvent, createEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';

import {
  applyPayment,
  InvoiceStatus,
  PayableInvoice,
  Receivables,
  receivables,
  unappliedCashException,
} from '../domain/cash-application';
import { BillingDb } from '../infrastructure/billing-db';
import { SOURCE } from './actual-events';
import { BILLING_DB } from './tokens';

/** Cash application: payments applied to the invoices they name, and receivables. */
@Injectable()
export class PaymentsService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /**
   * Applies a payment to the invoice it names, once per paymentId (a redelivery under another
   * event id has no second effect); unapplied cash raises UNAPPLIED_CASH for finance.
   */
  async paymentReceived(event: ConsumedEvent<'PaymentReceived'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const payment = event.data;
      if (await tx.payment.findUnique({ where: { paymentId: payment.paymentId } })) return [];
      // The row lock orders payments on one invoice, and a payment against the invoice's issue.
      const [row] = await tx.$queryRaw<InvoiceRow[]>`
        SELECT invoice_id, customer_id, legal_entity_id, currency, status, total_minor, paid_minor
        FROM invoice WHERE invoice_id = ${payment.invoiceId} FOR UPDATE`;
      const invoice: PayableInvoice | null = row
        ? {
            invoiceId: row.invoice_id,
            customerId: row.customer_id,
            legalEntityId: row.legal_entity_id,
            currency: row.currency,
            status: row.status as InvoiceStatus,
            totalMinor: Number(row.total_minor),
            paidMinor: Number(row.paid_minor),
          }
        : null;
      const application = applyPayment(payment, invoice);
      await tx.payment.create({
        data: {
          paymentId: payment.paymentId,
          invoiceId: payment.invoiceId,
          customerId: payment.customerId,
          legalEntityId: invoice?.legalEntityId ?? null,
          currency: payment.currency,
          amountMinor: BigInt(payment.amountMinor),
          appliedMinor: BigInt(application.appliedMinor),
          unappliedMinor: BigInt(application.unappliedMinor),
          unappliedReason: application.unappliedReason,
          receivedOn: payment.receivedOn,
          reference: payment.reference,
          recordedAt: BigInt(Date.now()),
        },
      });
      if (application.invoice) {
        await tx.invoice.update({
          where: { invoiceId: payment.invoiceId },
          data: { paidMinor: BigInt(application.invoice.paidMinor), status: application.invoice.status },
        });
      }
      const raised = unappliedCashException(payment, application, invoice);
      return raised ? [createEvent('BusinessExceptionRaised', raised, causedBy(event, SOURCE))] : [];
    });
  }

  /** Open AR and unapplied cash on `asOf`, per customer, legal entity and currency. */
  async receivables(asOf: string): Promise<Receivables> {
    const [invoices, payments] = await Promise.all([
      this.db.invoice.findMany({
        where: { status: { in: ['ISSUED', 'PARTIALLY_PAID', 'PAID'] }, issuedOn: { lte: asOf } },
        select: {
          invoiceId: true,
          invoiceNumber: true,
          customerId: true,
          legalEntityId: true,
          currency: true,
          issuedOn: true,
          dueDate: true,
          totalMinor: true,
        },
      }),
      this.db.payment.findMany({ where: { receivedOn: { lte: asOf } } }),
    ]);
    return receivables(
      invoices.map((i) => ({
        ...i,
        invoiceNumber: i.invoiceNumber ?? '',
        issuedOn: i.issuedOn ?? '',
        dueDate: i.dueDate ?? '',
        totalMinor: Number(i.totalMinor),
      })),
      payments.map((p) => ({
        paymentId: p.paymentId,
        invoiceId: p.invoiceId,
        customerId: p.customerId,
        currency: p.currency,
        amountMinor: Number(p.amountMinor),
        receivedOn: p.receivedOn,
        matched: p.unappliedReason === null || p.unappliedReason === 'OVERPAYMENT',
      })),
      asOf,
    );
  }
}

interface InvoiceRow {
  invoice_id: string;
  customer_id: string;
  legal_entity_id: string;
  currency: string;
  status: string;
  total_minor: bigint;
  paid_minor: bigint;
}
