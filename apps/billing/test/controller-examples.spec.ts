import { BillingType, ProjectCreated, RateCardUpserted } from '@throughline/contracts';
import { createEvent } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { TestService } from '@throughline/messaging-nest/testing';

import { BILLING_DB } from '../src/application/tokens';
import { BillingDb } from '../src/infrastructure/billing-db';
import { BillingUnderTest, event, projectCreated, timeEntry } from './fixtures';

jest.setTimeout(90_000);

/*
 * Worked examples a finance controller checked by hand (issue #12), run through the real service.
 * One service and database for the file: period close is global, so each example uses its own
 * customer and legal entity and the examples close months in increasing order.
 */

function project(
  projectId: string,
  customerId: string,
  legalEntityId: string,
  billingType: BillingType,
  overrides: Partial<ProjectCreated> = {},
): ProjectCreated {
  return projectCreated(projectId, {
    customerId,
    legalEntityId,
    billingType,
    budgetMinor: 100_000,
    ...overrides,
  });
}

function rateCard(
  rateCardId: string,
  legalEntityId: string,
  rateMinor: number,
  overrides: Partial<RateCardUpserted> = {},
): RateCardUpserted {
  return {
    rateCardId,
    legalEntityId,
    currency: 'EUR',
    effectiveFrom: '2031-01-01',
    effectiveTo: null,
    rates: [{ role: 'Consultant', rateMinor, costRateMinor: 8_000 }],
    upsertedBy: null,
    ...overrides,
  };
}

