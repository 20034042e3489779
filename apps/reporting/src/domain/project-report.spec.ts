import { projectPlan } from './project-plan';
import { projectReport } from './project-report';
import { ActualFacts, InvoiceFacts, ProjectFacts } from './time-to-cash';

const created: ProjectFacts = {
  projectId: 'PRJ-A',
  dealId: 'D1',
  customerId: 'C-ACME',
  legalEntityId: 'LE-DE',
  name: 'Rollout',
  currency: 'EUR',
  billingType: 'TIME_AND_MATERIALS',
  startDate: '2026-10-01',
  endDate: '2026-10-31',
  budgetMinor: 1_000_000,
  milestones: [],
  roles: [{ role: 'Developer', hoursHundredths: 10_000, rateMinor: 10_000 }],
};

const time = (
  actualId: string,
  projectId: string,
  hoursHundredths: number,
  billable: boolean,
): ActualFacts => ({
  actualId,
  kind: 'TIME',
  projectId,
  dealId: 'D1',
  customerId: 'C-ACME',
  personId: 'P-1',
  role: 'Developer',
  workDate: '2026-10-05',
  hoursHundredths,
  billable,
  currency: 'EUR',
  billAmountMinor: billable ? hoursHundredths * 100 : 0,
  costAmountMinor: hoursHundredths * 60,
  billingPeriod: '2026-10',
  status: 'INVOICED',
  invoiceId: 'I1',
  changedAt: 0,
});

/** One invoice billing two projects: only this project's lines count towards its figures. */
const shared: InvoiceFacts = {
  invoiceId: 'I1',
  invoiceNumber: 'DE-1',
  customerId: 'C-ACME',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingPeriod: '2026-10',
  issuedOn: '2026-11-02',
  dueDate: '2026-12-02',
  issuedAt: 0,
  totalMinor: 500_000,
  lines: [
    { lineId: 'L1', projectId: 'PRJ-A', dealId: 'D1', kind: 'TIME', amountMinor: 320_000 },
    { lineId: 'L2', projectId: 'PRJ-B', dealId: 'D1', kind: 'TIME', amountMinor: 180_000 },
  ],
  tax: { netMinor: 500_000, taxMinor: 0, reverseCharge: false, totals: [] },
};

describe('project report', () => {
  it('narrows shared invoices and other projects’ actuals to the project', () => {
    const plan = projectPlan(created, null);
    if (!plan) throw new Error('no plan');
    const report = projectReport(
      plan,
      {
        actuals: [
          time('T1', 'PRJ-A', 3_200, true),
          time('T2', 'PRJ-A', 400, false),
          time('T3', 'PRJ-B', 1_800, true),
        ],
        forecast: null,
        invoices: [shared],
        payments: [
          {
            paymentId: 'PAY1',
            invoiceId: 'I1',
            customerId: 'C-ACME',
            currency: 'EUR',
            amountMinor: 200_000,
            receivedOn: '2026-11-10',
          },
          {
            paymentId: 'PAY2',
            invoiceId: 'I1',
            customerId: 'C-ACME',
            currency: 'EUR',
            amountMinor: 300_000,
            receivedOn: '2026-12-10',
          },
        ],
        revenues: [],
      },
      '2026-11-15',
      1_000,
    );
    expect(report.hours).toEqual([
      {
        role: 'Developer',
        plannedHoursHundredths: 10_000,
        actualHoursHundredths: 3_600,
        billableHoursHundredths: 3_200,
      },
    ]);
    expect(
      report.backlog.map((row) => [
        row.contracted.amountMinor,
        row.invoiced.amountMinor,
        row.backlog.amountMinor,
      ]),
    ).toEqual([[1_000_000, 320_000, 680_000]]);
    expect(
      report.invoices.map((i) => [
        i.invoiceId,
        i.amount.amountMinor,
        i.invoicePaid.amountMinor,
        i.invoiceTotal.amountMinor,
      ]),
    ).toEqual([['I1', 320_000, 200_000, 500_000]]);
    // Cost of T1 + T2 only: (3 200 + 400) × 60 = 216 000.
    expect(report.margin.map((row) => row.actual.cost.amountMinor)).toEqual([216_000]);
    expect(report.deliveryRisk).toEqual({ projectId: 'PRJ-A', reason: 'no cost forecast yet' });
  });
});
