import { BillingType, ProjectCreated, RateCardUpserted } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { TestService } from '@throughline/messaging-nest/testing';

import {
  rateChangedAfterInvoicingExceptionId,
  timeCorrectedAfterInvoicingExceptionId,
} from '../src/application/actuals.service';
import { BillingUnderTest, event, projectCreated, timeEntry } from './fixtures';

jest.setTimeout(90_000);

/*
 * One service and database for the whole file: period close is global, so each scenario uses its
 * own customer (invoices are per customer) and the scenarios close months in increasing order.
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
    startDate: '2030-01-01',
    endDate: '2030-06-30',
    budgetMinor: 10_001,
    phases: [
      {
        phaseId: `${projectId}-PH1`,
        name: 'Delivery',
        startDate: '2030-01-01',
        endDate: '2030-06-30',
        milestones: [
          {
            milestoneId: 'M1',
            name: 'Blueprint',
            dueDate: '2030-04-15',
            amountMinor: 3_333,
            percentOfFee: null,
          },
          {
            milestoneId: 'M2',
            name: 'Go-live',
            dueDate: '2030-06-30',
            amountMinor: 6_668,
            percentOfFee: null,
          },
        ],
      },
    ],
    ...overrides,
  });
}

function rateCard(rateCardId: string, legalEntityId: string, overrides: Partial<RateCardUpserted> = {}) {
  return {
    rateCardId,
    legalEntityId,
    currency: 'EUR',
    effectiveFrom: '2030-01-01',
    effectiveTo: null,
    rates: [{ role: 'Consultant', rateMinor: 12_345, costRateMinor: 8_000 }],
    upsertedBy: null,
    ...overrides,
  };
}

describe('billing time to cash against the real stack', () => {
  let billing: BillingUnderTest;
  let service: TestService;
  let probe: EventProbe;

  beforeAll(async () => {
    // Pricing, close and issue without tax: invoices untaxed (test/tax.spec.ts taxes them).
    billing = await BillingUnderTest.start(
      [
        'BillingProvisioned',
        'ActualChanged',
        'BusinessExceptionRaised',
        'BusinessExceptionResolved',
        'BillingPeriodClosed',
        'InvoiceIssued',
        'RevenueRecognized',
      ],
      { BILLING_TAX: 'off' },
    );
    ({ service, probe } = billing);
  });

  afterAll(() => billing.stop());

  const settle = (ms = 1_500) => new Promise((resolve) => setTimeout(resolve, ms));
  const post = (path: string, body: unknown) => billing.post(path, body);
  const get = (path: string) => billing.get(path);

  /** Publishes the project (and rate cards) and waits until billing knows the project. */
  async function setUp(created: ProjectCreated, ...cards: RateCardUpserted[]) {
    await probe.publish(...cards.map((card) => event('RateCardUpserted', card)));
    await probe.publish(createEvent('ProjectCreated', created, { source: 'project' }));
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === created.projectId);
    await settle(1_000);
  }

  const priced = (actualId: string) =>
    probe.waitFor('ActualChanged', (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED');

  it('records an approved time entry once, however often and under whatever event id it arrives', async () => {
    await setUp(project('PRJ-DUP', 'C-DUP', 'LE-DUP', 'TIME_AND_MATERIALS'), rateCard('RC-DUP', 'LE-DUP'));
    const first = event('TimeEntryApproved', timeEntry('TE-DUP-1', 'PRJ-DUP', '2030-01-07', 800));
    const sameEntryNewEventId = event(
      'TimeEntryApproved',
      timeEntry('TE-DUP-1', 'PRJ-DUP', '2030-01-07', 800),
    );
    await probe.publish(first, first, sameEntryNewEventId);
    const recorded = await priced('TE-DUP-1');
    await settle();
    expect(probe.events('ActualChanged', (e) => e.data.actualId === 'TE-DUP-1')).toHaveLength(1);
    // 8 h × 123.45 = 987.60 EUR.
    expect(recorded.data).toMatchObject({
      projectId: 'PRJ-DUP',
      dealId: 'D-PRJ-DUP',
      customerId: 'C-DUP',
      legalEntityId: 'LE-DUP',
      kind: 'TIME',
      currency: 'EUR',
      rateMinor: 12_345,
      rateCardId: 'RC-DUP',
      billAmountMinor: 98_760,
      costRateMinor: 8_000,
      costAmountMinor: 64_000,
      billingPeriod: '2030-01',
      status: 'UNBILLED',
      invoiceId: null,
    });
    expect(recorded.envelope.causationId).toBe(first.envelope.eventId);
    const actuals = (await get('/actuals?projectId=PRJ-DUP')) as unknown[];
    expect(actuals).toHaveLength(1);
  });

  it('prices time, closes the period into a draft and issues it: lines cite the actuals', async () => {
    await setUp(project('PRJ-TTC', 'C-TTC', 'LE-TTC', 'TIME_AND_MATERIALS'), rateCard('RC-TTC', 'LE-TTC'));
    // 1.5 h × 123.45 = 185.175 → 18517 + 0.5 carried; 2 h × 123.45 = 246.90 + 0.005 → 24690 + 0.5 carried.
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-TTC-1', 'PRJ-TTC', '2030-01-10', 150)),
      event('TimeEntryApproved', timeEntry('TE-TTC-2', 'PRJ-TTC', '2030-01-11', 200)),
      event('ExpenseApproved', {
        ...sampleEventRecord('ExpenseApproved').data,
        expenseId: 'EX-TTC-1',
        projectId: 'PRJ-TTC',
        incurredOn: '2030-01-12',
        amountMinor: 4_250,
        currency: 'GBP',
        category: 'TRAVEL',
        receiptReference: 'R-1',
        billable: true,
      }),
    );
    expect((await priced('TE-TTC-1')).data.billAmountMinor).toBe(18_517);
    expect((await priced('TE-TTC-2')).data.billAmountMinor).toBe(24_690);
    expect((await priced('EX-TTC-1')).data).toMatchObject({ billAmountMinor: 4_250, currency: 'GBP' });

    const close = await post('/billing-periods/2030-01/close', { closedBy: 'U-FIN' });
    expect(close.status).toBe(200);
    const closed = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-01');
    const eurInvoice = 'INV-2030-01-C-TTC-LE-TTC-EUR';
    const gbpInvoice = 'INV-2030-01-C-TTC-LE-TTC-GBP';
    expect(closed.data.draftInvoices.filter((d) => d.customerId === 'C-TTC')).toEqual([
      {
        invoiceId: eurInvoice,
        customerId: 'C-TTC',
        legalEntityId: 'LE-TTC',
        currency: 'EUR',
        totalMinor: 43_207,
        lineCount: 2,
      },
      {
        invoiceId: gbpInvoice,
        customerId: 'C-TTC',
        legalEntityId: 'LE-TTC',
        currency: 'GBP',
        totalMinor: 4_250,
        lineCount: 1,
      },
    ]);
    const ready = await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-TTC-1' && e.data.status === 'READY_TO_INVOICE',
    );
    expect(ready.data.invoiceId).toBe(eurInvoice);

    const revenue = await probe.waitFor(
      'RevenueRecognized',
      (e) => e.data.projectId === 'PRJ-TTC' && e.data.currency === 'EUR',
    );
    expect(revenue.data).toEqual({
      recognitionId: 'REV-PRJ-TTC-2030-01-EUR',
      projectId: 'PRJ-TTC',
      dealId: 'D-PRJ-TTC',
      period: '2030-01',
      revenueRule: 'AS_DELIVERED',
      currency: 'EUR',
      amountMinor: 43_207,
      cumulativeMinor: 43_207,
      percentCompleteBasisPoints: null,
      carriedRemainder: '1/2',
    });

    const again = await post('/billing-periods/2030-01/close', { closedBy: 'U-FIN' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toMatch(/2030-01 was already closed by U-FIN/);

    const draft = (await get(`/invoices/${eurInvoice}`)) as {
      status: string;
      lines: { sourceIds: string[] }[];
    };
    expect(draft.status).toBe('DRAFT');
    expect(draft.lines.map((l) => l.sourceIds)).toEqual([['TE-TTC-1'], ['TE-TTC-2']]);
    const drafts = (await get('/invoices?status=DRAFT&customerId=C-TTC')) as { invoiceId: string }[];
    expect(drafts.map((d) => d.invoiceId)).toEqual([eurInvoice, gbpInvoice]);

    const issue = await post(`/invoices/${eurInvoice}/issue`, { issuedOn: '2030-02-03' });
    expect(issue.status).toBe(200);
    const issued = await probe.waitFor('InvoiceIssued', (e) => e.data.invoiceId === eurInvoice);
    expect(issued.data).toMatchObject({
      invoiceNumber: 'LE-TTC-000001',
      customerId: 'C-TTC',
      legalEntityId: 'LE-TTC',
      currency: 'EUR',
      billingPeriod: '2030-01',
      issuedOn: '2030-02-03',
      dueDate: '2030-03-05',
      totalMinor: 43_207,
    });
    // InvoiceIssued carries summary lines: both entries are PRJ-TTC time at 123.45 an hour, so one
    // line of 1.50 h + 2.00 h = 3.50 h and 185.17 + 246.90 = 432.07.
    expect(issued.data.lines).toEqual([
      {
        lineId: `${eurInvoice}-S001`,
        projectId: 'PRJ-TTC',
        dealId: 'D-PRJ-TTC',
        kind: 'TIME',
        description: 'Time (2 entries)',
        quantityHundredths: 350,
        unitPriceMinor: 12_345,
        amountMinor: 43_207,
        sourceCount: 2,
        // Untaxed: this service runs with BILLING_TAX off (test/tax.spec.ts taxes invoices).
        taxCode: null,
        taxRateBasisPoints: null,
        taxMinor: 0,
      },
    ]);
    for (const actualId of ['TE-TTC-1', 'TE-TTC-2']) {
      await probe.waitFor(
        'ActualChanged',
        (e) =>
          e.data.actualId === actualId && e.data.status === 'INVOICED' && e.data.invoiceId === eurInvoice,
      );
    }
    expect((await post(`/invoices/${eurInvoice}/issue`, {})).status).toBe(409);
    expect((await post(`/actuals/TE-TTC-1/write-off`, { reason: 'goodwill' })).status).toBe(409);
    expect((await post('/invoices/INV-NOPE/issue', {})).status).toBe(404);
    expect((await post('/billing-periods/2030-13/close', { closedBy: 'U-FIN' })).status).toBe(400);
    expect((await post('/billing-periods/2030-02/close', {})).status).toBe(400);
    // Found by the fuzz suite (tools/fuzz): each of these closed a period.
    expect((await post('/billing-periods/9999-12/close', { closedBy: 'U-FIN' })).status).toBe(400);
    expect((await post('/billing-periods/2030-02/close', { closedBy: 'U-FIN;rm -rf /' })).status).toBe(400);
    expect((await post('/billing-periods/2030-02/close', { closedBy: 'U-FIN', note: 'x' })).status).toBe(400);
  });

  it('keeps time without a rate UNPRICED with an exception for finance, and prices it when a rate card covers it', async () => {
    await setUp(project('PRJ-UNP', 'C-UNP', 'LE-UNP', 'TIME_AND_MATERIALS'));
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-UNP-1', 'PRJ-UNP', '2030-02-04', 100)));
    const unpriced = await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-UNP-1' && e.data.status === 'UNPRICED',
    );
    expect(unpriced.data).toMatchObject({ billAmountMinor: 0, rateMinor: null, billingPeriod: '2030-02' });
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'TE-UNP-1');
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-ACT-TE-UNP-1-MISSING_RATE',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      code: 'MISSING_RATE',
      dealId: 'D-PRJ-UNP',
    });
    expect(raised.data.remediation).toMatch(/rate card for legal entity LE-UNP in EUR covering 2030-02-04/);

    await probe.publish(
      event(
        'RateCardUpserted',
        rateCard('RC-UNP', 'LE-UNP', {
          effectiveFrom: '2030-02-01',
          rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: null }],
        }),
      ),
    );
    const nowPriced = await priced('TE-UNP-1');
    expect(nowPriced.data).toMatchObject({
      rateMinor: 10_000,
      rateCardId: 'RC-UNP',
      billAmountMinor: 10_000,
      costAmountMinor: 0,
    });
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'TE-UNP-1');
    expect(resolved.data.exceptionId).toBe('EXC-ACT-TE-UNP-1-MISSING_RATE');
  });

  it('lands time approved after its period closed on the next open period', async () => {
    await setUp(
      project('PRJ-LATE', 'C-LATE', 'LE-LATE', 'TIME_AND_MATERIALS'),
      rateCard('RC-LATE', 'LE-LATE'),
    );
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-LATE-1', 'PRJ-LATE', '2030-02-05', 100)));
    await priced('TE-LATE-1');
    expect((await post('/billing-periods/2030-02/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const feb = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-02');
    expect(feb.data.draftInvoices.find((d) => d.customerId === 'C-LATE')).toMatchObject({
      invoiceId: 'INV-2030-02-C-LATE-LE-LATE-EUR',
      totalMinor: 12_345,
    });

    await probe.publish(event('TimeEntryApproved', timeEntry('TE-LATE-2', 'PRJ-LATE', '2030-02-20', 200)));
    const late = await priced('TE-LATE-2');
    expect(late.data.billingPeriod).toBe('2030-03');
    expect((await post('/billing-periods/2030-03/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const mar = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-03');
    expect(mar.data.draftInvoices.find((d) => d.customerId === 'C-LATE')).toMatchObject({
      invoiceId: 'INV-2030-03-C-LATE-LE-LATE-EUR',
      totalMinor: 24_690,
      lineCount: 1,
    });
    const periods = (await get('/billing-periods')) as { period: string; status: string }[];
    expect(periods.filter((p) => ['2030-02', '2030-03'].includes(p.period)).map((p) => p.status)).toEqual([
      'CLOSED',
      'CLOSED',
    ]);
  });

  it('applies a change order mid-project to a milestone schedule; a billed milestone stays as billed', async () => {
    await setUp(project('PRJ-CO', 'C-CO', 'LE-CO', 'FIXED_FEE_MILESTONE'));
    await probe.publish(
      createEvent(
        'MilestoneCompleted',
        {
          projectId: 'PRJ-CO',
          dealId: 'D-PRJ-CO',
          milestoneId: 'M1',
          completedOn: '2030-04-10',
          completedBy: 'U-PM',
        },
        { source: 'project' },
      ),
    );
    await settle();
    expect((await post('/billing-periods/2030-04/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const apr = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-04');
    expect(apr.data.draftInvoices.find((d) => d.customerId === 'C-CO')).toMatchObject({
      totalMinor: 3_333,
      lineCount: 1,
    });
    const aprRevenue = await probe.waitFor('RevenueRecognized', (e) => e.data.projectId === 'PRJ-CO');
    expect(aprRevenue.data).toMatchObject({
      period: '2030-04',
      revenueRule: 'ON_MILESTONE',
      amountMinor: 3_333,
    });

    await probe.publish(
      createEvent(
        'ProjectPlanChanged',
        {
          ...sampleEventRecord('ProjectPlanChanged').data,
          projectId: 'PRJ-CO',
          dealId: 'D-PRJ-CO',
          planVersion: 2,
          changeOrderId: 'CO-1',
          effectiveDate: '2030-04-20',
          currency: 'EUR',
          billingType: 'FIXED_FEE_MILESTONE',
          budgetMinor: 14_000,
          baselineBudgetMinor: 10_001,
          milestones: [
            { milestoneId: 'M1', name: 'Blueprint', dueDate: '2030-04-15', amountMinor: 4_000 },
            { milestoneId: 'M2', name: 'Go-live', dueDate: '2030-06-30', amountMinor: 8_000 },
            { milestoneId: 'M3', name: 'Hypercare', dueDate: '2030-07-31', amountMinor: 2_000 },
          ],
        },
        { source: 'project' },
      ),
    );
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'PRJ-CO' && e.data.code === 'BILLED_MILESTONE_CHANGED',
    );
    expect(raised.data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      details: { milestoneId: 'M1', changeOrderId: 'CO-1' },
    });
    const schedule = (await get('/billing-schedules/PRJ-CO')) as {
      budgetMinor: number;
      scheduleItems: { milestoneId: string; amountMinor: number }[];
    };
    expect(schedule.budgetMinor).toBe(14_000);
    expect(schedule.scheduleItems.map((i) => [i.milestoneId, i.amountMinor])).toEqual([
      ['M1', 3_333],
      ['M2', 8_000],
      ['M3', 2_000],
    ]);

    await probe.publish(
      createEvent(
        'MilestoneCompleted',
        {
          projectId: 'PRJ-CO',
          dealId: 'D-PRJ-CO',
          milestoneId: 'M2',
          completedOn: '2030-05-03',
          completedBy: 'U-PM',
        },
        { source: 'project' },
      ),
    );
    await settle();
    expect((await post('/billing-periods/2030-05/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const may = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-05');
    expect(may.data.draftInvoices.find((d) => d.customerId === 'C-CO')).toMatchObject({
      totalMinor: 8_000,
      lineCount: 1,
    });
    const mayRevenue = await probe.waitFor(
      'RevenueRecognized',
      (e) => e.data.projectId === 'PRJ-CO' && e.data.period === '2030-05',
    );
    expect(mayRevenue.data).toMatchObject({
      amountMinor: 8_000,
      cumulativeMinor: 11_333,
      carriedRemainder: '0/1',
    });
  });
  it('keeps time that arrives before its project and prices it once the project does', async () => {
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-EARLY-1', 'PRJ-EARLY', '2030-06-03', 100)));
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'TE-EARLY-1');
    expect(raised.data).toMatchObject({
      code: 'UNKNOWN_PROJECT',
      exceptionId: 'EXC-ACT-TE-EARLY-1-UNKNOWN_PROJECT',
    });
    expect((await get('/actuals?projectId=PRJ-EARLY')) as unknown[]).toMatchObject([
      { status: 'UNPRICED', dealId: null },
    ]);

    await setUp(
      project('PRJ-EARLY', 'C-EARLY', 'LE-EARLY', 'TIME_AND_MATERIALS'),
      rateCard('RC-EARLY', 'LE-EARLY'),
    );
    expect((await priced('TE-EARLY-1')).data).toMatchObject({
      billAmountMinor: 12_345,
      customerId: 'C-EARLY',
    });
    const resolved = await probe.waitFor(
      'BusinessExceptionResolved',
      (e) => e.data.exceptionId === 'EXC-ACT-TE-EARLY-1-UNKNOWN_PROJECT',
    );
    expect(resolved.data.entityId).toBe('TE-EARLY-1');
  });

  it('bills and recognizes a percent-complete project by cost to cost, costed at the assignment rate', async () => {
    await setUp(
      project('PRJ-PC', 'C-PC', 'LE-PC', 'FIXED_FEE_PERCENT_COMPLETE', {
        startDate: '2030-06-01',
        endDate: '2030-08-31',
      }),
      rateCard('RC-PC', 'LE-PC'),
    );
    await probe.publish(
      createEvent(
        'AssignmentChanged',
        {
          ...sampleEventRecord('AssignmentChanged').data,
          assignmentId: 'AS-PC-1',
          projectId: 'PRJ-PC',
          personId: 'P-ADA',
          role: 'Consultant',
          costRateMinor: 6_000,
          currency: 'EUR',
          status: 'CONFIRMED',
        },
        { source: 'staffing' },
      ),
      createEvent(
        'ProjectForecastUpdated',
        {
          ...sampleEventRecord('ProjectForecastUpdated').data,
          projectId: 'PRJ-PC',
          dealId: 'D-PRJ-PC',
          currency: 'EUR',
          forecastRevenueMinor: 10_001,
          forecastCostMinor: 18_000,
          forecastMarginMinor: -7_999,
        },
        { source: 'project' },
      ),
    );
    await settle();
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-PC-1', 'PRJ-PC', '2030-06-10', 100)));
    // Time on a fixed-fee project is cost only: 1 h × 60.00 at the person's assignment cost rate.
    expect((await priced('TE-PC-1')).data).toMatchObject({
      billable: false,
      billAmountMinor: 0,
      costRateMinor: 6_000,
      costAmountMinor: 6_000,
    });

    expect((await post('/billing-periods/2030-06/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const jun = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-06');
    // 10001 × 6000 / 18000 = 3333 2/3 → 3333 billed and recognized, 2/3 carried.
    expect(jun.data.draftInvoices.find((d) => d.customerId === 'C-PC')).toMatchObject({
      totalMinor: 3_333,
      lineCount: 1,
    });
    const invoice = (await get('/invoices/INV-2030-06-C-PC-LE-PC-EUR')) as {
      lines: { kind: string; sourceIds: string[] }[];
    };
    expect(invoice.lines).toMatchObject([{ kind: 'PROGRESS', sourceIds: ['BS-PRJ-PC-01'] }]);
    const revenue = await probe.waitFor('RevenueRecognized', (e) => e.data.projectId === 'PRJ-PC');
    expect(revenue.data).toMatchObject({
      period: '2030-06',
      revenueRule: 'PERCENT_COMPLETE_COST_TO_COST',
      amountMinor: 3_333,
      cumulativeMinor: 3_333,
      percentCompleteBasisPoints: 3_333,
      carriedRemainder: '2/3',
    });
  });

  it('writes off an unbilled actual, only once and only before it is on a draft', async () => {
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-WO-1', 'PRJ-LATE', '2030-07-02', 100)));
    await priced('TE-WO-1');
    expect((await post('/actuals/TE-WO-1/write-off', {})).status).toBe(400);
    const written = await post('/actuals/TE-WO-1/write-off', { reason: 'duplicate booking' });
    expect(written.status).toBe(200);
    expect(await written.json()).toMatchObject({
      status: 'WRITTEN_OFF',
      note: 'written off: duplicate booking',
    });
    await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-WO-1' && e.data.status === 'WRITTEN_OFF',
    );
    expect((await post('/actuals/TE-WO-1/write-off', { reason: 'again' })).status).toBe(409);
    expect((await post('/actuals/TE-NOPE/write-off', { reason: 'x' })).status).toBe(404);
    expect((await fetch(`${service.url}/actuals?status=LOST`)).status).toBe(400);
  });

  it('bills a retainer with the time beyond it as overage and recognizes usage', async () => {
    await setUp(
      project('PRJ-RT', 'C-RT', 'LE-RT', 'RETAINER', {
        startDate: '2030-07-01',
        endDate: '2030-08-31',
        budgetMinor: 20_000,
      }),
      rateCard('RC-RT', 'LE-RT', { rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: null }] }),
    );
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-RT-1', 'PRJ-RT', '2030-07-08', 150)));
    expect((await priced('TE-RT-1')).data.billAmountMinor).toBe(15_000);
    expect((await post('/billing-periods/2030-07/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const jul = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-07');
    expect(jul.data.draftInvoices.find((d) => d.customerId === 'C-LATE')).toBeUndefined();
    expect(jul.data.draftInvoices.find((d) => d.customerId === 'C-RT')).toMatchObject({
      totalMinor: 15_000,
      lineCount: 2,
    });
    const invoice = (await get('/invoices/INV-2030-07-C-RT-LE-RT-EUR')) as {
      lines: { kind: string; amountMinor: number; sourceIds: string[] }[];
    };
    expect(invoice.lines.map((l) => [l.kind, l.amountMinor, l.sourceIds])).toEqual([
      ['RETAINER', 10_000, ['BS-PRJ-RT-01']],
      ['TIME', 5_000, ['TE-RT-1']],
    ]);
    const revenue = await probe.waitFor('RevenueRecognized', (e) => e.data.projectId === 'PRJ-RT');
    expect(revenue.data).toMatchObject({
      revenueRule: 'RETAINER_USAGE',
      amountMinor: 15_000,
      carriedRemainder: '0/1',
    });

    // Change order: budget 20000 → 25000 and one more month; July is billed, the rest is split.
    await probe.publish(
      createEvent(
        'ProjectPlanChanged',
        {
          ...sampleEventRecord('ProjectPlanChanged').data,
          projectId: 'PRJ-RT',
          dealId: 'D-PRJ-RT',
          planVersion: 2,
          changeOrderId: 'CO-RT-1',
          currency: 'EUR',
          billingType: 'RETAINER',
          startDate: '2030-07-01',
          endDate: '2030-09-30',
          budgetMinor: 25_000,
          baselineBudgetMinor: 20_000,
          milestones: [],
        },
        { source: 'project' },
      ),
    );
    const reshaped = await eventually(async () => {
      const schedule = (await get('/billing-schedules/PRJ-RT')) as {
        budgetMinor: number;
        scheduleItems: { itemId: string; dueDate: string; amountMinor: number }[];
      };
      return schedule.budgetMinor === 25_000 ? schedule : undefined;
    });
    expect(reshaped.scheduleItems.map((i) => [i.itemId, i.dueDate, i.amountMinor])).toEqual([
      ['BS-PRJ-RT-01', '2030-07-31', 10_000],
      ['BS-PRJ-RT-02', '2030-08-31', 7_500],
      ['BS-PRJ-RT-2030-09', '2030-09-30', 7_500],
    ]);
  });

  it('keeps a malformed approved entry, routes it to finance and lets finance write it off', async () => {
    await probe.publish(event('TimeEntryApproved', timeEntry('TE-BAD-1', 'PRJ-LATE', '2030-07-03', -150)));
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'TE-BAD-1');
    expect(raised.data).toMatchObject({
      code: 'INVALID_ENTRY',
      ownerRole: 'FINANCE_OPERATIONS',
      message:
        'Approved time entry TE-BAD-1 of project PRJ-LATE cannot be priced: hours -1.5 are negative or not a whole number of hundredths',
    });
    const kept = (await get('/actuals?projectId=PRJ-LATE&status=UNPRICED')) as { actualId: string }[];
    expect(kept.map((a) => a.actualId)).toEqual(['TE-BAD-1']);
    expect((await post('/actuals/TE-BAD-1/write-off', { reason: 'negative hours' })).status).toBe(200);
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'TE-BAD-1');
    expect(resolved.data.exceptionId).toBe('EXC-ACT-TE-BAD-1-INVALID_ENTRY');
  });

  it('re-prices unbilled time when a rate rise is published later; time on a draft stays and finance is told', async () => {
    await setUp(
      project('PRJ-RP', 'C-RP', 'LE-RP', 'TIME_AND_MATERIALS', {
        startDate: '2030-08-01',
        endDate: '2030-09-30',
      }),
      rateCard('RC-RP', 'LE-RP'),
    );
    // At 123.45 through the project's carry: 18517 (0.50 carried), 24690 (0.50).
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-RP-1', 'PRJ-RP', '2030-08-05', 150)),
      event('TimeEntryApproved', timeEntry('TE-RP-2', 'PRJ-RP', '2030-08-20', 200)),
    );
    expect((await priced('TE-RP-1')).data.billAmountMinor).toBe(18_517);
    expect((await priced('TE-RP-2')).data.billAmountMinor).toBe(24_690);
    expect((await post('/billing-periods/2030-08/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const augustInvoice = 'INV-2030-08-C-RP-LE-RP-EUR';
    for (const actualId of ['TE-RP-1', 'TE-RP-2']) {
      await probe.waitFor(
        'ActualChanged',
        (e) => e.data.actualId === actualId && e.data.status === 'READY_TO_INVOICE',
      );
    }
    // Approved after August closed (billed in September): 12345 (0.50), 18518 (0), 6172 (0.50).
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-RP-3', 'PRJ-RP', '2030-08-10', 100)),
      event('TimeEntryApproved', timeEntry('TE-RP-4', 'PRJ-RP', '2030-08-25', 150)),
      event('TimeEntryApproved', timeEntry('TE-RP-5', 'PRJ-RP', '2030-09-03', 50)),
    );
    expect((await priced('TE-RP-3')).data.billAmountMinor).toBe(12_345);
    expect((await priced('TE-RP-4')).data.billAmountMinor).toBe(18_518);
    expect((await priced('TE-RP-5')).data.billAmountMinor).toBe(6_172);

    // Finance publishes a rise to 135.79 from the 16th of August, after that time was priced.
    const rise = event(
      'RateCardUpserted',
      rateCard('RC-RP-B', 'LE-RP', {
        effectiveFrom: '2030-08-16',
        rates: [{ role: 'Consultant', rateMinor: 13_579, costRateMinor: 9_000 }],
      }),
    );
    await probe.publish(rise);
    const repriced = (actualId: string) =>
      probe.waitFor(
        'ActualChanged',
        (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED' && e.data.rateMinor === 13_579,
      );
    // TE-RP-4: 0.50 + 1.5 h × 12.34 = 1851.50 → +1851, 0.50 carried; TE-RP-5: 0.50 + 0.5 h × 12.34 = 617.50 → +617.
    expect((await repriced('TE-RP-4')).data).toMatchObject({
      rateCardId: 'RC-RP-B',
      billAmountMinor: 20_369,
      costRateMinor: 8_000,
      costAmountMinor: 12_000,
      billingPeriod: '2030-09',
      invoiceId: null,
    });
    expect((await repriced('TE-RP-5')).data).toMatchObject({ rateCardId: 'RC-RP-B', billAmountMinor: 6_789 });
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.code === 'RATE_CHANGED_AFTER_INVOICING' && e.data.entityId === 'RC-RP-B',
    );
    expect(raised.data).toMatchObject({
      exceptionId: rateChangedAfterInvoicingExceptionId(rise.data),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'RateCard',
      details: {
        actualCount: '1',
        actualIds: 'TE-RP-2',
        invoiceIds: augustInvoice,
        'differenceMinor.EUR': '+2468.00',
      },
    });
    expect(raised.data.message).toMatch(
      /1 time actual\(s\) already on invoice\(s\) INV-2030-08-C-RP-LE-RP-EUR: difference EUR \+2468\.00 minor units/,
    );

    // Redelivered, and the same version again under a new event id: nothing new.
    await probe.publish(rise, event('RateCardUpserted', rise.data));
    await settle(3_000);
    expect(
      probe.events(
        'BusinessExceptionRaised',
        (e) => e.data.code === 'RATE_CHANGED_AFTER_INVOICING' && e.data.entityId === 'RC-RP-B',
      ),
    ).toHaveLength(1);
    expect(probe.events('ActualChanged', (e) => e.data.actualId === 'TE-RP-4')).toHaveLength(2);
    expect(probe.events('ActualChanged', (e) => e.data.actualId === 'TE-RP-3')).toHaveLength(1);

    const actuals = (await get('/actuals?projectId=PRJ-RP')) as {
      actualId: string;
      status: string;
      rateMinor: number;
      billAmountMinor: number;
      invoiceId: string | null;
    }[];
    expect(actuals.map((a) => [a.actualId, a.status, a.rateMinor, a.billAmountMinor, a.invoiceId])).toEqual([
      ['TE-RP-1', 'READY_TO_INVOICE', 12_345, 18_517, augustInvoice],
      ['TE-RP-3', 'UNBILLED', 12_345, 12_345, null],
      ['TE-RP-2', 'READY_TO_INVOICE', 12_345, 24_690, augustInvoice],
      ['TE-RP-4', 'UNBILLED', 13_579, 20_369, null],
      ['TE-RP-5', 'UNBILLED', 13_579, 6_789, null],
    ]);
    const august = (await get(`/invoices/${augustInvoice}`)) as {
      totalMinor: number;
      lines: { amountMinor: number }[];
    };
    expect([august.totalMinor, august.lines.map((l) => l.amountMinor)]).toEqual([43_207, [18_517, 24_690]]);

    // Exact total 827.1050 → billed 82710 over the five actuals, 0.50 carried; September bills the new amounts.
    expect((await post('/billing-periods/2030-09/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const sep = await probe.waitFor('BillingPeriodClosed', (e) => e.data.period === '2030-09');
    expect(sep.data.draftInvoices.find((d) => d.customerId === 'C-RP')).toMatchObject({
      invoiceId: 'INV-2030-09-C-RP-LE-RP-EUR',
      totalMinor: 39_503,
      lineCount: 3,
    });
    const september = (await get('/invoices/INV-2030-09-C-RP-LE-RP-EUR')) as {
      lines: { unitPriceMinor: number; amountMinor: number; sourceIds: string[] }[];
    };
    expect(september.lines.map((l) => [l.sourceIds, l.unitPriceMinor, l.amountMinor])).toEqual([
      [['TE-RP-3'], 12_345, 12_345],
      [['TE-RP-4'], 13_579, 20_369],
      [['TE-RP-5'], 13_579, 6_789],
    ]);
    expect(18_517 + 24_690 + 39_503).toBe(82_710);
  });

  it('applies a correction of approved time: re-prices unbilled time exactly, ignores older revisions, reports invoiced time', async () => {
    await setUp(
      project('PRJ-COR', 'C-COR', 'LE-COR', 'TIME_AND_MATERIALS', {
        startDate: '2030-10-01',
        endDate: '2030-11-30',
      }),
      rateCard('RC-COR', 'LE-COR', {
        rates: [
          { role: 'Consultant', rateMinor: 12_345, costRateMinor: 8_000 },
          { role: 'Architect', rateMinor: 13_579, costRateMinor: 9_000 },
        ],
      }),
    );
    // At 123.45 through the project's carry: 18517 (0.50 carried), 24690 (0.50 carried).
    const october = event('TimeEntryApproved', timeEntry('TE-COR-1', 'PRJ-COR', '2030-10-06', 150));
    const november = event('TimeEntryApproved', timeEntry('TE-COR-2', 'PRJ-COR', '2030-11-03', 200));
    await probe.publish(october, november);
    expect((await priced('TE-COR-1')).data.billAmountMinor).toBe(18_517);
    expect((await priced('TE-COR-2')).data.billAmountMinor).toBe(24_690);
    expect((await post('/billing-periods/2030-10/close', { closedBy: 'U-FIN' })).status).toBe(200);
    const octoberInvoice = 'INV-2030-10-C-COR-LE-COR-EUR';
    await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-COR-1' && e.data.status === 'READY_TO_INVOICE',
    );

    // Revision 2 of the November entry: 2.75 h as Architect (135.79). Exact 373.4225: the amount
    // moves by floor((0.50 + 373.4225 − 246.90) × 100 / 100) = +12652 and 0.75 is carried.
    const corrected = {
      ...timeEntry('TE-COR-2', 'PRJ-COR', '2030-11-04', 275),
      role: 'Architect',
      revision: 2,
      correctionReason: 'worked as architect, 2.75 h',
    };
    const correction = event('TimeEntryApproved', corrected);
    await probe.publish(correction);
    const repriced = await eventually(
      () =>
        probe.events(
          'ActualChanged',
          (e) => e.data.actualId === 'TE-COR-2' && e.data.rateMinor === 13_579,
        )[0],
    );
    expect(repriced.data).toMatchObject({
      role: 'Architect',
      workDate: '2030-11-04',
      hoursHundredths: 275,
      rateMinor: 13_579,
      rateCardId: 'RC-COR',
      billAmountMinor: 37_342,
      costRateMinor: 9_000,
      costAmountMinor: 24_750,
      billingPeriod: '2030-11',
      status: 'UNBILLED',
      invoiceId: null,
    });
    expect(repriced.envelope.causationId).toBe(correction.envelope.eventId);
    // 185.175 + 373.4225 = 558.5975: billed 18517 + 37342 = 55859, the floor.
    expect(18_517 + 37_342).toBe(55_859);

    // Revision 1 again — redelivered, and under a new event id — changes nothing.
    await probe.publish(november, event('TimeEntryApproved', november.data));
    // Revision 2 of the invoiced October entry: 1.50 h → 1.00 h. It stays as invoiced; finance is told.
    await probe.publish(
      event('TimeEntryApproved', {
        ...timeEntry('TE-COR-1', 'PRJ-COR', '2030-10-06', 100),
        revision: 2,
        correctionReason: 'half an hour was booked twice',
      }),
    );
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.code === 'TIME_CORRECTED_AFTER_INVOICING' && e.data.entityId === 'TE-COR-1',
    );
    expect(raised.data).toMatchObject({
      exceptionId: timeCorrectedAfterInvoicingExceptionId('TE-COR-1', 2),
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Actual',
      dealId: 'D-PRJ-COR',
      details: {
        invoiceId: octoberInvoice,
        hoursBefore: '1.50',
        hoursAfter: '1.00',
        revision: '2',
        // 1.00 h × 123.45 − 1.50 h × 123.45 = −61.725 EUR.
        'differenceMinor.EUR': '-6172.50',
      },
    });
    expect(raised.data.message).toMatch(
      /after it was put on invoice INV-2030-10-C-COR-LE-COR-EUR: hours 1\.50 → 1\.00, difference EUR -6172\.50 minor units/,
    );
    await settle(3_000);
    expect(probe.events('ActualChanged', (e) => e.data.actualId === 'TE-COR-2')).toHaveLength(2);
    expect(probe.events('ActualChanged', (e) => e.data.actualId === 'TE-COR-1')).toHaveLength(2);
    const actuals = (await get('/actuals?projectId=PRJ-COR')) as {
      actualId: string;
      status: string;
      role: string;
      hoursHundredths: number;
      rateMinor: number;
      billAmountMinor: number;
    }[];
    expect(
      actuals.map((a) => [a.actualId, a.status, a.role, a.hoursHundredths, a.rateMinor, a.billAmountMinor]),
    ).toEqual([
      ['TE-COR-1', 'READY_TO_INVOICE', 'Consultant', 150, 12_345, 18_517],
      ['TE-COR-2', 'UNBILLED', 'Architect', 275, 13_579, 37_342],
    ]);
    const invoice = (await get(`/invoices/${octoberInvoice}`)) as { totalMinor: number };
    expect(invoice.totalMinor).toBe(18_517);
  });
});
