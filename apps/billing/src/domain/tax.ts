/**
 * Tax on invoices (#12 item 2): which rate applies to a line, reverse charge for cross-border B2B
 * within the EU, and the one rounding rule. Pure: the caller loads the legal entity's tax regime and
 * the customer's tax profile.
 *
 * Rounding rule: tax is computed **per invoice and rate** — the net of every line taxed at the same
 * code and rate is summed, multiplied by the rate and rounded **half up** (half away from zero for
 * negative nets, i.e. credit notes) to a whole minor unit, once. The tax shown per line is that
 * total split over the lines in proportion to their net: each line gets its exact share rounded
 * down, and the units left go one each to the lines with the largest remainders (ties: first line
 * first), so the line taxes always sum to the rate's total.
 */
import { BusinessExceptionRaised } from '@throughline/contracts';

/** EU member states (ISO 3166 alpha-2; Greece as GR, not the VAT prefix EL). */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT',
  'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
]); // prettier-ignore

/** Rates are basis points of the net: 2,100 = 21 %. */
export const FULL_RATE_BASIS_POINTS = 10_000;

/** One effective-dated rate of a tax code (inclusive bounds, ISO dates; effectiveTo null = open). */
export interface TaxRate {
  taxCode: string;
  rateBasisPoints: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** A legal entity's tax regime as the ERP sends it. */
export interface TaxRegime {
  legalEntityId: string;
  /** Country of the seller's tax registration (ISO 3166 alpha-2). */
  country: string;
  /** Code of the rate lines are taxed at unless they name another. */
  standardTaxCode: string;
  rates: readonly TaxRate[];
}

/** What billing knows of the customer for tax. */
export interface CustomerTaxProfile {
  customerId: string;
  country: string;
  /** VAT / tax registration id; null for a customer without one (B2C, or not held). */
  taxId: string | null;
}

/** The code used for a reverse-charged line (0 %). */
export const REVERSE_CHARGE_TAX_CODE = 'REVERSE_CHARGE';

export const REVERSE_CHARGE_NOTE =
  'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)';

/**
 * Cross-border B2B within the EU: seller and buyer both in EU member states, in different
 * countries, and the buyer has a VAT id. The buyer then accounts for the VAT; the invoice bills 0 %.
 */
export function isReverseCharge(
  sellerCountry: string,
  buyer: Pick<CustomerTaxProfile, 'country' | 'taxId'>,
): boolean {
  return (
    EU_COUNTRIES.has(sellerCountry) &&
    EU_COUNTRIES.has(buyer.country) &&
    sellerCountry !== buyer.country &&
    buyer.taxId !== null &&
    buyer.taxId.trim() !== ''
  );
}

/**
 * The rate of `taxCode` on `date`: the version whose bounds include the date; when versions overlap
 * the latest `effectiveFrom` wins. Null when none covers the date.
 */
export function rateOn(regime: TaxRegime, taxCode: string, date: string): TaxRate | null {
  let found: TaxRate | null = null;
  for (const rate of regime.rates) {
    if (rate.taxCode !== taxCode || date < rate.effectiveFrom) continue;
    if (rate.effectiveTo !== null && date > rate.effectiveTo) continue;
    if (found === null || rate.effectiveFrom > found.effectiveFrom) found = rate;
  }
  return found;
}

/** A gap in tax setup that stops an invoice from being taxed. */
export interface TaxSetupGap {
  code: 'NO_TAX_REGIME' | 'NO_TAX_RATE' | 'NO_CUSTOMER_TAX_PROFILE';
  reason: string;
}

/**
 * Why invoices of `legalEntityId` for `customerId` dated `date` cannot be taxed (empty when they
 * can). The close asks this for every draft so the gap goes to finance before anyone tries to issue.
 */
export function taxSetupGaps(
  legalEntityId: string,
  regime: TaxRegime | null,
  customerId: string,
  customer: CustomerTaxProfile | null,
  taxCodes: readonly string[],
  date: string,
): TaxSetupGap[] {
  const gaps: TaxSetupGap[] = [];
  if (regime === null) {
    gaps.push({ code: 'NO_TAX_REGIME', reason: `Legal entity ${legalEntityId} has no tax regime` });
  }
  if (customer === null) {
    gaps.push({
      code: 'NO_CUSTOMER_TAX_PROFILE',
      reason: `Customer ${customerId} has no tax profile (country, tax id)`,
    });
  }
  if (regime === null || customer === null || isReverseCharge(regime.country, customer)) return gaps;
  const codes = new Set(taxCodes.length > 0 ? taxCodes : [regime.standardTaxCode]);
  for (const code of [...codes].sort()) {
    if (rateOn(regime, code, date) === null) {
      gaps.push({
        code: 'NO_TAX_RATE',
        reason: `Legal entity ${legalEntityId} has no rate for tax code ${code} on ${date}`,
      });
    }
  }
  return gaps;
}

/** `netMinor × basisPoints / 10000` rounded half up (half away from zero below 0), exact. */
export function taxOf(netMinor: number, rateBasisPoints: number): number {
  if (!Number.isSafeInteger(netMinor)) throw new RangeError(`net must be a safe integer, got ${netMinor}`);
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0) {
    throw new RangeError(`rate must be whole basis points ≥ 0, got ${rateBasisPoints}`);
  }
  const product = BigInt(netMinor) * BigInt(rateBasisPoints);
  const magnitude = product < 0n ? -product : product;
  const rounded = (magnitude * 2n + BigInt(FULL_RATE_BASIS_POINTS)) / BigInt(2 * FULL_RATE_BASIS_POINTS);
  return Number(product < 0n ? -rounded : rounded);
}

