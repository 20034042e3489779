import { epochDay } from '@throughline/calendar';
import { EventType } from '@throughline/contracts';
import { ConsumedEvent } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';

import { ActualView } from '../src/application/actual-events';
import { InvoiceView } from '../src/application/invoicing.service';
import { BillingUnderTest, event, projectCreated, timeEntry } from './fixtures';

jest.setTimeout(90_000);

const LE = 'LE-STATE';
const PROJECT = 'PRJ-STATE';
const CUSTOMER = 'C-STATE';
const INVOICE = `INV-2031-01-${CUSTOMER}-${LE}-EUR`;

/** The last record per message key, as an analyst reads a compacted topic (null: a tombstone). */
function currentState<T extends EventType>(
  events: readonly ConsumedEvent<T>[],
): Map<string, ConsumedEvent<T>> {
  return new Map(events.map((e) => [e.envelope.key, e]));
}

/**
 * Billing's current-state topics against the real stack: every change to an actual, an invoice or a
 * payment publishes its full state, keyed by its id, and the last record per key is what billing holds.
 */
describe('billing current-state topics', () => {
  let billing: BillingUnderTest;
  let probe: EventProbe;

  beforeAll(async () => {
    // Untaxed, so the amounts are the lines' (tax on invoices: tax.spec.ts).
    billing = await BillingUnderTest.start(
      ['BillingProvisioned', 'ActualState', 'InvoiceState', 'PaymentState'],
      { BILLING_TAX: 'off' },
    );
    ({ probe } = billing);
  });

  afterAll(() => billing.stop());

  const stateOf = <T extends 'ActualState' | 'InvoiceState' | 'PaymentState'>(type: T, id: string) =>
    currentState(probe.events(type)).get(id);

  it('follows actuals, an invoice and a payment from pricing to paid, one record per change', async () => {
    await probe.publish(
      event('RateCardUpserted', {
        rateCardId: 'RC-STATE',
        legalEntityId: LE,
        currency: 'EUR',
        effectiveFrom: '2031-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
        upsertedBy: null,
      }),
      event(
        'ProjectCreated',
        projectCreated(PROJECT, { customerId: CUSTOMER, legalEntityId: LE, rateCardId: 'RC-STATE' }),
        'project',
      ),
    );
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === PROJECT);
    // 10 h and 5.5 h at 100.00 (cost 60.00): 1,000.00 + 550.00 = 1,550.00 billed, 600.00 + 330.00 cost.
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-STATE-1', PROJECT, '2031-01-10', 1_000)),
      event('TimeEntryApproved', timeEntry('TE-STATE-2', PROJECT, '2031-01-11', 550)),
    );
    const unbilled = await probe.waitFor(
      'ActualState',
      (e) => e.data.actualId === 'TE-STATE-2' && e.data.status === 'UNBILLED',
    );
    expect(unbilled.envelope.key).toBe('TE-STATE-2');
    expect(unbilled.envelope.source).toBe('billing');
    expect(unbilled.data).toMatchObject({
      projectId: PROJECT,
      customerId: CUSTOMER,
      workDate: epochDay('2031-01-11'),
      hoursHundredths: 550,
      rateMinor: 10_000,
      billAmountMinor: 55_000,
      costAmountMinor: 33_000,
      revision: 1,
      approvedBillable: true,
      invoiceId: null,
    });

    expect((await billing.post('/billing-periods/2031-01/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const draft = await probe.waitFor('InvoiceState', (e) => e.data.invoiceId === INVOICE);
    expect(draft.data).toMatchObject({
      status: 'DRAFT',
      invoiceNumber: null,
      issuedOn: null,
      totalMinor: 155_000,
      netMinor: 155_000,
      paidMinor: 0,
      openMinor: 155_000,
    });
    // The two entries share their price: one summary line, 15.5 h × 100.00.
    expect(draft.data.lines).toEqual([
      expect.objectContaining({
        kind: 'TIME',
        quantityHundredths: 1_550,
        unitPriceMinor: 10_000,
        amountMinor: 155_000,
      }),
    ]);
    expect((await billing.post(`/invoices/${INVOICE}/issue`, { issuedOn: '2031-02-05' })).status).toBe(200);
    await probe.waitFor('InvoiceState', (e) => e.data.invoiceId === INVOICE && e.data.status === 'ISSUED');

    // 400.00 of 1,550.00 paid: PARTIALLY_PAID, 1,150.00 open.
    await probe.publish(
      event('PaymentReceived', {
        paymentId: 'PAY-STATE-1',
        invoiceId: INVOICE,
        customerId: CUSTOMER,
        currency: 'EUR',
        amountMinor: 40_000,
        receivedOn: '2031-02-10',
        reference: 'BANK-1',
        recordedBy: null,
      }),
    );
    const payment = await probe.waitFor('PaymentState', (e) => e.data.paymentId === 'PAY-STATE-1');
    expect(payment.data).toEqual({
      paymentId: 'PAY-STATE-1',
      invoiceId: INVOICE,
      customerId: CUSTOMER,
      legalEntityId: LE,
      currency: 'EUR',
      amountMinor: 40_000,
      appliedMinor: 40_000,
      unappliedMinor: 0,
      unappliedReason: null,
      receivedOn: epochDay('2031-02-10'),
      reference: 'BANK-1',
      recordedAt: expect.any(Number),
    });
    await probe.waitFor(
      'InvoiceState',
      (e) => e.data.invoiceId === INVOICE && e.data.status === 'PARTIALLY_PAID',
    );

    // The last record per key is what billing's API shows.
    const invoice = await billing.get<InvoiceView>(`/invoices/${INVOICE}`);
    expect(stateOf('InvoiceState', INVOICE)?.data).toMatchObject({
      status: invoice.status,
      invoiceNumber: invoice.invoiceNumber,
      issuedOn: epochDay('2031-02-05'),
      dueDate: epochDay(invoice.dueDate as string),
      totalMinor: invoice.totalMinor,
      paidMinor: 40_000,
      openMinor: 115_000,
    });
    const actuals = await billing.get<ActualView[]>(`/actuals?projectId=${PROJECT}`);
    expect(actuals.map((a) => [a.actualId, a.status, a.invoiceId])).toEqual([
      ['TE-STATE-1', 'INVOICED', INVOICE],
      ['TE-STATE-2', 'INVOICED', INVOICE],
    ]);
    await eventually(async () =>
      actuals.every((a) => {
        const state = stateOf('ActualState', a.actualId)?.data;
        return (
          state?.status === a.status && state.invoiceId === a.invoiceId && state.changedAt === a.changedAt
        );
      }),
    );
    // Each actual went UNBILLED → READY_TO_INVOICE → INVOICED: one record per change, none repeated.
    const histories = ['TE-STATE-1', 'TE-STATE-2'].map((id) =>
      probe.events('ActualState', (e) => e.data.actualId === id).map((e) => e.data.status),
    );
    expect(histories).toEqual([
      ['UNBILLED', 'READY_TO_INVOICE', 'INVOICED'],
      ['UNBILLED', 'READY_TO_INVOICE', 'INVOICED'],
    ]);
  });
});
