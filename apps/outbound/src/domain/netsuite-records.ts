import { createHash } from 'node:crypto';

import type { CustomerUpserted, InvoiceIssued, ProjectCreated } from '@throughline/contracts';
import { minorUnitDigits } from '@throughline/money';

import { minorToDecimal } from './minor-units';

/**
 * NetSuite record bodies (REST web services, record API v1) built from Throughline's events.
 * References name records by external id (`{ "externalId": ... }`), so no NetSuite internal id has
 * to be looked up first: customers carry Throughline's customer id, invoices its invoice id, and
 * the items an admin creates once carry `THROUGHLINE-<line kind>` (see the service README).
 */

/** The outbound_call entity types of the NetSuite records Throughline writes. */
export const NETSUITE_ENTITY = { customer: 'Customer', invoice: 'Invoice', project: 'Project' } as const;

/** A NetSuite reference by external id. */
export interface NetSuiteRef {
  externalId: string;
}

/** The customer record upserted with `PUT /customer/eid:<customerId>`. */
export interface NetSuiteCustomer {
  externalId: string;
  companyName: string;
  isPerson: false;
  /** A BLOCKED customer is made inactive, so no new transaction can use it. */
  isInactive: boolean;
}

export interface NetSuiteInvoiceItem {
  item: NetSuiteRef;
  description: string;
  /** Hours for time lines; absent when the line is not a quantity. */
  quantity?: number;
  /** Price per hour when the line has one. */
  rate?: number;
  amount: number;
}

/** The invoice record created with `POST /invoice`. */
export interface NetSuiteInvoice {
  externalId: string;
  tranId: string;
  entity: NetSuiteRef;
  tranDate: string;
  dueDate: string;
  memo: string;
  item: { items: NetSuiteInvoiceItem[] };
}

export function netSuiteCustomer(customer: CustomerUpserted): NetSuiteCustomer {
  return {
    externalId: customer.customerId,
    companyName: customer.name,
    isPerson: false,
    isInactive: customer.status === 'BLOCKED',
  };
}

/** The project record (`job`) upserted with `PUT /job/eid:<projectId>`, under its customer. */
export interface NetSuiteJob {
  externalId: string;
  companyName: string;
  parent: NetSuiteRef;
  startDate: string;
  projectedEndDate: string;
}

export function netSuiteJob(project: ProjectCreated): NetSuiteJob {
  return {
    externalId: project.projectId,
    companyName: project.name,
    parent: { externalId: project.customerId },
    startDate: project.startDate,
    projectedEndDate: project.endDate,
  };
}

/** External id of the NetSuite item that bills lines of one kind (`THROUGHLINE-TIME`, ...). */
export function netSuiteItemExternalId(kind: InvoiceIssued['lines'][number]['kind']): string {
  return `THROUGHLINE-${kind}`;
}

/**
 * The invoice with one item line per summary line. Amounts are decimal numbers built from the
 * integer minor units as text (exact for any amount below 2^53 minor units). Hours go as quantity;
 * the hourly rate only when hours × rate is exactly the amount (one price, no rounding), so NetSuite
 * never has a reason to recompute an amount.
 */
export function netSuiteInvoice(invoice: InvoiceIssued): NetSuiteInvoice {
  const digits = minorUnitDigits(invoice.currency);
  const money = (minor: number) => decimalNumber(BigInt(minor), digits);
  return {
    externalId: invoice.invoiceId,
    tranId: invoice.invoiceNumber,
    entity: { externalId: invoice.customerId },
    tranDate: invoice.issuedOn,
    dueDate: invoice.dueDate,
    memo: `Throughline ${invoice.invoiceId} (${invoice.legalEntityId}, ${invoice.billingPeriod}, ${invoice.currency})`,
    item: {
      items: invoice.lines.map((line) => ({
        item: { externalId: netSuiteItemExternalId(line.kind) },
        description: line.description,
        ...(line.quantityHundredths !== null
          ? { quantity: decimalNumber(BigInt(line.quantityHundredths), 2) }
          : {}),
        ...(line.quantityHundredths !== null &&
        line.unitPriceMinor !== null &&
        BigInt(line.quantityHundredths) * BigInt(line.unitPriceMinor) === BigInt(line.amountMinor) * 100n
          ? { rate: money(line.unitPriceMinor) }
          : {}),
        amount: money(line.amountMinor),
      })),
    },
  };
}

/**
 * The `X-NetSuite-Idempotency-Key` of an invoice: a UUID (version 5, RFC 9562) derived from the
 * invoice id, so every attempt and every replay of one invoice sends the same key.
 */
export function invoiceIdempotencyKey(invoiceId: string): string {
  return uuidV5(IDEMPOTENCY_NAMESPACE, `throughline:invoice:${invoiceId}`);
}

/** Namespace of Throughline's idempotency keys (a random UUID chosen once). */
const IDEMPOTENCY_NAMESPACE = '5b0d7e52-8a4e-4c52-9a43-4a1f0c3e6d21';

function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function decimalNumber(minor: bigint, digits: number): number {
  const value = Number(minorToDecimal(minor, digits));
  if (!Number.isSafeInteger(Number(minor)))
    throw new RangeError(`amount ${minor} is too large to send exactly`);
  return value;
}