export interface TaxableLine {
  lineId: string;
  amountMinor: number;
  /** Null: the regime's standard code. */
  taxCode: string | null;
}

export interface TaxedLine {
  lineId: string;
  taxCode: string;
  rateBasisPoints: number;
  /** This line's share of its rate's tax total (see the rounding rule). */
  taxMinor: number;
}

export interface TaxTotal {
  taxCode: string;
  rateBasisPoints: number;
  netMinor: number;
  taxMinor: number;
}

export interface InvoiceTax {
  reverseCharge: boolean;
  /** The legal note the invoice prints (reverse charge), else null. */
  note: string | null;
  lines: TaxedLine[];
  /** One per code and rate, ordered by code. */
  totals: TaxTotal[];
  netMinor: number;
  taxMinor: number;
  grossMinor: number;
}

export class TaxSetupMissing extends Error {
  constructor(readonly gaps: TaxSetupGap[]) {
    super(gaps.map((gap) => gap.reason).join('; '));
  }
}

/** Tax of one invoice dated `taxDate` (its issue date). Throws TaxSetupMissing on a gap. */
export function taxInvoice(
  regime: TaxRegime | null,
  customer: CustomerTaxProfile | null,
  lines: readonly TaxableLine[],
  taxDate: string,
): InvoiceTax {
  const gaps = taxSetupGaps(
    regime?.legalEntityId ?? '?',
    regime,
    customer?.customerId ?? '?',
    customer,
    lines.map((line) => line.taxCode ?? regime?.standardTaxCode ?? ''),
    taxDate,
  );
  if (gaps.length > 0 || regime === null || customer === null) throw new TaxSetupMissing(gaps);
  const reverseCharge = isReverseCharge(regime.country, customer);
  const rated = lines.map((line) => {
    if (reverseCharge) return { line, taxCode: REVERSE_CHARGE_TAX_CODE, rateBasisPoints: 0 };
    const taxCode = line.taxCode ?? regime.standardTaxCode;
    const rate = rateOn(regime, taxCode, taxDate) as TaxRate;
    return { line, taxCode, rateBasisPoints: rate.rateBasisPoints };
  });
  const groups = new Map<string, typeof rated>();
  for (const entry of rated) {
    const key = `${entry.taxCode}\u0000${entry.rateBasisPoints}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const lineTax = new Map<string, number>();
  const totals: TaxTotal[] = [];
  for (const group of groups.values()) {
    const { taxCode, rateBasisPoints } = group[0];
    const netMinor = group.reduce((sum, { line }) => sum + line.amountMinor, 0);
    const taxMinor = taxOf(netMinor, rateBasisPoints);
    totals.push({ taxCode, rateBasisPoints, netMinor, taxMinor });
    allocate(
      taxMinor,
      group.map(({ line }) => line),
      rateBasisPoints,
    ).forEach((share, i) => lineTax.set(group[i].line.lineId, share));
  }
  totals.sort((a, b) => a.taxCode.localeCompare(b.taxCode) || a.rateBasisPoints - b.rateBasisPoints);
  const netMinor = totals.reduce((sum, total) => sum + total.netMinor, 0);
  const taxMinor = totals.reduce((sum, total) => sum + total.taxMinor, 0);
  return {
    reverseCharge,
    note: reverseCharge ? REVERSE_CHARGE_NOTE : null,
    lines: rated.map(({ line, taxCode, rateBasisPoints }) => ({
      lineId: line.lineId,
      taxCode,
      rateBasisPoints,
      taxMinor: lineTax.get(line.lineId) ?? 0,
    })),
    totals,
    netMinor,
    taxMinor,
    grossMinor: netMinor + taxMinor,
  };
}

/**
 * Splits a rate's rounded tax over its lines: exact share (net × rate / 10000) rounded toward zero,
 * the units left one each to the largest remainders (first line first on ties).
 */
function allocate(taxMinor: number, lines: readonly TaxableLine[], rateBasisPoints: number): number[] {
  const full = BigInt(FULL_RATE_BASIS_POINTS);
  const exact = lines.map((line) => BigInt(line.amountMinor) * BigInt(rateBasisPoints));
  const shares = exact.map((e) => e / full); // BigInt division truncates toward zero
  const remainders = exact.map((e, i) => (e - shares[i] * full) * (e < 0n ? -1n : 1n));
  let left = BigInt(taxMinor) - shares.reduce((a, b) => a + b, 0n);
  const step = left < 0n ? -1n : 1n;
  const order = lines
    .map((_, i) => i)
    .sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : a - b));
  for (let k = 0; left !== 0n; k = (k + 1) % order.length) {
    shares[order[k]] += step;
    left -= step;
  }
  return shares.map(Number);
}

export function taxSetupExceptionId(invoiceId: string): string {
  return `EXC-INV-${invoiceId}-TAX_SETUP_MISSING`;
}

/**
 * The exception a close raises for a draft it could not tax (the ERP's master data is incomplete),
 * so finance has the gap before anyone tries to issue: issuing the draft is refused until it is fixed.
 */
export function taxSetupException(
  invoice: { invoiceId: string; customerId: string; legalEntityId: string },
  period: string,
  gaps: readonly TaxSetupGap[],
): BusinessExceptionRaised {
  return {
    exceptionId: taxSetupExceptionId(invoice.invoiceId),
    ownerRole: 'FINANCE_OPERATIONS',
    entityType: 'Invoice',
    entityId: invoice.invoiceId,
    dealId: null,
    code: 'TAX_SETUP_MISSING',
    message: `Draft invoice ${invoice.invoiceId} of the close of ${period} cannot be taxed: ${gaps.map((gap) => gap.reason).join('; ')}`,
    remediation: `Complete the tax master data in the ERP (tax regime and dated rates of legal entity ${invoice.legalEntityId}, tax profile of customer ${invoice.customerId}) so it reaches billing; the draft can be issued once it has`,
    details: {
      invoiceId: invoice.invoiceId,
      legalEntityId: invoice.legalEntityId,
      customerId: invoice.customerId,
      period,
      gaps: gaps.map((gap) => gap.code).join(','),
    },
  };
}

/**
 * Whether billing taxes invoices (`BILLING_TAX`): `required` (the default, since ingress relays the
 * ERP's tax master data) — every issued invoice is taxed, a gap in tax setup raises
 * TAX_SETUP_MISSING at the close and refuses the issue (422); `off` — invoices are issued untaxed
 * (no tax code, tax 0, amount due = net), for a firm whose ERP invoices tax itself.
 */
export type TaxPolicy = 'REQUIRED' | 'OFF';

export function parseTaxPolicy(text: string | undefined): TaxPolicy {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '' || value === 'required') return 'REQUIRED';
  if (value === 'off') return 'OFF';
  throw new RangeError(`BILLING_TAX is invalid: "${text}" (expected "required" or "off")`);
}

/** An invoice issued without tax (policy OFF): no code or rate per line, tax 0, gross = net. */
export function untaxedInvoice(lines: readonly TaxableLine[]): Omit<InvoiceTax, 'lines'> & {
  lines: { lineId: string; taxCode: null; rateBasisPoints: null; taxMinor: 0 }[];
} {
  const netMinor = lines.reduce((sum, line) => sum + line.amountMinor, 0);
  return {
    reverseCharge: false,
    note: null,
    lines: lines.map((line) => ({ lineId: line.lineId, taxCode: null, rateBasisPoints: null, taxMinor: 0 })),
    totals: [],
    netMinor,
    taxMinor: 0,
    grossMinor: netMinor,
  };
}
