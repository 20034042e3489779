import {
  applyPayment,
  IssuedInvoice,
  PayableInvoice,
  Payment,
  receivables,
  unappliedCashException,
} from './cash-application';

const invoice = (overrides: Partial<PayableInvoice> = {}): PayableInvoice => ({
  invoiceId: 'INV-1',
  customerId: 'C-1',
  legalEntityId: 'LE-1',
  currency: 'EUR',
  status: 'ISSUED',
  totalMinor: 100_000,
  paidMinor: 0,
  ...overrides,
});

const payment = (paymentId: string, amountMinor: number, overrides: Partial<Payment> = {}): Payment => ({
  paymentId,
  invoiceId: 'INV-1',
  customerId: 'C-1',
  currency: 'EUR',
  amountMinor,
  receivedOn: '2031-02-10',
  ...overrides,
});

describe('applyPayment', () => {
  it('applies 400.00 then 600.00 to an invoice of 1,000.00: PARTIALLY_PAID, then PAID', () => {
    // 1,000.00 − 400.00 = 600.00 open after the first payment; 600.00 − 600.00 = 0 after the second.
    const first = applyPayment(payment('PAY-1', 40_000), invoice());
    expect(first).toEqual({
      appliedMinor: 40_000,
      unappliedMinor: 0,
      unappliedReason: null,
      invoice: { paidMinor: 40_000, status: 'PARTIALLY_PAID' },
    });
    const second = applyPayment(
      payment('PAY-2', 60_000),
      invoice({ paidMinor: 40_000, status: 'PARTIALLY_PAID' }),
    );
    expect(second).toEqual({
      appliedMinor: 60_000,
      unappliedMinor: 0,
      unappliedReason: null,
      invoice: { paidMinor: 100_000, status: 'PAID' },
    });
  });

  it('applies 500.00 of 550.00 paid on an invoice of 500.00 and leaves 50.00 unapplied', () => {
    // open 500.00; applied min(550.00, 500.00) = 500.00; unapplied 550.00 − 500.00 = 50.00.
    expect(applyPayment(payment('PAY-3', 55_000), invoice({ totalMinor: 50_000 }))).toEqual({
      appliedMinor: 50_000,
      unappliedMinor: 5_000,
      unappliedReason: 'OVERPAYMENT',
      invoice: { paidMinor: 50_000, status: 'PAID' },
    });
  });

  it('leaves a payment on a paid invoice wholly unapplied as an overpayment', () => {
    expect(applyPayment(payment('PAY-4', 100), invoice({ paidMinor: 100_000, status: 'PAID' }))).toEqual({
      appliedMinor: 0,
      unappliedMinor: 100,
      unappliedReason: 'OVERPAYMENT',
      invoice: { paidMinor: 100_000, status: 'PAID' },
    });
  });

  it.each([
    ['an unknown invoice', null, 'UNKNOWN_INVOICE'],
    ['a draft', invoice({ status: 'DRAFT' }), 'INVOICE_NOT_ISSUED'],
    ['an invoice in another currency', invoice({ currency: 'EUR' }), 'CURRENCY_MISMATCH'],
  ] as const)('leaves a payment for %s wholly unapplied', (_, target, reason) => {
    // 250.00 GBP: nothing applied, 250.00 unapplied.
    expect(applyPayment(payment('PAY-5', 25_000, { currency: 'GBP' }), target)).toEqual({
      appliedMinor: 0,
      unappliedMinor: 25_000,
      unappliedReason: reason,
      invoice: null,
    });
  });
});

describe('unappliedCashException', () => {
  it('raises nothing when the whole payment is applied', () => {
    const p = payment('PAY-1', 40_000);
    expect(unappliedCashException(p, applyPayment(p, invoice()), invoice())).toBeNull();
  });

  it('tells finance how much is unapplied, why, and what to do', () => {
    const target = invoice({ totalMinor: 50_000 });
    const p = payment('PAY-3', 55_000);
    expect(unappliedCashException(p, applyPayment(p, target), target)).toEqual({
      exceptionId: 'EXC-PAY-PAY-3-UNAPPLIED_CASH',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Payment',
      entityId: 'PAY-3',
      dealId: null,
      code: 'UNAPPLIED_CASH',
      message:
        'Payment PAY-3 paid EUR 50.00 more than invoice INV-1 was open for (EUR 550.00 received, EUR 500.00 applied)',
      remediation:
        'Refund EUR 50.00 to customer C-1 or agree with them which open invoice it settles; it is reported as unapplied cash until then',
      details: {
        reason: 'OVERPAYMENT',
        paymentId: 'PAY-3',
        invoiceId: 'INV-1',
        customerId: 'C-1',
        currency: 'EUR',
        receivedOn: '2031-02-10',
        amountMinor: '55000',
        appliedMinor: '50000',
        unappliedMinor: '5000',
      },
    });
  });

  it('names the invoice currency when the payment is in another', () => {
    const p = payment('PAY-5', 25_005, { currency: 'GBP' });
    const raised = unappliedCashException(p, applyPayment(p, invoice()), invoice());
    expect(raised?.message).toBe('Payment PAY-5 of GBP 250.05 names invoice INV-1, which is in EUR');
    expect(raised?.details['reason']).toBe('CURRENCY_MISMATCH');
  });
});

