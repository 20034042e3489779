import { minorUnitDigits } from '@throughline/money';

import { minorToDecimal } from './minor-units';

/** Throughline names HubSpot deals `HS-<HubSpot deal id>`; other prefixes are other CRMs. */
export function hubSpotDealId(dealId: string): string | undefined {
  return /^HS-(\d+)$/.exec(dealId)?.[1];
}

export type SetupStatus = 'READY' | 'FAILED' | 'OVERDUE';

/** Everything Throughline knows about a deal that the CRM should show. */
export interface DealWriteBackState {
  projectIds: readonly string[];
  /** Outcome of project setup; undefined while it is still running. */
  setupStatus: SetupStatus | undefined;
  invoices: readonly { currency: string; amountMinor: bigint }[];
}

/**
 * The custom deal properties HubSpot receives (created once by a HubSpot admin; see the service
 * README). Values are strings, as the CRM v3 objects API takes them; the whole state is sent each
 * time, so the call is an idempotent upsert.
 */
export const DEAL_PROPERTY = {
  projectIds: 'throughline_project_ids',
  setupStatus: 'throughline_setup_status',
  invoicedToDate: 'throughline_invoiced_to_date',
} as const;

export function dealProperties(state: DealWriteBackState): Record<string, string> {
  return {
    [DEAL_PROPERTY.projectIds]: [...new Set(state.projectIds)].sort().join(';'),
    [DEAL_PROPERTY.setupStatus]: state.setupStatus ?? 'IN_PROGRESS',
    [DEAL_PROPERTY.invoicedToDate]: invoicedToDate(state.invoices),
  };
}

/** Invoiced amounts per currency, e.g. `EUR 12345.67; USD 10.00` (empty when nothing was invoiced). */
export function invoicedToDate(invoices: DealWriteBackState['invoices']): string {
  const totals = new Map<string, bigint>();
  for (const invoice of invoices) {
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + invoice.amountMinor);
  }
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, minor]) => `${currency} ${minorToDecimal(minor, minorUnitDigits(currency))}`)
    .join('; ');
}
