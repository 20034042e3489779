import {
  ageingBucket,
  arAgeing,
  backlog,
  billingLeakage,
  deliveryRisk,
  margin,
  periodSummary,
} from './figures';
import { projectPlan } from './project-plan';
import {
  ActualFacts,
  ForecastFacts,
  InvoiceFacts,
  PaymentFacts,
  ProjectFacts,
  RevenueFacts,
} from './time-to-cash';
import { utilisation } from './utilisation';

const project = (
  projectId: string,
  customerId: string,
  budgetMinor: number,
  extra: Partial<ProjectFacts> = {},
): ProjectFacts => ({
  projectId,
  dealId: 'D1',
  customerId,
  legalEntityId: 'LE-DE',
  name: projectId,
  currency: 'EUR',
  billingType: 'TIME_AND_MATERIALS',
  startDate: '2026-09-01',
  endDate: '2026-12-31',
  budgetMinor,
  milestones: [],
  roles: [],
  ...extra,
});

const actual = (actualId: string, projectId: string, fields: Partial<ActualFacts>): ActualFacts => ({
  actualId,
  kind: 'TIME',
  projectId,
  dealId: 'D1',
  customerId: 'C-ACME',
  personId: 'P-1',
  role: 'Developer',
  workDate: '2026-10-12',
  hoursHundredths: 800,
  billable: true,
  currency: 'EUR',
  billAmountMinor: 80_000,
  costAmountMinor: 48_000,
  billingPeriod: '2026-10',
  status: 'UNBILLED',
  invoiceId: null,
  changedAt: 0,
  ...fields,
});

const invoice = (
  invoiceId: string,
  fields: Partial<InvoiceFacts>,
  lines: [string, number][],
): InvoiceFacts => ({
  invoiceId,
  invoiceNumber: `INV-${invoiceId}`,
  customerId: 'C-ACME',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingPeriod: '2026-10',
  issuedOn: '2026-11-02',
  dueDate: '2026-12-02',
  issuedAt: 0,
  totalMinor: lines.reduce((sum, [, amount]) => sum + amount, 0),
  lines: lines.map(([projectId, amountMinor], index) => ({
    lineId: `L${index + 1}`,
    projectId,
    dealId: 'D1',
    kind: 'TIME',
    amountMinor,
  })),
  // Untaxed unless a test says otherwise: net = total.
  tax: {
    netMinor: lines.reduce((sum, [, amount]) => sum + amount, 0),
    taxMinor: 0,
    reverseCharge: false,
    totals: [],
  },
  ...fields,
});

const payment = (
  paymentId: string,
  invoiceId: string,
  amountMinor: number,
  receivedOn: string,
  currency = 'EUR',
): PaymentFacts => ({
  paymentId,
  invoiceId,
  customerId: 'C-ACME',
  currency,
  amountMinor,
  receivedOn,
});

const revenue = (projectId: string, period: string, amountMinor: number, currency = 'EUR'): RevenueFacts => ({
  recognitionId: `REV-${projectId}-${period}-${currency}`,
  projectId,
  dealId: 'D1',
  period,
  currency,
  amountMinor,
  cumulativeMinor: amountMinor,
});

const forecast = (projectId: string, revenueMinor: number, costMinor: number): ForecastFacts => ({
  projectId,
  dealId: 'D1',
  currency: 'EUR',
  revenueMinor,
  costMinor,
  refreshedAt: 0,
  triggerEventId: 'e',
  triggerType: 'AssignmentChanged',
});

describe('backlog', () => {
  it('is the current budget minus invoiced lines, per project and per customer', () => {
    const plans = [
      projectPlan(project('PRJ-A', 'C-ACME', 12_000_000), null),
      projectPlan(project('PRJ-B', 'C-ACME', 3_000_000), null),
      projectPlan(project('PRJ-C', 'C-BETA', 500_000), null),
    ].flatMap((plan) => (plan ? [plan] : []));
    const invoices = [
      invoice('I1', {}, [
        ['PRJ-A', 2_345_050],
        ['PRJ-B', 3_100_000],
      ]),
      invoice('I2', { currency: 'USD' }, [['PRJ-A', 10_000]]), // another currency: its own row
    ];
    const { projects, customers } = backlog(plans, invoices);
    expect(
      projects.map((p) => [
        p.projectId,
        p.currency,
        p.contracted.amountMinor,
        p.invoiced.amountMinor,
        p.backlog.amountMinor,
      ]),
    ).toEqual([
      ['PRJ-A', 'EUR', 12_000_000, 2_345_050, 9_654_950],
      ['PRJ-A', 'USD', 0, 10_000, -10_000],
      ['PRJ-B', 'EUR', 3_000_000, 3_100_000, -100_000], // over-invoiced
      ['PRJ-C', 'EUR', 500_000, 0, 500_000],
    ]);
    expect(projects[0].backlog.formatted).toBe('EUR 96,549.50');
    expect(customers.map((c) => [c.customerId, c.currency, c.projects, c.backlog.amountMinor])).toEqual([
      ['C-ACME', 'EUR', 2, 9_554_950],
      ['C-ACME', 'USD', 1, -10_000],
      ['C-BETA', 'EUR', 1, 500_000],
    ]);
  });
});

