import { PaymentReceived, ProjectCreated } from '@throughline/contracts';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { TestService } from '@throughline/messaging-nest/testing';

// Reporting's AR ageing is a pure function over the same events; billing must agree with it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { arAgeing } from '../../reporting/src/domain/figures';
import { InvoiceView } from '../src/application/invoicing.service';
import { Receivables, unappliedCashExceptionId } from '../src/domain/cash-application';
import { BillingUnderTest, event, projectCreated } from './fixtures';

jest.setTimeout(90_000);

const LE = 'LE-CASH';

function project(projectId: string, customerId: string): ProjectCreated {
  return projectCreated(projectId, {
    customerId,
    legalEntityId: LE,
    roles: [{ role: 'Consultant', hoursHundredths: 10_000, rateMinor: 10_000, skills: [] }],
    rateCardId: 'RC-CASH',
  });
}

function payment(
  paymentId: string,
  invoiceId: string,
  customerId: string,
  amountMinor: number,
  receivedOn: string,
  currency = 'EUR',
): PaymentReceived {
  return {
    paymentId,
    invoiceId,
    customerId,
    currency,
    amountMinor,
    receivedOn,
    reference: null,
    recordedBy: 'api-key:erp',
  };
}

describe('billing cash application against the real stack', () => {
  let billing: BillingUnderTest;
  let service: TestService;
  let probe: EventProbe;

  beforeAll(async () => {
    // About something else than tax: invoices untaxed (test/tax.spec.ts taxes them).
    billing = await BillingUnderTest.start(
      ['BillingProvisioned', 'ActualChanged', 'BusinessExceptionRaised', 'InvoiceIssued'],
      { BILLING_TAX: 'off' },
    );
    ({ service, probe } = billing);
  });

  afterAll(() => billing.stop());

  const post = (path: string, body: unknown) => billing.post(path, body);
  const get = <T>(path: string) => billing.get<T>(path);
  const invoiceWhen = (invoiceId: string, status: InvoiceView['status']) =>
    eventually(async () => {
      const invoice = await get<InvoiceView>(`/invoices/${invoiceId}`);
      return invoice.status === status && invoice;
    });
  const unappliedRaised = (paymentId: string) =>
    probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.exceptionId === unappliedCashExceptionId(paymentId),
    );

  it('applies partial, full, over-, unknown-invoice and other-currency payments; receivables agree with reporting', async () => {
    // Invoice A: 10 h × 100.00 = 1,000.00; invoice B: 5 h × 100.00 = 500.00.
    await probe.publish(
      event('RateCardUpserted', {
        rateCardId: 'RC-CASH',
        legalEntityId: LE,
        currency: 'EUR',
        effectiveFrom: '2031-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
        upsertedBy: null,
      }),
      event('ProjectCreated', project('PRJ-CASH-A', 'C-CASH-A'), 'project'),
      event('ProjectCreated', project('PRJ-CASH-B', 'C-CASH-B'), 'project'),
      event('ProjectCreated', project('PRJ-CASH-C', 'C-CASH-C'), 'project'),
    );
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-CASH-C');
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-CASH-B');
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-CASH-A');
    const entry = (entryId: string, projectId: string, hoursHundredths: number) =>
      event('TimeEntryApproved', {
        entryId,
        projectId,
        personId: 'P-ADA',
        role: 'Consultant',
        workDate: '2031-01-10',
        hoursHundredths,
        billable: true,
        approvedAt: Date.parse('2031-01-10T18:00:00Z'),
        approvedBy: 'U-APPROVER',
        sourceSystem: 'PSA',
        revision: 1,
        correctionReason: null,
      });
    await probe.publish(
      entry('TE-CASH-A', 'PRJ-CASH-A', 1_000),
      entry('TE-CASH-B', 'PRJ-CASH-B', 500),
      entry('TE-CASH-C', 'PRJ-CASH-C', 100),
    );
    for (const actualId of ['TE-CASH-A', 'TE-CASH-B', 'TE-CASH-C']) {
      await probe.waitFor(
        'ActualChanged',
        (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED',
      );
    }
    expect((await post('/billing-periods/2031-01/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const invoiceA = 'INV-2031-01-C-CASH-A-LE-CASH-EUR';
    const invoiceB = 'INV-2031-01-C-CASH-B-LE-CASH-EUR';
    for (const invoiceId of [invoiceA, invoiceB]) {
      expect((await post(`/invoices/${invoiceId}/issue`, { issuedOn: '2031-02-05' })).status).toBe(200);
    }
    expect(await get<InvoiceView>(`/invoices/${invoiceA}`)).toMatchObject({
      status: 'ISSUED',
      totalMinor: 100_000,
      paidMinor: 0,
      openMinor: 100_000,
    });

    // A: 400.00 of 1,000.00 paid → PARTIALLY_PAID, 1,000.00 − 400.00 = 600.00 open.
    const a1 = event('PaymentReceived', payment('PAY-A1', invoiceA, 'C-CASH-A', 40_000, '2031-02-10'));
    await probe.publish(a1);
    expect(await invoiceWhen(invoiceA, 'PARTIALLY_PAID')).toMatchObject({
      paidMinor: 40_000,
      openMinor: 60_000,
    });

    // PAY-A1 again under another event id, then 600.00: applied once, so 400.00 + 600.00 = 1,000.00
    // → PAID with nothing unapplied (applied twice it would be 800.00, then 200.00 + 400.00 unapplied).
    await probe.publish(
      event('PaymentReceived', a1.data),
      event('PaymentReceived', payment('PAY-A2', invoiceA, 'C-CASH-A', 60_000, '2031-02-20')),
    );
    expect(await invoiceWhen(invoiceA, 'PAID')).toMatchObject({ paidMinor: 100_000, openMinor: 0 });

    // B: 550.00 on 500.00 → PAID; 550.00 − 500.00 = 50.00 unapplied, exception for finance.
    await probe.publish(
      event('PaymentReceived', payment('PAY-B1', invoiceB, 'C-CASH-B', 55_000, '2031-02-12')),
    );
    expect(await invoiceWhen(invoiceB, 'PAID')).toMatchObject({ paidMinor: 50_000, openMinor: 0 });
    expect((await unappliedRaised('PAY-B1')).data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Payment',
      entityId: 'PAY-B1',
      code: 'UNAPPLIED_CASH',
      details: { reason: 'OVERPAYMENT', unappliedMinor: '5000', appliedMinor: '50000' },
    });

    // An invoice billing does not know: 123.00 unapplied whole. 200.00 GBP on EUR invoice B: unapplied whole.
    await probe.publish(
      event('PaymentReceived', payment('PAY-X', 'INV-NOPE', 'C-CASH-A', 12_300, '2031-02-12')),
      event('PaymentReceived', payment('PAY-G', invoiceB, 'C-CASH-B', 20_000, '2031-02-12', 'GBP')),
    );
    expect((await unappliedRaised('PAY-X')).data).toMatchObject({
      code: 'UNAPPLIED_CASH',
      details: { reason: 'UNKNOWN_INVOICE', unappliedMinor: '12300' },
    });
    const gbp = await unappliedRaised('PAY-G');
    expect(gbp.data).toMatchObject({ details: { reason: 'CURRENCY_MISMATCH', unappliedMinor: '20000' } });
    expect(gbp.data.remediation).toContain('pay in EUR');
    expect(await get<InvoiceView>(`/invoices/${invoiceB}`)).toMatchObject({
      status: 'PAID',
      paidMinor: 50_000,
    });
    const paid = await get<InvoiceView[]>('/invoices?status=PAID');
    expect(paid.map((i) => i.invoiceId).sort()).toEqual([invoiceA, invoiceB]);
    // Paid invoices still count as the series' last: C may not be issued before them.
    const early = await post('/invoices/INV-2031-01-C-CASH-C-LE-CASH-EUR/issue', { issuedOn: '2031-02-03' });
    expect(early.status).toBe(422);
    expect(await early.json()).toMatchObject({ code: 'ISSUE_DATE_BEFORE_LAST_INVOICE' });

    // On 02-15 only PAY-A1 of A's payments had been received: 1,000.00 − 400.00 = 600.00 open.
    // B: 0 open, 50.00 unapplied; PAY-X 123.00 unapplied (no legal entity: the invoice is unknown);
    // PAY-G 200.00 GBP unapplied. EUR totals: 600.00 open, 50.00 + 123.00 = 173.00 unapplied.
    const midFebruary = await get<Receivables>('/receivables?asOf=2031-02-15');
    expect(midFebruary.rows).toEqual([
      {
        customerId: 'C-CASH-A',
        legalEntityId: null,
        currency: 'EUR',
        openMinor: 0,
        unappliedMinor: 12_300,
        invoices: [],
      },
      {
        customerId: 'C-CASH-A',
        legalEntityId: LE,
        currency: 'EUR',
        openMinor: 60_000,
        unappliedMinor: 0,
        invoices: [
          {
            invoiceId: invoiceA,
            invoiceNumber: expect.stringMatching(/^LE-CASH-\d{6}$/),
            dueDate: '2031-03-07',
            totalMinor: 100_000,
            paidMinor: 40_000,
            openMinor: 60_000,
          },
        ],
      },
      {
        customerId: 'C-CASH-B',
        legalEntityId: LE,
        currency: 'EUR',
        openMinor: 0,
        unappliedMinor: 5_000,
        invoices: [],
      },
      {
        customerId: 'C-CASH-B',
        legalEntityId: LE,
        currency: 'GBP',
        openMinor: 0,
        unappliedMinor: 20_000,
        invoices: [],
      },
    ]);
    expect(midFebruary.totals).toEqual([
      { currency: 'EUR', openMinor: 60_000, unappliedMinor: 17_300 },
      { currency: 'GBP', openMinor: 0, unappliedMinor: 20_000 },
    ]);
    // On 02-20 PAY-A2 is in: 600.00 − 600.00 = 0 open anywhere.
    const endOfFebruary = await get<Receivables>('/receivables?asOf=2031-02-28');
    expect(endOfFebruary.totals).toEqual([
      { currency: 'EUR', openMinor: 0, unappliedMinor: 17_300 },
      { currency: 'GBP', openMinor: 0, unappliedMinor: 20_000 },
    ]);
    expect((await fetch(`${service.url}/receivables?asOf=2031-02-30`)).status).toBe(400);

    // Reporting's AR ageing from the same events: InvoiceIssued as billing published them and the
    // payments as the ERP sent them (PAY-A1 once: reporting's inbox drops the redelivery too).
    const issued = probe.events('InvoiceIssued', (e) => e.data.legalEntityId === LE).map((e) => e.data);
    const payments = [
      a1.data,
      payment('PAY-A2', invoiceA, 'C-CASH-A', 60_000, '2031-02-20'),
      payment('PAY-B1', invoiceB, 'C-CASH-B', 55_000, '2031-02-12'),
      payment('PAY-X', 'INV-NOPE', 'C-CASH-A', 12_300, '2031-02-12'),
      payment('PAY-G', invoiceB, 'C-CASH-B', 20_000, '2031-02-12', 'GBP'),
    ];
    for (const asOf of ['2031-02-11', '2031-02-15', '2031-02-28']) {
      const reporting = arAgeing(
        issued.map((i) => ({
          ...i,
          lines: [],
          tax: {
            netMinor: i.netMinor ?? i.totalMinor,
            taxMinor: i.taxMinor,
            reverseCharge: i.reverseCharge,
            totals: i.taxes,
          },
        })),
        payments,
        asOf,
      );
      const billing = await get<Receivables>(`/receivables?asOf=${asOf}`);
      const openPerInvoice = (rows: { invoiceId: string; openMinor: number }[]) =>
        Object.fromEntries(rows.map((r) => [r.invoiceId, r.openMinor]));
      expect(openPerInvoice(billing.rows.flatMap((r) => r.invoices))).toEqual(
        openPerInvoice(
          reporting.customers.flatMap((c) =>
            c.invoices.map((i) => ({ invoiceId: i.invoiceId, openMinor: i.outstanding.amountMinor })),
          ),
        ),
      );
      // Reporting keeps unapplied cash per customer and currency; billing also per legal entity.
      const unapplied = new Map<string, number>();
      for (const r of billing.rows) {
        const key = `${r.customerId}/${r.currency}`;
        unapplied.set(key, (unapplied.get(key) ?? 0) + r.unappliedMinor);
      }
      expect(Object.fromEntries([...unapplied].filter(([, minor]) => minor !== 0))).toEqual(
        Object.fromEntries(
          reporting.customers
            .filter((c) => c.unapplied.amountMinor !== 0)
            .map((c) => [`${c.customerId}/${c.currency}`, c.unapplied.amountMinor]),
        ),
      );
    }
  });
});
