import {
  CustomerTaxProfile,
  isReverseCharge,
  rateOn,
  REVERSE_CHARGE_NOTE,
  taxInvoice,
  TaxRegime,
  taxOf,
  taxSetupException,
  taxSetupGaps,
  parseTaxPolicy,
  untaxedInvoice,
  TaxSetupMissing,
} from './tax';

// A Dutch legal entity: standard code S was 19 % until the end of 2030 and 21 % from 2031; R is 9 %.
const regime: TaxRegime = {
  legalEntityId: 'LE-NL',
  country: 'NL',
  standardTaxCode: 'S',
  rates: [
    { taxCode: 'S', rateBasisPoints: 1_900, effectiveFrom: '2020-01-01', effectiveTo: '2030-12-31' },
    { taxCode: 'S', rateBasisPoints: 2_100, effectiveFrom: '2031-01-01', effectiveTo: null },
    { taxCode: 'R', rateBasisPoints: 900, effectiveFrom: '2020-01-01', effectiveTo: null },
  ],
};
const dutchCustomer: CustomerTaxProfile = { customerId: 'C-NL', country: 'NL', taxId: 'NL123456789B01' };
const germanCompany: CustomerTaxProfile = { customerId: 'C-DE', country: 'DE', taxId: 'DE123456789' };

describe('taxOf (per invoice and rate, half up in minor units)', () => {
  it('rounds half up, and half away from zero for credit notes', () => {
    // 50 × 21 % = 10.50 → 11;  10 × 21 % = 2.10 → 2;  49 × 21 % = 10.29 → 10
    expect(taxOf(50, 2_100)).toBe(11);
    expect(taxOf(10, 2_100)).toBe(2);
    expect(taxOf(49, 2_100)).toBe(10);
    // −50 × 21 % = −10.50 → −11 (the credit mirrors the invoice)
    expect(taxOf(-50, 2_100)).toBe(-11);
    expect(taxOf(12_345, 0)).toBe(0);
  });

  it('is exact beyond 2^53 / 10,000', () => {
    // 900,719,925,474,099 × 21 % = 189,151,184,349,560.79 → 189,151,184,349,561
    expect(taxOf(900_719_925_474_099, 2_100)).toBe(189_151_184_349_561);
  });
});

describe('rateOn (effective-dated, inclusive bounds)', () => {
  it('takes the version in force on the tax date', () => {
    expect(rateOn(regime, 'S', '2030-12-31')?.rateBasisPoints).toBe(1_900);
    expect(rateOn(regime, 'S', '2031-01-01')?.rateBasisPoints).toBe(2_100);
    expect(rateOn(regime, 'S', '2019-12-31')).toBeNull();
    expect(rateOn(regime, 'X', '2031-01-01')).toBeNull();
  });

  it('lets the latest effectiveFrom win where versions overlap', () => {
    const overlapping: TaxRegime = {
      ...regime,
      rates: [
        ...regime.rates,
        { taxCode: 'R', rateBasisPoints: 1_200, effectiveFrom: '2031-06-01', effectiveTo: null },
      ],
    };
    expect(rateOn(overlapping, 'R', '2031-05-31')?.rateBasisPoints).toBe(900);
    expect(rateOn(overlapping, 'R', '2031-06-01')?.rateBasisPoints).toBe(1_200);
  });
});

describe('isReverseCharge (cross-border B2B within the EU)', () => {
  it('applies when both are in the EU, in different countries, and the buyer has a VAT id', () => {
    expect(isReverseCharge('NL', germanCompany)).toBe(true);
    expect(isReverseCharge('NL', { country: 'DE', taxId: null })).toBe(false); // a consumer: Dutch VAT
    expect(isReverseCharge('NL', { country: 'DE', taxId: '  ' })).toBe(false);
    expect(isReverseCharge('NL', dutchCustomer)).toBe(false); // domestic
    expect(isReverseCharge('NL', { country: 'US', taxId: '12-3456789' })).toBe(false); // outside the EU
    expect(isReverseCharge('GB', germanCompany)).toBe(false); // seller outside the EU
  });
});

