import { ActualChanged, EventRecord } from '@throughline/contracts';
import { createEvent, EventOrigin } from '@throughline/messaging';

import { Actual, BillingProject } from '../infrastructure/prisma/generated/client';

export const SOURCE = 'billing';

const num = (value: bigint | null): number | null => (value === null ? null : Number(value));

/**
 * The ActualChanged payload of a stored actual; null while its project is unknown. `changedBy`: the
 * verified caller when an API call made the change (write-off, close, issue), null when billing
 * derived it from another event.
 */
export function actualChangedOf(row: Actual, changedBy: string | null): ActualChanged | null {
  const { note: _note, dealId, customerId, legalEntityId, currency, ...fields } = actualViewOf(row);
  if (dealId === null || customerId === null || legalEntityId === null || currency === null) return null;
  return { ...fields, dealId, customerId, legalEntityId, currency, changedBy };
}

export function actualChangedEvents(
  rows: readonly Actual[],
  origin: EventOrigin,
  changedBy: string | null,
): EventRecord[] {
  return rows.flatMap((row) => {
    const data = actualChangedOf(row, changedBy);
    return data ? [createEvent('ActualChanged', data, origin)] : [];
  });
}

/** The API view of an actual: the ActualChanged fields plus why something is missing. */
export type ActualView = Omit<
  ActualChanged,
  'dealId' | 'customerId' | 'legalEntityId' | 'currency' | 'changedBy'
> & {
  dealId: string | null;
  customerId: string | null;
  legalEntityId: string | null;
  currency: string | null;
  note: string | null;
};

export function actualViewOf(row: Actual): ActualView {
  return {
    actualId: row.actualId,
    kind: row.kind as ActualChanged['kind'],
    projectId: row.projectId,
    dealId: row.dealId,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    personId: row.personId,
    role: row.role,
    workDate: row.workDate,
    hoursHundredths: Number(row.hoursHundredths),
    billable: row.billable,
    currency: row.currency,
    rateMinor: num(row.rateMinor),
    rateCardId: row.rateCardId,
    billAmountMinor: Number(row.billAmountMinor),
    costRateMinor: num(row.costRateMinor),
    costAmountMinor: Number(row.costAmountMinor),
    billingPeriod: row.billingPeriod,
    status: row.status as ActualChanged['status'],
    invoiceId: row.invoiceId,
    approvedAt: Number(row.approvedAt),
    changedAt: Number(row.changedAt),
    note: row.note,
  };
}

export function missingRateExceptionId(actualId: string): string {
  return `EXC-ACT-${actualId}-MISSING_RATE`;
}

export function unknownProjectExceptionId(actualId: string): string {
  return `EXC-ACT-${actualId}-UNKNOWN_PROJECT`;
}

export function missingRateRaised(row: Actual, project: BillingProject, origin: EventOrigin): EventRecord {
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: missingRateExceptionId(row.actualId),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      entityId: row.actualId,
      dealId: project.dealId,
      code: 'MISSING_RATE',
      message: `No ${project.currency} rate for role ${row.role ?? '?'} of legal entity ${project.legalEntityId} on ${row.workDate}: time entry ${row.actualId} cannot be priced`,
      remediation: `Publish a rate card for legal entity ${project.legalEntityId} in ${project.currency} covering ${row.workDate} with role ${row.role ?? '?'} (ERP rate cards API); the entry is priced as soon as it arrives`,
      details: {
        projectId: project.projectId,
        legalEntityId: project.legalEntityId,
        currency: project.currency,
        role: row.role ?? '',
        workDate: row.workDate,
      },
    },
    origin,
  );
}