describe('margin', () => {
  it('is recognized revenue minus every actual cost, and forecast revenue minus forecast cost', () => {
    const rows = margin(
      [revenue('PRJ-A', '2026-10', 1_000_000), revenue('PRJ-A', '2026-11', 500_000)],
      [
        actual('T1', 'PRJ-A', { costAmountMinor: 600_000 }),
        actual('T2', 'PRJ-A', { costAmountMinor: 300_001, billable: false, status: 'WRITTEN_OFF' }), // counted
        actual('E1', 'PRJ-A', { kind: 'EXPENSE', costAmountMinor: 12_345 }),
      ],
      [forecast('PRJ-A', 12_000_000, 7_800_000)],
      [{ projectId: 'PRJ-Z', currency: 'EUR' }],
    );
    expect(rows[0]).toEqual({
      projectId: 'PRJ-A',
      currency: 'EUR',
      actual: {
        revenue: { amountMinor: 1_500_000, currency: 'EUR', formatted: 'EUR 15,000.00' },
        cost: { amountMinor: 912_346, currency: 'EUR', formatted: 'EUR 9,123.46' },
        margin: { amountMinor: 587_654, currency: 'EUR', formatted: 'EUR 5,876.54' },
        marginBasisPoints: 3_918, // 587 654 / 1 500 000 = 39.1769 %
      },
      forecast: {
        revenue: { amountMinor: 12_000_000, currency: 'EUR', formatted: 'EUR 120,000.00' },
        cost: { amountMinor: 7_800_000, currency: 'EUR', formatted: 'EUR 78,000.00' },
        margin: { amountMinor: 4_200_000, currency: 'EUR', formatted: 'EUR 42,000.00' },
        marginBasisPoints: 3_500,
      },
    });
    expect(rows[1]).toMatchObject({
      projectId: 'PRJ-Z',
      actual: { marginBasisPoints: null, margin: { amountMinor: 0 } },
      forecast: null,
    });
  });

  it('shows a loss as a negative margin rounded away from zero', () => {
    const [row] = margin(
      [revenue('PRJ-A', '2026-10', 300)],
      [actual('T1', 'PRJ-A', { costAmountMinor: 301 })],
      [],
    );
    expect(row.actual.margin.amountMinor).toBe(-1);
    expect(row.actual.marginBasisPoints).toBe(-33); // −33.33 bp
  });
});

describe('billing leakage', () => {
  const actuals = [
    actual('T1', 'PRJ-A', {
      billingPeriod: '2026-09',
      status: 'UNBILLED',
      billAmountMinor: 120_000,
      hoursHundredths: 800,
    }),
    actual('T2', 'PRJ-A', {
      billingPeriod: '2026-10',
      status: 'READY_TO_INVOICE',
      billAmountMinor: 80_050,
      hoursHundredths: 550,
    }),
    actual('T3', 'PRJ-A', {
      billingPeriod: '2026-10',
      status: 'UNPRICED',
      billAmountMinor: 0,
      hoursHundredths: 400,
    }),
    actual('T4', 'PRJ-A', { billingPeriod: '2026-10', status: 'INVOICED' }), // invoiced
    actual('T5', 'PRJ-A', { billingPeriod: '2026-10', status: 'WRITTEN_OFF' }), // written off
    actual('T6', 'PRJ-A', { billingPeriod: '2026-10', billable: false }), // not billable
    actual('T7', 'PRJ-A', { billingPeriod: '2026-11', status: 'UNBILLED' }), // period still open on asOf
    actual('E1', 'PRJ-B', {
      kind: 'EXPENSE',
      hoursHundredths: 0,
      billingPeriod: '2026-10',
      billAmountMinor: 4_599,
      currency: 'GBP',
    }),
  ];

  it('sums billable, uninvoiced actuals of periods ended before the as-of date', () => {
    const report = billingLeakage(actuals, '2026-11-30');
    expect(report.totals).toEqual([
      { amountMinor: 200_050, currency: 'EUR', formatted: 'EUR 2,000.50', actuals: 3, unpriced: 1 },
      { amountMinor: 4_599, currency: 'GBP', formatted: 'GBP 45.99', actuals: 1, unpriced: 0 },
    ]);
    expect(report.projects[0]).toEqual({
      projectId: 'PRJ-A',
      dealId: 'D1',
      customerId: 'C-ACME',
      currency: 'EUR',
      amount: { amountMinor: 200_050, currency: 'EUR', formatted: 'EUR 2,000.50' },
      actuals: 3,
      unpriced: 1,
      hoursHundredths: 1_750,
      byStatus: { UNBILLED: 1, READY_TO_INVOICE: 1, UNPRICED: 1 },
      oldestBillingPeriod: '2026-09',
    });
  });

  it('leaks nothing of a period that ends on the as-of date', () => {
    expect(billingLeakage(actuals, '2026-10-31').totals).toEqual([
      { amountMinor: 120_000, currency: 'EUR', formatted: 'EUR 1,200.00', actuals: 1, unpriced: 0 },
    ]);
    expect(billingLeakage(actuals, '2026-09-30').projects).toEqual([]);
  });
});