describe('taxInvoice', () => {
  it('rounds once per invoice and rate and splits the tax over the lines by largest remainder', () => {
    const tax = taxInvoice(
      regime,
      dutchCustomer,
      [
        { lineId: 'L1', amountMinor: 12_345, taxCode: null },
        { lineId: 'L2', amountMinor: 6_172, taxCode: null },
        { lineId: 'L3', amountMinor: 10_001, taxCode: 'S' },
      ],
      '2031-03-03',
    );
    // Net 12,345 + 6,172 + 10,001 = 28,518; 28,518 × 21 % = 5,988.78 → 5,989 (half up).
    // (Rounded per line it would be 2,592.45 → 2,592 + 1,296.12 → 1,296 + 2,100.21 → 2,100 = 5,988.)
    // Lines: floors 2,592 + 1,296 + 2,100 = 5,988; the 1 unit left goes to the largest remainder,
    // L1's .45 (L2 .12, L3 .21): 2,593 + 1,296 + 2,100 = 5,989.  Gross 28,518 + 5,989 = 34,507.
    expect(tax).toEqual({
      reverseCharge: false,
      note: null,
      lines: [
        { lineId: 'L1', taxCode: 'S', rateBasisPoints: 2_100, taxMinor: 2_593 },
        { lineId: 'L2', taxCode: 'S', rateBasisPoints: 2_100, taxMinor: 1_296 },
        { lineId: 'L3', taxCode: 'S', rateBasisPoints: 2_100, taxMinor: 2_100 },
      ],
      totals: [{ taxCode: 'S', rateBasisPoints: 2_100, netMinor: 28_518, taxMinor: 5_989 }],
      netMinor: 28_518,
      taxMinor: 5_989,
      grossMinor: 34_507,
    });
  });

  it('gives one total per rate, at the rates in force on the tax date', () => {
    const lines = [
      { lineId: 'L1', amountMinor: 10_000, taxCode: null },
      { lineId: 'L2', amountMinor: 5_005, taxCode: 'R' },
    ];
    // 2031: R 5,005 × 9 % = 450.45 → 450; S 10,000 × 21 % = 2,100.00; tax 2,550; gross 15,005 + 2,550 = 17,555
    const in2031 = taxInvoice(regime, dutchCustomer, lines, '2031-01-01');
    expect(in2031.totals).toEqual([
      { taxCode: 'R', rateBasisPoints: 900, netMinor: 5_005, taxMinor: 450 },
      { taxCode: 'S', rateBasisPoints: 2_100, netMinor: 10_000, taxMinor: 2_100 },
    ]);
    expect([in2031.taxMinor, in2031.grossMinor]).toEqual([2_550, 17_555]);
    // 2030: S 10,000 × 19 % = 1,900; tax 450 + 1,900 = 2,350
    expect(taxInvoice(regime, dutchCustomer, lines, '2030-12-31').taxMinor).toBe(2_350);
  });

  it('bills a German company with a VAT id 0 % with the reverse-charge note', () => {
    const tax = taxInvoice(
      regime,
      germanCompany,
      [{ lineId: 'L1', amountMinor: 28_518, taxCode: null }],
      '2031-03-03',
    );
    // Reverse charge: 28,518 × 0 % = 0; gross = net = 28,518.
    expect(tax).toEqual({
      reverseCharge: true,
      note: REVERSE_CHARGE_NOTE,
      lines: [{ lineId: 'L1', taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, taxMinor: 0 }],
      totals: [{ taxCode: 'REVERSE_CHARGE', rateBasisPoints: 0, netMinor: 28_518, taxMinor: 0 }],
      netMinor: 28_518,
      taxMinor: 0,
      grossMinor: 28_518,
    });
    // The same German buyer without a VAT id pays Dutch VAT: 28,518 × 21 % = 5,988.78 → 5,989.
    const consumer = { ...germanCompany, taxId: null };
    expect(
      taxInvoice(regime, consumer, [{ lineId: 'L1', amountMinor: 28_518, taxCode: null }], '2031-03-03')
        .taxMinor,
    ).toBe(5_989);
  });

  it('mirrors the invoice for a credit (negative net)', () => {
    // −28,518 × 21 % = −5,988.78 → −5,989; lines −2,593, −1,296, −2,100 as on the invoice.
    const tax = taxInvoice(
      regime,
      dutchCustomer,
      [
        { lineId: 'L1', amountMinor: -12_345, taxCode: null },
        { lineId: 'L2', amountMinor: -6_172, taxCode: null },
        { lineId: 'L3', amountMinor: -10_001, taxCode: null },
      ],
      '2031-03-03',
    );
    expect(tax.lines.map((line) => line.taxMinor)).toEqual([-2_593, -1_296, -2_100]);
    expect(tax.taxMinor).toBe(-5_989);
  });

  it('refuses to tax without a regime, a customer profile or a rate for the date', () => {
    expect(() => taxInvoice(null, dutchCustomer, [], '2031-03-03')).toThrow(TaxSetupMissing);
    expect(() =>
      taxInvoice(regime, dutchCustomer, [{ lineId: 'L1', amountMinor: 1, taxCode: null }], '2019-06-30'),
    ).toThrow('Legal entity LE-NL has no rate for tax code S on 2019-06-30');
  });
});