describe('worked billing examples against the real stack', () => {
  let billing: BillingUnderTest;
  let service: TestService;
  let probe: EventProbe;

  beforeAll(async () => {
    billing = await BillingUnderTest.start(
      ['BillingProvisioned', 'ActualChanged', 'BillingPeriodClosed', 'RevenueRecognized', 'InvoiceIssued'],
      {
        // Payment terms per legal entity, read when the module is built: LE-Z pays in 14 days.
        BILLING_PAYMENT_TERMS_DAYS: 'LE-Z=14',
        // About the controller's figures, not tax: invoices untaxed (test/tax.spec.ts taxes them).
        BILLING_TAX: 'off',
      },
    );
    ({ service, probe } = billing);
  });

  afterAll(() => billing.stop());

  const post = (path: string, body: unknown) => billing.post(path, body);
  const get = (path: string) => billing.get(path);

  /** Publishes the rate cards, waits until billing stored them, then the project until provisioned. */
  async function setUp(created: ProjectCreated, ...cards: RateCardUpserted[]) {
    await probe.publish(...cards.map((card) => event('RateCardUpserted', card)));
    const db = service.app.get<BillingDb>(BILLING_DB);
    for (const { rateCardId } of cards) {
      await eventually(() => db.rateCard.findUnique({ where: { rateCardId } }).then((row) => row ?? false));
    }
    await probe.publish(createEvent('ProjectCreated', created, { source: 'project' }));
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === created.projectId);
  }

  const priced = (actualId: string) =>
    probe.waitFor('ActualChanged', (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED');

  it('writes off time without losing the carry: invoiced = recognised to the minor unit (bug 5)', async () => {
    await setUp(project('PRJ-WO', 'C-WO', 'LE-WO', 'TIME_AND_MATERIALS'), rateCard('RC-WO', 'LE-WO', 12_345));
    // 0.50 h × 123.45 = 61.725 = 6172.50 minor units each.
    // TE-WO-1: 6172.50 → billed 6172, carry 0.50. TE-WO-2: 6172.50 + 0.50 = 6173.00 → billed 6173, carry 0.
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-WO-1', 'PRJ-WO', '2031-01-06', 50)));
    expect((await priced('TE-WO-1')).data.billAmountMinor).toBe(6_172);
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-WO-2', 'PRJ-WO', '2031-01-07', 50)));
    expect((await priced('TE-WO-2')).data.billAmountMinor).toBe(6_173);
    // Writing TE-WO-2 off gives back the 0.50 TE-WO-1 carried into it: carry 0.50 again.
    expect((await post('/actuals/TE-WO-2/write-off', { reason: 'duplicate booking' })).status).toBe(200);
    // The written-off actual keeps the 6173 it was billed, as the figure written off.
    expect(await get('/actuals?projectId=PRJ-WO&status=WRITTEN_OFF')).toMatchObject([
      { actualId: 'TE-WO-2', billAmountMinor: 6_173 },
    ]);
    // TE-WO-3: 6172.50 + 0.50 = 6173.00 → billed 6173 (the old write-off left carry 0: 6172).
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-WO-3', 'PRJ-WO', '2031-01-08', 50)));
    expect((await priced('TE-WO-3')).data.billAmountMinor).toBe(6_173);

    expect((await post('/billing-periods/2031-01/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const closed = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2031-01');
    // Invoiced: 6172 + 6173 = 12,345. Recognised: floor(6172.50 + 6172.50) = 12,345.
    expect(closed.data.draftInvoices.filter((d) => d.customerId === 'C-WO').map((d) => d.totalMinor)).toEqual(
      [12_345],
    );
    const revenue = await probe.waitFor('RevenueRecognized', (e) => e.data.projectId === 'PRJ-WO');
    expect(revenue.data).toMatchObject({ amountMinor: 12_345, carriedRemainder: '0/1' });
  });

  it('never issues nor numbers zero lines and zero totals; issue dates run in order outside closed periods; terms per legal entity (bug 6)', async () => {
    const card = rateCard('RC-Z', 'LE-Z', 12_345);
    await setUp(project('PRJ-Z1', 'C-Z1', 'LE-Z', 'TIME_AND_MATERIALS'), card);
    await setUp(project('PRJ-Z2', 'C-Z2', 'LE-Z', 'TIME_AND_MATERIALS'));
    await setUp(project('PRJ-Z3', 'C-Z3', 'LE-Z', 'TIME_AND_MATERIALS'));
    // 0 h bills 0 × 123.45 = 0; 1 h bills 123.45 = 12,345 minor units.
    const entries = [
      timeEntry('TE-Z1-0', 'PRJ-Z1', '2031-02-03', 0),
      timeEntry('TE-Z2-0', 'PRJ-Z2', '2031-02-03', 0),
      timeEntry('TE-Z2-1', 'PRJ-Z2', '2031-02-04', 100),
      timeEntry('TE-Z3-1', 'PRJ-Z3', '2031-02-04', 100),
    ];
    await probe.publish(...entries.map((entry) => event('TimeEntryApproved', entry)));
    for (const { entryId } of entries) await priced(entryId);
    expect((await post('/billing-periods/2031-02/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const closed = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2031-02');
    const totals = closed.data.draftInvoices
      .filter((d) => d.legalEntityId === 'LE-Z')
      .map((d) => [d.invoiceId, d.totalMinor, d.lineCount]);
    // Z1: one line of 0 → total 0. Z2: 0 + 12,345 = 12,345 on two lines. Z3: 12,345.
    expect(totals).toEqual([
      ['INV-2031-02-C-Z1-LE-Z-EUR', 0, 1],
      ['INV-2031-02-C-Z2-LE-Z-EUR', 12_345, 2],
      ['INV-2031-02-C-Z3-LE-Z-EUR', 12_345, 1],
    ]);

    const zero = await post('/invoices/INV-2031-02-C-Z1-LE-Z-EUR/issue', { issuedOn: '2031-03-05' });
    expect(zero.status).toBe(422);
    expect(await zero.json()).toMatchObject({
      code: 'ZERO_TOTAL_INVOICE',
      error:
        'Invoice INV-2031-02-C-Z1-LE-Z-EUR totals 0: a zero-total draft is not issued and takes no invoice number',
    });

    const issued = await post('/invoices/INV-2031-02-C-Z2-LE-Z-EUR/issue', { issuedOn: '2031-03-05' });
    expect(issued.status).toBe(200);
    // The refused zero draft took no number: this is LE-Z's first. Due 2031-03-05 + 14 days = 2031-03-19.
    expect(await issued.json()).toMatchObject({
      invoiceNumber: 'LE-Z-000001',
      dueDate: '2031-03-19',
      totalMinor: 12_345,
    });
    const shown = (await get('/invoices/INV-2031-02-C-Z2-LE-Z-EUR')) as {
      lines: { sourceIds: string[]; amountMinor: number }[];
    };
    // The 0 line is left off; the 0-hour actual it cited is settled by this invoice.
    expect(shown.lines.map((l) => [l.sourceIds, l.amountMinor])).toEqual([[['TE-Z2-1'], 12_345]]);
    await probe.waitFor(
      'ActualChanged',
      (e) =>
        e.data.actualId === 'TE-Z2-0' &&
        e.data.status === 'INVOICED' &&
        e.data.invoiceId === 'INV-2031-02-C-Z2-LE-Z-EUR',
    );

    const early = await post('/invoices/INV-2031-02-C-Z3-LE-Z-EUR/issue', { issuedOn: '2031-03-04' });
    expect(early.status).toBe(422);
    expect(await early.json()).toMatchObject({ code: 'ISSUE_DATE_BEFORE_LAST_INVOICE' });
    expect((await post('/billing-periods/2031-03/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const inClosed = await post('/invoices/INV-2031-02-C-Z3-LE-Z-EUR/issue', { issuedOn: '2031-03-31' });
    expect(inClosed.status).toBe(422);
    expect(await inClosed.json()).toMatchObject({
      code: 'ISSUE_DATE_IN_CLOSED_PERIOD',
      error:
        'Invoice INV-2031-02-C-Z3-LE-Z-EUR cannot be issued on 2031-03-31: billing period 2031-03 is closed',
    });
    const next = await post('/invoices/INV-2031-02-C-Z3-LE-Z-EUR/issue', { issuedOn: '2031-04-01' });
    expect(next.status).toBe(200);
    // Two refusals used no number: the series goes on at 2. Due 2031-04-01 + 14 = 2031-04-15.
    expect(await next.json()).toMatchObject({ invoiceNumber: 'LE-Z-000002', dueDate: '2031-04-15' });
  });

  it("prices a project's time from its contract's rate card, not the entity's latest card (bug 2)", async () => {
    // Two customers of LE-RC with their own cards: A's from January at 100.00/h, B's from March at
    // 150.00/h. The old rule priced every LE-RC project from the card that took effect last: B's.
    const cardA = rateCard('RC-A', 'LE-RC', 10_000);
    const cardB = rateCard('RC-B', 'LE-RC', 15_000, { effectiveFrom: '2031-03-01' });
    await setUp(project('PRJ-A', 'C-A', 'LE-RC', 'TIME_AND_MATERIALS', { rateCardId: 'RC-A' }), cardA, cardB);
    await setUp(project('PRJ-B', 'C-B', 'LE-RC', 'TIME_AND_MATERIALS', { rateCardId: 'RC-B' }));
    // A project created before ProjectCreated v2 (no card) keeps the old rule.
    await setUp(project('PRJ-L', 'C-L', 'LE-RC', 'TIME_AND_MATERIALS'));
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-A-1', 'PRJ-A', '2031-04-07', 200)),
      event('TimeEntryApproved', timeEntry('TE-B-1', 'PRJ-B', '2031-04-07', 200)),
      event('TimeEntryApproved', timeEntry('TE-L-1', 'PRJ-L', '2031-04-07', 200)),
    );
    // A: 2 h × 100.00 = 200.00 (the old rule: 2 h × 150.00 = 300.00 from B's card).
    expect((await priced('TE-A-1')).data).toMatchObject({
      rateCardId: 'RC-A',
      rateMinor: 10_000,
      billAmountMinor: 20_000,
    });
    // B: 2 h × 150.00 = 300.00. L: the entity's latest card, B's: 300.00.
    expect((await priced('TE-B-1')).data).toMatchObject({ rateCardId: 'RC-B', billAmountMinor: 30_000 });
    expect((await priced('TE-L-1')).data).toMatchObject({ rateCardId: 'RC-B', billAmountMinor: 30_000 });

    // A's card rises to 110.00: A's unbilled time is re-priced, 2 h × 110.00 = 220.00; B's and L's
    // time is not on RC-A (L still finds RC-B, which took effect later).
    await probe.publish(event('RateCardUpserted', rateCard('RC-A', 'LE-RC', 11_000)));
    await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-A-1' && e.data.rateMinor === 11_000 && e.data.billAmountMinor === 22_000,
    );
    // Time of a role A's card has no rate for waits for finance; B's card is not borrowed.
    await probe.publish(
      event('TimeEntryApproved', { ...timeEntry('TE-A-2', 'PRJ-A', '2031-04-08', 100), role: 'Architect' }),
    );
    const unpriced = await probe.waitFor('ActualChanged', (e) => e.data.actualId === 'TE-A-2');
    expect(unpriced.data).toMatchObject({ status: 'UNPRICED', billAmountMinor: 0, rateCardId: null });

    // The ERP ends A's card on the 15th and publishes its successor from the 16th at 120.00 under a
    // new id no contract names: A's time on the 20th takes it, 2 h × 120.00 = 240.00, not B's 150.00.
    await probe.publish(
      event('RateCardUpserted', rateCard('RC-A', 'LE-RC', 11_000, { effectiveTo: '2031-04-15' })),
      event('RateCardUpserted', rateCard('RC-A2', 'LE-RC', 12_000, { effectiveFrom: '2031-04-16' })),
    );
    const db = service.app.get<BillingDb>(BILLING_DB);
    await eventually(() =>
      db.rateCard.findUnique({ where: { rateCardId: 'RC-A2' } }).then((row) => row ?? false),
    );
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-A-3', 'PRJ-A', '2031-04-20', 200)));
    expect((await priced('TE-A-3')).data).toMatchObject({ rateCardId: 'RC-A2', billAmountMinor: 24_000 });

    expect((await post('/billing-periods/2031-04/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const closed = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2031-04');
    expect(
      closed.data.draftInvoices
        .filter((d) => d.legalEntityId === 'LE-RC')
        .map((d) => [d.customerId, d.totalMinor]),
    ).toEqual([
      // 220.00 + 240.00 = 460.00 (the Architect hour waits UNPRICED).
      ['C-A', 46_000],
      ['C-B', 30_000],
      ['C-L', 30_000],
    ]);
  });
});