describe('AR ageing', () => {
  it('buckets by whole days past due', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91, -5].map(ageingBucket)).toEqual([
      'current',
      'days1to30',
      'days1to30',
      'days31to60',
      'days31to60',
      'days61to90',
      'days61to90',
      'days90plus',
      'current',
    ]);
  });

  it('ages invoices minus payments per customer on the as-of date', () => {
    const invoices = [
      invoice('I1', { dueDate: '2026-08-01', issuedOn: '2026-07-02' }, [['PRJ-A', 1_000_000]]), // 122 days → 90+
      invoice('I2', { dueDate: '2026-10-01', issuedOn: '2026-09-01' }, [['PRJ-A', 500_000]]), // 61 days → 61–90
      invoice('I3', { dueDate: '2026-11-30', issuedOn: '2026-10-31' }, [['PRJ-A', 250_000]]), // 1 day → 1–30
      invoice('I4', { dueDate: '2026-12-31', issuedOn: '2026-12-01' }, [['PRJ-A', 99_999]]), // current
      invoice('I5', { dueDate: '2027-01-31', issuedOn: '2027-01-01' }, [['PRJ-A', 77_777]]), // not issued yet on asOf
      invoice('I6', { customerId: 'C-BETA', dueDate: '2026-11-01', issuedOn: '2026-10-01' }, [
        ['PRJ-C', 40_000],
      ]),
    ];
    const payments = [
      payment('PAY1', 'I1', 400_000, '2026-09-15'),
      payment('PAY2', 'I2', 500_000, '2027-01-05'), // after asOf: not yet paid on asOf
      payment('PAY3', 'I6', 50_000, '2026-11-20'), // overpaid by 100.00
      payment('PAY4', 'I-UNKNOWN', 1_234, '2026-11-20'), // invoice not known (yet)
    ];
    const report = arAgeing(invoices, payments, '2026-12-01');
    const acme = report.customers.find((c) => c.customerId === 'C-ACME');
    expect(
      acme && Object.fromEntries(Object.entries(acme.buckets).map(([bucket, m]) => [bucket, m.amountMinor])),
    ).toEqual({
      current: 99_999,
      days1to30: 250_000,
      days31to60: 0,
      days61to90: 500_000,
      days90plus: 600_000,
    });
    expect(acme?.outstanding.amountMinor).toBe(1_449_999);
    expect(acme?.unapplied.amountMinor).toBe(1_234);
    expect(
      acme?.invoices.map((i) => [i.invoiceId, i.daysPastDue, i.paid.amountMinor, i.outstanding.amountMinor]),
    ).toEqual([
      ['I1', 122, 400_000, 600_000],
      ['I2', 61, 0, 500_000],
      ['I3', 1, 0, 250_000],
      ['I4', -30, 0, 99_999],
    ]);
    const beta = report.customers.find((c) => c.customerId === 'C-BETA');
    expect([beta?.outstanding.amountMinor, beta?.unapplied.amountMinor, beta?.invoices]).toEqual([
      0,
      10_000,
      [],
    ]);
    expect(report.totals.map((t) => [t.currency, t.outstanding.formatted])).toEqual([
      ['EUR', 'EUR 14,499.99'],
    ]);
  });
});

