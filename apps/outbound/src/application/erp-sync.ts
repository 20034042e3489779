import { Inject, Injectable } from '@nestjs/common';

import { ConsumedEvent } from '@throughline/messaging';

import {
  invoiceIdempotencyKey,
  NETSUITE_ENTITY,
  netSuiteCustomer,
  netSuiteInvoice,
  netSuiteJob,
} from '../domain/netsuite-records';
import { OutboundConnector } from './outbound-connector';
import { OutboundDelivery } from './outbound-delivery';

/** The ERP connector, or null when NetSuite is not configured. */
export const ERP_CONNECTOR = Symbol('ERP_CONNECTOR');

/**
 * Provisions the ERP: customers and projects are upserted by external id (a change is sent again),
 * issued invoices are created once (NetSuite's idempotency key makes a repeated call harmless; a
 * changed invoice is not sent but raised for finance, since an issued invoice is corrected with a
 * credit note).
 */
@Injectable()
export class ErpSync {
  constructor(
    private readonly delivery: OutboundDelivery,
    @Inject(ERP_CONNECTOR) private readonly connector: OutboundConnector | null,
  ) {}

  async customerUpserted(event: ConsumedEvent<'CustomerUpserted'>): Promise<void> {
    if (!this.connector) return;
    const customer = event.data;
    await this.delivery.deliver(
      this.connector,
      event,
      () =>
        Promise.resolve({
          request: {
            entityType: NETSUITE_ENTITY.customer,
            externalId: customer.customerId,
            targetRecordId: `eid:${customer.customerId}`,
            payload: netSuiteCustomer(customer),
          },
          dealId: null,
          remediation: `Check customer ${customer.customerId} (${customer.name}) in NetSuite (mandatory fields, subsidiary, duplicates), then replay the event with the ops CLI`,
        }),
      customer.customerId,
    );
  }

  async projectCreated(event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    if (!this.connector) return;
    const project = event.data;
    await this.delivery.deliver(
      this.connector,
      event,
      () =>
        Promise.resolve({
          request: {
            entityType: NETSUITE_ENTITY.project,
            externalId: project.projectId,
            targetRecordId: `eid:${project.projectId}`,
            payload: netSuiteJob(project),
          },
          dealId: project.dealId,
          remediation: `Check that customer ${project.customerId} exists in NetSuite with external id ${project.customerId} (the CustomerUpserted event creates it), then replay the event with the ops CLI`,
        }),
      project.projectId,
    );
  }

  async invoiceIssued(event: ConsumedEvent<'InvoiceIssued'>): Promise<void> {
    if (!this.connector) return;
    const invoice = event.data;
    const dealIds = [...new Set(invoice.lines.map((line) => line.dealId))];
    await this.delivery.deliver(
      this.connector,
      event,
      () =>
        Promise.resolve({
          request: {
            entityType: NETSUITE_ENTITY.invoice,
            externalId: invoice.invoiceId,
            targetRecordId: `eid:${invoice.invoiceId}`,
            payload: netSuiteInvoice(invoice),
            idempotencyKey: invoiceIdempotencyKey(invoice.invoiceId),
          },
          dealId: dealIds.length === 1 ? (dealIds[0] ?? null) : null,
          remediation:
            `Check that customer ${invoice.customerId} exists in NetSuite with external id ${invoice.customerId} ` +
            `(the CustomerUpserted event creates it), that the items THROUGHLINE-<line kind> exist and the ` +
            `period of ${invoice.issuedOn} is open, then replay the event with the ops CLI`,
          immutable: {
            remediation: `Invoice ${invoice.invoiceNumber} is already in NetSuite as first issued; correct it with a credit note in Throughline, not by editing the ERP invoice`,
          },
        }),
      invoice.invoiceId,
    );
  }
}