describe('taxSetupGaps (raised at the close, before anyone issues)', () => {
  it('names every gap', () => {
    expect(taxSetupGaps('LE-XX', null, 'C-1', null, [], '2031-03-31')).toEqual([
      { code: 'NO_TAX_REGIME', reason: 'Legal entity LE-XX has no tax regime' },
      { code: 'NO_CUSTOMER_TAX_PROFILE', reason: 'Customer C-1 has no tax profile (country, tax id)' },
    ]);
    expect(taxSetupGaps('LE-NL', regime, 'C-NL', dutchCustomer, ['S', 'Z'], '2031-03-31')).toEqual([
      { code: 'NO_TAX_RATE', reason: 'Legal entity LE-NL has no rate for tax code Z on 2031-03-31' },
    ]);
    expect(taxSetupGaps('LE-NL', regime, 'C-NL', dutchCustomer, [], '2031-03-31')).toEqual([]);
    // Reverse-charged invoices need no rate.
    expect(taxSetupGaps('LE-NL', { ...regime, rates: [] }, 'C-DE', germanCompany, [], '2031-03-31')).toEqual(
      [],
    );
  });
});

describe('taxSetupException', () => {
  it('goes to finance with every gap, one id per draft', () => {
    const gaps = taxSetupGaps('LE-XX', null, 'C-1', null, [], '2031-03-31');
    expect(
      taxSetupException({ invoiceId: 'INV-1', customerId: 'C-1', legalEntityId: 'LE-XX' }, '2031-03', gaps),
    ).toEqual({
      exceptionId: 'EXC-INV-INV-1-TAX_SETUP_MISSING',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Invoice',
      entityId: 'INV-1',
      dealId: null,
      code: 'TAX_SETUP_MISSING',
      message:
        'Draft invoice INV-1 of the close of 2031-03 cannot be taxed: Legal entity LE-XX has no tax regime; Customer C-1 has no tax profile (country, tax id)',
      remediation:
        'Complete the tax master data in the ERP (tax regime and dated rates of legal entity LE-XX, tax profile of customer C-1) so it reaches billing; the draft can be issued once it has',
      details: {
        invoiceId: 'INV-1',
        legalEntityId: 'LE-XX',
        customerId: 'C-1',
        period: '2031-03',
        gaps: 'NO_TAX_REGIME,NO_CUSTOMER_TAX_PROFILE',
      },
    });
  });
});

describe('tax policy', () => {
  it('parses BILLING_TAX', () => {
    // Unset means required: an invoice is never issued untaxed unless someone chose it.
    expect([undefined, '', ' required ', 'REQUIRED'].map(parseTaxPolicy)).toEqual([
      'REQUIRED',
      'REQUIRED',
      'REQUIRED',
      'REQUIRED',
    ]);
    expect(parseTaxPolicy('off')).toBe('OFF');
    expect(parseTaxPolicy(' OFF ')).toBe('OFF');
    expect(() => parseTaxPolicy('yes')).toThrow(
      'BILLING_TAX is invalid: "yes" (expected "required" or "off")',
    );
  });

  it('issues untaxed when off: gross = net', () => {
    // 12,345 + 6,172 = 18,517, no tax.
    expect(
      untaxedInvoice([
        { lineId: 'L1', amountMinor: 12_345, taxCode: null },
        { lineId: 'L2', amountMinor: 6_172, taxCode: null },
      ]),
    ).toMatchObject({ totals: [], netMinor: 18_517, taxMinor: 0, grossMinor: 18_517 });
  });
});