describe('delivery risk', () => {
  it('lists projects whose cost burn runs ahead of progress by more than the threshold', () => {
    const milestones = [
      { milestoneId: 'M1', name: 'Design', dueDate: '2026-09-30', amountMinor: null },
      { milestoneId: 'M2', name: 'Build', dueDate: '2026-11-30', amountMinor: null },
      { milestoneId: 'M3', name: 'Go live', dueDate: '2026-12-31', amountMinor: null },
      { milestoneId: 'M4', name: 'Hypercare', dueDate: '2026-12-31', amountMinor: null },
    ];
    const done = [{ projectId: 'PRJ-A', milestoneId: 'M1', completedOn: '2026-10-01' }];
    const plans = [
      projectPlan(project('PRJ-A', 'C-ACME', 12_000_000, { milestones }), null, done), // 25 % complete
      projectPlan(
        project('PRJ-B', 'C-ACME', 1_000_000, { startDate: '2026-10-01', endDate: '2026-10-31' }),
        null,
      ), // schedule
      projectPlan(project('PRJ-C', 'C-ACME', 1_000_000), null), // no forecast
      projectPlan(project('PRJ-D', 'C-ACME', 1_000_000), null), // forecast cost 0
    ].flatMap((plan) => (plan ? [plan] : []));
    const actuals = [
      actual('T1', 'PRJ-A', { costAmountMinor: 2_000_000, workDate: '2026-10-20' }),
      actual('T2', 'PRJ-A', { costAmountMinor: 1_600_001, workDate: '2026-10-31' }),
      actual('T3', 'PRJ-A', { costAmountMinor: 9_999_999, workDate: '2026-11-01' }), // after asOf
      actual('T4', 'PRJ-B', { costAmountMinor: 400_000, workDate: '2026-10-10' }),
    ];
    const forecasts = [
      forecast('PRJ-A', 12_000_000, 10_000_000),
      forecast('PRJ-B', 1_000_000, 1_000_000),
      forecast('PRJ-D', 1, 0),
    ];
    const report = deliveryRisk(plans, actuals, forecasts, '2026-10-31', 1_000);
    // PRJ-A: burn 3 600 001 / 10 000 000 = 36.00001 % → 3600 bp; complete 1 of 4 = 2500 bp; gap 1100 > 1000.
    // PRJ-B: burn 4000 bp; 31 of 31 days elapsed = 10 000 bp; not at risk.
    expect(report.atRisk).toEqual([
      {
        projectId: 'PRJ-A',
        dealId: 'D1',
        currency: 'EUR',
        burnBasisPoints: 3_600,
        percentCompleteBasisPoints: 2_500,
        percentCompleteBasis: 'MILESTONES',
        gapBasisPoints: 1_100,
        atRisk: true,
        actualCost: { amountMinor: 3_600_001, currency: 'EUR', formatted: 'EUR 36,000.01' },
        forecastCost: { amountMinor: 10_000_000, currency: 'EUR', formatted: 'EUR 100,000.00' },
      },
    ]);
    expect(report.notAssessed).toEqual([
      { projectId: 'PRJ-C', reason: 'no cost forecast yet' },
      { projectId: 'PRJ-D', reason: 'forecast cost is 0' },
    ]);
    // Exactly at the threshold is not at risk: with 1100 bp allowed PRJ-A drops out.
    expect(deliveryRisk(plans, actuals, forecasts, '2026-10-31', 1_100).atRisk).toEqual([]);
    // PRJ-B on 10 October: 10 of 31 days = 3226 bp; burn 4000 bp; gap 774 bp.
    expect(
      deliveryRisk(plans, actuals, forecasts, '2026-10-10', 700).atRisk.map((r) => [
        r.projectId,
        r.percentCompleteBasisPoints,
        r.gapBasisPoints,
      ]),
    ).toEqual([['PRJ-B', 3_226, 774]]);
  });
});

