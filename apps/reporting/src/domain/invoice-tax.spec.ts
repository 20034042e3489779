import { periodTax } from './invoice-tax';
import { InvoiceFacts, InvoiceTaxFacts } from './time-to-cash';

type Total = InvoiceTaxFacts['totals'][number];

/** An invoice of 2031-01 issued with these tax totals (as billing rounded them); total = net + tax. */
const issued = (
  invoiceId: string,
  legalEntityId: string,
  totals: Total[],
  extra: Partial<InvoiceFacts> = {},
) => {
  const netMinor = totals.reduce((sum, total) => sum + total.netMinor, 0);
  const taxMinor = totals.reduce((sum, total) => sum + total.taxMinor, 0);
  const invoice: InvoiceFacts = {
    invoiceId,
    invoiceNumber: `INV-${invoiceId}`,
    customerId: 'C-1',
    legalEntityId,
    currency: 'EUR',
    billingPeriod: '2031-01',
    issuedOn: '2031-02-05',
    dueDate: '2031-03-07',
    issuedAt: 0,
    totalMinor: netMinor + taxMinor,
    lines: [],
    tax: {
      netMinor,
      taxMinor,
      reverseCharge: totals.some((total) => total.taxCode === 'REVERSE_CHARGE'),
      totals,
    },
  };
  return { ...invoice, ...extra };
};
const rate = (taxCode: string, rateBasisPoints: number, netMinor: number, taxMinor: number): Total => ({
  taxCode,
  rateBasisPoints,
  netMinor,
  taxMinor,
});

describe('periodTax', () => {
  it('sums billing’s rounded tax per legal entity, currency, code and rate, untaxed and reverse charge apart', () => {
    // Worked example, LE-NL in EUR, billing period 2031-01 (tax as billing issued it: per invoice and
    // rate, half up):
    //   A  Dutch consumer   S 21 %  net 223.45 → 46.9245 → 46.92
    //   B  two rates        S 21 %  net  50.00 → 10.50            R 9 %  net 11.11 → 0.9999 → 1.00
    //   C  German company   REVERSE_CHARGE 0 %  net 500.00 → 0
    //   D  before v3        untaxed              net  10.00 (total = net)
    //   G1, G2              S 21 %  net   0.50 → 0.105 → 0.11 each (half up)
    //   S:  net 223.45 + 50.00 + 0.50 + 0.50 = 274.45; tax 46.92 + 10.50 + 0.11 + 0.11 = 57.64
    //       (not 274.45 × 21 % = 57.6345 → 57.63: the report adds the invoices' tax, it does not
    //       recompute it, so it agrees with the amounts due)
    //   R:  net 11.11, tax 1.00;  REVERSE_CHARGE: net 500.00, tax 0;  untaxed: net 10.00, tax 0
    //   LE-NL: net 274.45 + 11.11 + 500.00 + 10.00 = 795.56; tax 57.64 + 1.00 = 58.64; gross 854.20
    // LE-DE in EUR: F  S 19 %  net 100.50 → 19.095 → 19.10; gross 119.60.
    // E is another period and is left out.
    const invoices: InvoiceFacts[] = [
      issued('A', 'LE-NL', [rate('S', 2_100, 22_345, 4_692)]),
      issued('B', 'LE-NL', [rate('R', 900, 1_111, 100), rate('S', 2_100, 5_000, 1_050)]),
      issued('C', 'LE-NL', [rate('REVERSE_CHARGE', 0, 50_000, 0)]),
      issued('D', 'LE-NL', [], {
        totalMinor: 1_000,
        tax: { netMinor: 1_000, taxMinor: 0, reverseCharge: false, totals: [] },
      }),
      issued('G1', 'LE-NL', [rate('S', 2_100, 50, 11)]),
      issued('G2', 'LE-NL', [rate('S', 2_100, 50, 11)]),
      issued('F', 'LE-DE', [rate('S', 1_900, 10_050, 1_910)]),
      issued('E', 'LE-NL', [rate('S', 2_100, 99_999, 21_000)], { billingPeriod: '2030-12' }),
    ];

    expect(periodTax('2031-01', invoices)).toEqual([
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        invoices: 1,
        netMinor: 10_050,
        taxMinor: 1_910,
        grossMinor: 11_960,
        net: 'EUR 100.50',
        tax: 'EUR 19.10',
        gross: 'EUR 119.60',
        rates: [
          {
            taxCode: 'S',
            rateBasisPoints: 1_900,
            reverseCharge: false,
            netMinor: 10_050,
            taxMinor: 1_910,
            invoices: 1,
            net: 'EUR 100.50',
            tax: 'EUR 19.10',
          },
        ],
      },
      {
        legalEntityId: 'LE-NL',
        currency: 'EUR',
        invoices: 6,
        netMinor: 79_556,
        taxMinor: 5_864,
        grossMinor: 85_420,
        net: 'EUR 795.56',
        tax: 'EUR 58.64',
        gross: 'EUR 854.20',
        rates: [
          {
            taxCode: 'R',
            rateBasisPoints: 900,
            reverseCharge: false,
            netMinor: 1_111,
            taxMinor: 100,
            invoices: 1,
            net: 'EUR 11.11',
            tax: 'EUR 1.00',
          },
          {
            taxCode: 'REVERSE_CHARGE',
            rateBasisPoints: 0,
            reverseCharge: true,
            netMinor: 50_000,
            taxMinor: 0,
            invoices: 1,
            net: 'EUR 500.00',
            tax: 'EUR 0.00',
          },
          {
            taxCode: 'S',
            rateBasisPoints: 2_100,
            reverseCharge: false,
            netMinor: 27_445,
            taxMinor: 5_764,
            invoices: 4,
            net: 'EUR 274.45',
            tax: 'EUR 57.64',
          },
          {
            taxCode: null,
            rateBasisPoints: null,
            reverseCharge: false,
            netMinor: 1_000,
            taxMinor: 0,
            invoices: 1,
            net: 'EUR 10.00',
            tax: 'EUR 0.00',
          },
        ],
      },
    ]);
  });

  it('keeps two rates of one code apart (a rate change within the period) and gross equal to the amounts due', () => {
    // S at 19 % on an invoice dated before the change and at 21 % after it: two rows, never merged.
    const invoices = [
      issued('X', 'LE-NL', [rate('S', 1_900, 10_000, 1_900)]),
      issued('Y', 'LE-NL', [rate('S', 2_100, 10_000, 2_100)]),
    ];
    const [entity] = periodTax('2031-01', invoices);
    expect(entity.rates.map((r) => [r.taxCode, r.rateBasisPoints, r.netMinor, r.taxMinor])).toEqual([
      ['S', 1_900, 10_000, 1_900],
      ['S', 2_100, 10_000, 2_100],
    ]);
    expect(entity.grossMinor).toBe(invoices.reduce((sum, invoice) => sum + invoice.totalMinor, 0));
  });

  it('is empty for a period without invoices', () => {
    expect(periodTax('2031-02', [issued('A', 'LE-NL', [rate('S', 2_100, 100, 21)])])).toEqual([]);
  });
});
