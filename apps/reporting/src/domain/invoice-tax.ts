import { formatMoney } from './money';
import { sumMinor } from './ratio';
import { InvoiceFacts } from './time-to-cash';

/** Billing's code for the lines of a reverse-charged invoice (0 %, the customer accounts for the VAT). */
export const REVERSE_CHARGE_TAX_CODE = 'REVERSE_CHARGE';

/** One rate's line of a period's tax: its net, its tax and how many invoices have lines at it. */
export interface TaxRateSummary {
  /** Null: invoices issued without tax (before InvoiceIssued v3, or billing's tax policy off). */
  taxCode: string | null;
  rateBasisPoints: number | null;
  reverseCharge: boolean;
  netMinor: number;
  taxMinor: number;
  invoices: number;
  net: string;
  tax: string;
}

/**
 * The tax of a billing period's invoices for one issuing legal entity and currency: what that entity
 * declares. gross = net + tax = the sum of the invoices' totalMinor (the amounts due).
 */
export interface LegalEntityTaxSummary {
  legalEntityId: string;
  currency: string;
  invoices: number;
  netMinor: number;
  taxMinor: number;
  grossMinor: number;
  net: string;
  tax: string;
  gross: string;
  /** Ordered by code (untaxed last), then rate. */
  rates: TaxRateSummary[];
}

/**
 * Tax of the invoices issued for `period` per issuing legal entity and currency, and per tax code and
 * rate within it. The figures are billing's as issued (InvoiceIssued v3+ `taxes[]`, rounded there
 * once per invoice and rate); nothing is recomputed or rounded here, so they add up to the invoices.
 */
export function periodTax(period: string, invoices: readonly InvoiceFacts[]): LegalEntityTaxSummary[] {
  const entities = new Map<
    string,
    {
      legalEntityId: string;
      currency: string;
      invoices: number;
      net: number;
      tax: number;
      rates: Map<
        string,
        {
          taxCode: string | null;
          rateBasisPoints: number | null;
          net: number;
          tax: number;
          invoices: Set<string>;
        }
      >;
    }
  >();
  for (const invoice of invoices) {
    if (invoice.billingPeriod !== period) continue;
    const key = `${invoice.legalEntityId}\u0000${invoice.currency}`;
    const entity = entities.get(key) ?? {
      legalEntityId: invoice.legalEntityId,
      currency: invoice.currency,
      invoices: 0,
      net: 0,
      tax: 0,
      rates: new Map(),
    };
    entities.set(key, entity);
    entity.invoices += 1;
    entity.net = sumMinor([entity.net, invoice.tax.netMinor]);
    entity.tax = sumMinor([entity.tax, invoice.tax.taxMinor]);
    const totals =
      invoice.tax.totals.length > 0
        ? invoice.tax.totals
        : [{ taxCode: null, rateBasisPoints: null, netMinor: invoice.tax.netMinor, taxMinor: 0 }];
    for (const total of totals) {
      const rateKey = `${total.taxCode ?? ''}\u0000${total.rateBasisPoints ?? ''}`;
      const rate = entity.rates.get(rateKey) ?? {
        taxCode: total.taxCode,
        rateBasisPoints: total.rateBasisPoints,
        net: 0,
        tax: 0,
        invoices: new Set<string>(),
      };
      entity.rates.set(rateKey, rate);
      rate.net = sumMinor([rate.net, total.netMinor]);
      rate.tax = sumMinor([rate.tax, total.taxMinor]);
      rate.invoices.add(invoice.invoiceId);
    }
  }
  return [...entities.values()]
    .sort((a, b) => a.legalEntityId.localeCompare(b.legalEntityId) || a.currency.localeCompare(b.currency))
    .map((entity) => {
      const gross = sumMinor([entity.net, entity.tax]);
      return {
        legalEntityId: entity.legalEntityId,
        currency: entity.currency,
        invoices: entity.invoices,
        netMinor: entity.net,
        taxMinor: entity.tax,
        grossMinor: gross,
        net: formatMoney(entity.net, entity.currency),
        tax: formatMoney(entity.tax, entity.currency),
        gross: formatMoney(gross, entity.currency),
        rates: [...entity.rates.values()]
          .sort(
            (a, b) =>
              Number(a.taxCode === null) - Number(b.taxCode === null) ||
              (a.taxCode ?? '').localeCompare(b.taxCode ?? '') ||
              (a.rateBasisPoints ?? 0) - (b.rateBasisPoints ?? 0),
          )
          .map((rate) => ({
            taxCode: rate.taxCode,
            rateBasisPoints: rate.rateBasisPoints,
            reverseCharge: rate.taxCode === REVERSE_CHARGE_TAX_CODE,
            netMinor: rate.net,
            taxMinor: rate.tax,
            invoices: rate.invoices.size,
            net: formatMoney(rate.net, entity.currency),
            tax: formatMoney(rate.tax, entity.currency),
          })),
      };
    });
}