describe('period summary', () => {
  it('totals invoices (per currency, and per legal entity) and revenue of the period beside utilisation and margin', () => {
    const invoices = [
      invoice('I1', {}, [['PRJ-A', 1_000_000]]),
      invoice('I2', { legalEntityId: 'LE-NL' }, [['PRJ-B', 234_567]]),
      invoice('I3', { currency: 'GBP' }, [['PRJ-C', 5_000]]),
      invoice('I4', { billingPeriod: '2026-09' }, [['PRJ-A', 999]]), // another period
    ];
    const revenues = [
      revenue('PRJ-A', '2026-10', 700_000),
      revenue('PRJ-B', '2026-10', 300_001),
      revenue('PRJ-A', '2026-09', 5),
    ];
    const time = { personId: 'P-1', role: 'Developer', workDate: '2026-10-12', billable: true };
    const people = utilisation('2026-10', 800, [{ ...time, hoursHundredths: 8_800 }], []).rows;
    const margins = margin(revenues, [], []);
    const close = {
      period: '2026-10',
      closedAt: Date.UTC(2026, 10, 1, 6),
      draftInvoices: [
        { invoiceId: 'I1', customerId: 'C-ACME', currency: 'EUR', totalMinor: 1_000_000 },
        { invoiceId: 'I2', customerId: 'C-ACME', currency: 'EUR', totalMinor: 234_567 },
      ],
    };
    expect(periodSummary('2026-10', invoices, revenues, people, margins, close)).toEqual({
      period: '2026-10',
      close: {
        closedAt: '2026-11-01T06:00:00.000Z',
        drafts: [{ currency: 'EUR', totalMinor: 1_234_567, count: 2, total: 'EUR 12,345.67' }],
      },
      invoices: [
        { currency: 'EUR', totalMinor: 1_234_567, count: 2, total: 'EUR 12,345.67' },
        { currency: 'GBP', totalMinor: 5_000, count: 1, total: 'GBP 50.00' },
      ],
      // I1 and I3 by LE-DE (the helper's default) in two currencies, I2 by LE-NL; I4 is another period.
      invoicesByLegalEntity: [
        { legalEntityId: 'LE-DE', currency: 'EUR', totalMinor: 1_000_000, count: 1, total: 'EUR 10,000.00' },
        { legalEntityId: 'LE-DE', currency: 'GBP', totalMinor: 5_000, count: 1, total: 'GBP 50.00' },
        { legalEntityId: 'LE-NL', currency: 'EUR', totalMinor: 234_567, count: 1, total: 'EUR 2,345.67' },
      ],
      // Untaxed invoices (before InvoiceIssued v3): net = total, one untaxed rate row each.
      tax: [
        {
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          invoices: 1,
          netMinor: 1_000_000,
          taxMinor: 0,
          grossMinor: 1_000_000,
          net: 'EUR 10,000.00',
          tax: 'EUR 0.00',
          gross: 'EUR 10,000.00',
          rates: [
            {
              taxCode: null,
              rateBasisPoints: null,
              reverseCharge: false,
              netMinor: 1_000_000,
              taxMinor: 0,
              invoices: 1,
              net: 'EUR 10,000.00',
              tax: 'EUR 0.00',
            },
          ],
        },
        {
          legalEntityId: 'LE-DE',
          currency: 'GBP',
          invoices: 1,
          netMinor: 5_000,
          taxMinor: 0,
          grossMinor: 5_000,
          net: 'GBP 50.00',
          tax: 'GBP 0.00',
          gross: 'GBP 50.00',
          rates: [
            {
              taxCode: null,
              rateBasisPoints: null,
              reverseCharge: false,
              netMinor: 5_000,
              taxMinor: 0,
              invoices: 1,
              net: 'GBP 50.00',
              tax: 'GBP 0.00',
            },
          ],
        },
        {
          legalEntityId: 'LE-NL',
          currency: 'EUR',
          invoices: 1,
          netMinor: 234_567,
          taxMinor: 0,
          grossMinor: 234_567,
          net: 'EUR 2,345.67',
          tax: 'EUR 0.00',
          gross: 'EUR 2,345.67',
          rates: [
            {
              taxCode: null,
              rateBasisPoints: null,
              reverseCharge: false,
              netMinor: 234_567,
              taxMinor: 0,
              invoices: 1,
              net: 'EUR 2,345.67',
              tax: 'EUR 0.00',
            },
          ],
        },
      ],
      revenue: [{ currency: 'EUR', amountMinor: 1_000_001, amount: 'EUR 10,000.01' }],
      utilisation: [
        {
          personId: 'P-1',
          role: 'Developer',
          billableHours: '88 h',
          billableHoursHundredths: 8_800,
          utilisationBasisPoints: 5_000,
        },
      ],
      margin: [
        {
          projectId: 'PRJ-A',
          currency: 'EUR',
          actualMarginMinor: 700_005,
          actualMarginBasisPoints: 10_000,
          forecastMarginMinor: null,
          actualMargin: 'EUR 7,000.05',
          forecastMargin: null,
        },
        {
          projectId: 'PRJ-B',
          currency: 'EUR',
          actualMarginMinor: 300_001,
          actualMarginBasisPoints: 10_000,
          forecastMarginMinor: null,
          actualMargin: 'EUR 3,000.01',
          forecastMargin: null,
        },
      ],
    });
  });
});