describe('receivables', () => {
  const issued = (
    invoiceId: string,
    totalMinor: number,
    overrides: Partial<IssuedInvoice> = {},
  ): IssuedInvoice => ({
    invoiceId,
    invoiceNumber: `LE-1-${invoiceId}`,
    customerId: 'C-1',
    legalEntityId: 'LE-1',
    currency: 'EUR',
    issuedOn: '2031-02-01',
    dueDate: '2031-03-03',
    totalMinor,
    ...overrides,
  });

  it('is invoiced less paid per invoice, with unapplied cash beside it, as of a date', () => {
    const invoices = [issued('INV-A', 100_000), issued('INV-B', 50_000)];
    const payments = [
      { ...payment('PAY-1', 40_000, { invoiceId: 'INV-A', receivedOn: '2031-02-10' }), matched: true },
      { ...payment('PAY-2', 60_000, { invoiceId: 'INV-A', receivedOn: '2031-02-20' }), matched: true },
      { ...payment('PAY-3', 55_000, { invoiceId: 'INV-B', receivedOn: '2031-02-12' }), matched: true },
      {
        ...payment('PAY-4', 12_300, { invoiceId: 'INV-NOPE', receivedOn: '2031-02-11', currency: 'GBP' }),
        matched: false,
      },
    ];
    // On 02-15: INV-A 1,000.00 − 400.00 = 600.00 open; INV-B 500.00 − 550.00 → 0 open, 50.00
    // unapplied; PAY-4 123.00 GBP unapplied, with no legal entity (its invoice is unknown).
    expect(receivables(invoices, payments, '2031-02-15')).toEqual({
      asOf: '2031-02-15',
      rows: [
        {
          customerId: 'C-1',
          legalEntityId: null,
          currency: 'GBP',
          openMinor: 0,
          unappliedMinor: 12_300,
          invoices: [],
        },
        {
          customerId: 'C-1',
          legalEntityId: 'LE-1',
          currency: 'EUR',
          openMinor: 60_000,
          unappliedMinor: 5_000,
          invoices: [
            {
              invoiceId: 'INV-A',
              invoiceNumber: 'LE-1-INV-A',
              dueDate: '2031-03-03',
              totalMinor: 100_000,
              paidMinor: 40_000,
              openMinor: 60_000,
            },
          ],
        },
      ],
      totals: [
        { currency: 'EUR', openMinor: 60_000, unappliedMinor: 5_000 },
        { currency: 'GBP', openMinor: 0, unappliedMinor: 12_300 },
      ],
    });
    // On 02-20 INV-A is paid too: 600.00 − 600.00 = 0; only the unapplied cash is left.
    expect(receivables(invoices, payments, '2031-02-20').totals).toEqual([
      { currency: 'EUR', openMinor: 0, unappliedMinor: 5_000 },
      { currency: 'GBP', openMinor: 0, unappliedMinor: 12_300 },
    ]);
    // On 01-31 nothing was issued or received yet.
    expect(receivables(invoices, payments, '2031-01-31').rows).toEqual([]);
  });

  it('keeps a payment that was not applied when it arrived (its invoice a draft then) unapplied', () => {
    // 100.00 paid on the draft, the invoice issued later: 100.00 open and 100.00 unapplied.
    const invoices = [issued('INV-D', 10_000)];
    const payments = [{ ...payment('PAY-D', 10_000, { invoiceId: 'INV-D' }), matched: false }];
    expect(receivables(invoices, payments, '2031-02-28').totals).toEqual([
      { currency: 'EUR', openMinor: 10_000, unappliedMinor: 10_000 },
    ]);
  });

  it('counts a payment for an invoice issued after the date as unapplied on that date', () => {
    const invoices = [issued('INV-L', 10_000, { issuedOn: '2031-03-01' })];
    const payments = [
      { ...payment('PAY-E', 10_000, { invoiceId: 'INV-L', receivedOn: '2031-02-25' }), matched: true },
    ];
    expect(receivables(invoices, payments, '2031-02-28').totals).toEqual([
      { currency: 'EUR', openMinor: 0, unappliedMinor: 10_000 },
    ]);
    expect(receivables(invoices, payments, '2031-03-01').rows).toEqual([]);
  });
});
