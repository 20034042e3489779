import { eventually } from '@throughline/messaging/testing';

import { expectOk, request } from './http';

export interface TimeToCashEndpoints {
  ingress: string;
  project: string;
  staffing: string;
  billing: string;
  reporting: string;
}

/** The projects the deal-to-project demo created (ids follow `PRJ-<dealId>-<legalEntityId>`). */
export interface DemoProjects {
  /** Fixed fee by milestone, DE, Architect. */
  de: string;
  /** Fixed fee by milestone, FR, Consultant. */
  fr: string;
  /** Time and materials, NL, Consultant. */
  nl: string;
}

/** The month the demo books time in, unless billing has closed it already (a rerun). */
export const FIRST_DEMO_PERIOD = '2026-10';

/**
 * The first month from FIRST_DEMO_PERIOD that billing has not closed, so that `npm start` can run
 * again against the same databases: each run books, closes and bills a month of its own.
 */
export async function chooseDemoPeriod(billingUrl: string): Promise<string> {
  const { status, body } = await request<{ period: string; status: string }[]>(
    'GET',
    `${billingUrl}/billing-periods`,
  );
  expectOk('listing billing periods', { status, body });
  const closed = new Set(body.filter((p) => p.status === 'CLOSED').map((p) => p.period));
  let period = FIRST_DEMO_PERIOD;
  while (closed.has(period)) period = nextPeriod(period);
  return period;
}

function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** The day within `period` of the month, as an ISO date. */
function dayOf(period: string, day: number): string {
  return `${period}-${String(day).padStart(2, '0')}`;
}

interface Person {
  personId: string;
  projectId: keyof DemoProjects;
  role: string;
  costRateMinor: number;
  /** Hours per working day, as decimal strings the way a time tool sends them. */
  dailyHours: string;
}

const PEOPLE: readonly Person[] = [
  { personId: 'P-ANNA', projectId: 'de', role: 'Architect', costRateMinor: 9_000, dailyHours: '2.5' },
  { personId: 'P-LUC', projectId: 'fr', role: 'Consultant', costRateMinor: 6_200, dailyHours: '4' },
  { personId: 'P-SEM', projectId: 'nl', role: 'Consultant', costRateMinor: 6_000, dailyHours: '3.75' },
];

/** Mon–Fri dates of a `YYYY-MM` month. */
export function workingDays(period: string): string[] {
  const [year, month] = period.split('-').map(Number);
  const days: string[] = [];
  for (let day = new Date(Date.UTC(year, month - 1, 1)); day.getUTCMonth() === month - 1;) {
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
  }
  return days;
}

export interface Invoice {
  invoiceId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  totalMinor: number;
  status: string;
  invoiceNumber?: string | null;
}

interface Actual {
  actualId: string;
  status: string;
}

/**
 * Time to cash on the demo's projects: staff them, book a month of time and expenses through the
 * PSA intake, change the NL rate in the middle of the month, approve everything, apply a change
 * order, complete a milestone, close the period, issue the invoices, take a payment, and print
 * invoice totals, revenue, utilisation and margin from reporting.
 */
export async function runTimeToCashDemo(
  endpoints: TimeToCashEndpoints,
  projects: DemoProjects,
  period: string,
  print: (line: string) => void,
): Promise<TimeToCashResult> {
  const run = Date.now().toString(36);
  const days = workingDays(period);
  const rateChange = dayOf(period, 16);

  print(`6. Staffing: ${PEOPLE.length} people assigned; the project service refreshes cost forecasts`);
  for (const person of PEOPLE) {
    expectOk(
      `assigning ${person.personId}`,
      await request('PUT', `${endpoints.staffing}/assignments/ASG-${run}-${person.personId}`, {
        projectId: projects[person.projectId],
        personId: person.personId,
        role: person.role,
        hoursHundredths: Math.round(Number(person.dailyHours) * 100) * days.length,
        startDate: days[0],
        endDate: days[days.length - 1],
        costRateMinor: person.costRateMinor,
      }),
    );
  }

  print(`7. ERP: the NL rate rises from 100.00 to 110.00 EUR on ${rateChange} (a new rate card version)`);
  expectOk(
    'ending the NL rate card',
    await request('PUT', `${endpoints.ingress}/erp/rate-cards/RC-NL-2026`, {
      legalEntityId: 'LE-NL',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      effectiveTo: dayOf(period, 15),
      rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
    }),
  );
  expectOk(
    'adding the new NL rate card',
    await request('PUT', `${endpoints.ingress}/erp/rate-cards/RC-NL-2026-RAISE`, {
      legalEntityId: 'LE-NL',
      currency: 'EUR',
      effectiveFrom: rateChange,
      effectiveTo: null,
      rates: [{ role: 'Consultant', rateMinor: 11_000, costRateMinor: 6_000 }],
    }),
  );

  const timeEntries = PEOPLE.flatMap((person) =>
    days.map((workDate) => ({
      entryId: `TE-${run}-${person.personId}-${workDate}`,
      projectId: projects[person.projectId],
      personId: person.personId,
      role: person.role,
      workDate,
      hours: person.dailyHours,
      billable: true,
    })),
  );
  const expenses = [
    {
      expenseId: `EX-${run}-1`,
      projectId: projects.de,
      personId: 'P-ANNA',
      incurredOn: dayOf(period, 6),
      amount: '412.30',
      currency: 'EUR',
      category: 'TRAVEL',
      receiptReference: 'RCPT-DB-4711',
      billable: true,
    },
    {
      expenseId: `EX-${run}-2`,
      projectId: projects.nl,
      personId: 'P-SEM',
      incurredOn: dayOf(period, 20),
      amount: '96.40',
      currency: 'EUR',
      category: 'LODGING',
      receiptReference: 'RCPT-NH-19',
      billable: true,
    },
  ];
  print(
    `8. PSA: ${timeEntries.length} time entries and ${expenses.length} expenses for ${period} submitted, then approved`,
  );
  expectOk('submitting time', await request('POST', `${endpoints.ingress}/psa/time-entries`, timeEntries));
  expectOk('submitting expenses', await request('POST', `${endpoints.ingress}/psa/expenses`, expenses));
  expectOk(
    'approving time and expenses',
    await request('POST', `${endpoints.ingress}/psa/approvals`, {
      approvedBy: 'U-DELIVERY-LEAD',
      timeEntryIds: timeEntries.map((entry) => entry.entryId),
      expenseIds: expenses.map((expense) => expense.expenseId),
    }),
  );

  print(`9. Change order on ${projects.de}: +20 h Architect, +3,000.00 EUR fee as a new milestone`);
  expectOk(
    'posting the change order',
    await request('POST', `${endpoints.ingress}/crm/change-orders`, {
      changeOrderId: `CO-${run}-1`,
      projectId: projects.de,
      description: 'Add a data migration workstream',
      effectiveDate: dayOf(period, 19),
      budgetDelta: '3000.00',
      currency: 'EUR',
      roleChanges: [{ role: 'Architect', hoursDelta: '20' }],
      milestoneChanges: [
        {
          action: 'ADD',
          milestoneId: `M-CO-${run}`,
          name: 'Data migrated',
          dueDate: dayOf(nextPeriod(nextPeriod(period)), 15),
          amount: '3000.00',
        },
      ],
      approvedBy: 'U-ACCOUNT-LEAD',
    }),
  );
  const plan = await eventually(async () => {
    const { status, body } = await request<{
      planVersion: number;
      current: { milestones: { milestoneId: string }[] };
    }>('GET', `${endpoints.project}/projects/${projects.de}/plan`);
    return status === 200 && body.planVersion >= 2 ? body : undefined;
  }, 60_000);

  const blueprint = plan.current.milestones[0].milestoneId;
  const completedOn = days[days.length - 1];
  print(`10. Delivery completes milestone ${blueprint} (Blueprint signed off) on ${completedOn}`);
  expectOk(
    'completing the milestone',
    await request('POST', `${endpoints.project}/projects/${projects.de}/milestones/${blueprint}/complete`, {
      completedOn,
      completedBy: 'U-DELIVERY-LEAD',
    }),
  );

  await eventually(async () => {
    const { body } = await request<{
      scheduleItems: { milestoneId: string | null; completedOn: string | null }[];
    }>('GET', `${endpoints.billing}/billing-schedules/${projects.de}`);
    return body.scheduleItems?.some(
      (item) => item.milestoneId === blueprint && item.completedOn === completedOn,
    );
  }, 60_000).catch(() => {
    throw new Error(`timed out waiting for billing to see milestone ${blueprint} completed`);
  });

  const approved = new Set([...timeEntries.map((e) => e.entryId), ...expenses.map((e) => e.expenseId)]);
  await eventually(async () => {
    const priced = await Promise.all(
      Object.values(projects).map(async (projectId) => {
        const { body } = await request<Actual[]>(
          'GET',
          `${endpoints.billing}/actuals?projectId=${projectId}`,
        );
        return Array.isArray(body)
          ? body.filter((a) => approved.has(a.actualId) && a.status === 'UNBILLED')
          : [];
      }),
    );
    return priced.flat().length === approved.size ? true : undefined;
  }, 120_000).catch(() => {
    throw new Error('timed out waiting for billing to price every approved entry');
  });
  print(
    `    billing priced all ${approved.size} approved entries (effective-dated rates, exact cents; fixed-fee time is cost only)`,
  );

  print(`11. Finance closes billing period ${period}; revenue is recognised per project`);
  const closed = await request<{ draftInvoices: Invoice[] }>(
    'POST',
    `${endpoints.billing}/billing-periods/${period}/close`,
    { closedBy: 'U-FINANCE' },
  );
  expectOk('closing the period', closed);
  const drafts = closed.body.draftInvoices;
  print(`    ${drafts.length} draft invoices; issuing them`);
  const issued: Invoice[] = [];
  for (const draft of drafts) {
    const result = await request<Invoice>('POST', `${endpoints.billing}/invoices/${draft.invoiceId}/issue`, {
      issuedOn: dayOf(nextPeriod(period), 2),
    });
    expectOk(`issuing ${draft.invoiceId}`, result);
    issued.push(result.body);
  }

  const paid = issued[0];
  print(`12. ERP: ${paid.customerId} pays invoice ${paid.invoiceNumber ?? paid.invoiceId} in full`);
  expectOk(
    'recording the payment',
    await request('POST', `${endpoints.ingress}/erp/payments`, {
      paymentId: `PAY-${run}-1`,
      invoiceId: paid.invoiceId,
      customerId: paid.customerId,
      currency: paid.currency,
      amount: formatMinor(paid.totalMinor),
      receivedOn: dayOf(nextPeriod(period), 20),
      reference: 'SEPA-DEMO',
    }),
  );

  const recognised = await request<{ totals: { currency: string; amountMinor: number }[] }>(
    'GET',
    `${endpoints.billing}/billing-periods/${period}/revenue`,
  );
  expectOk('reading recognised revenue', recognised);
  const revenueTotal = sum(recognised.body.totals.map((total) => total.amountMinor));
  // Reporting has caught up when its invoices and revenue match what billing issued and recognised.
  const summary = await eventually(async () => {
    const { status, body } = await request<ReportingSummary>(
      'GET',
      `${endpoints.reporting}/reports/summary?period=${period}`,
    );
    const invoiced = status === 200 ? sum(body.invoices.map((i) => i.totalMinor)) : -1;
    const revenue = status === 200 ? sum(body.revenue.map((r) => r.amountMinor)) : -1;
    return invoiced === sum(issued.map((i) => i.totalMinor)) && revenue === revenueTotal ? body : undefined;
  }, 60_000);
  printSummary(summary, issued, print);
  return { issued, summary };
}

export interface TimeToCashResult {
  issued: Invoice[];
  summary: ReportingSummary;
}

export interface ReportingSummary {
  period: string;
  invoices: { currency: string; totalMinor: number; count?: number }[];
  revenue: { currency: string; amountMinor: number }[];
  utilisation: { personId: string; billableHours?: string; utilisationBasisPoints: number }[];
  margin: { projectId: string; currency: string; [figure: string]: unknown }[];
}

function printSummary(
  summary: ReportingSummary,
  issued: readonly Invoice[],
  print: (line: string) => void,
): void {
  print(`\n== ${summary.period} from reporting`);
  for (const invoice of issued) {
    print(
      `   invoice   ${(invoice.invoiceNumber ?? invoice.invoiceId).padEnd(14)} ${invoice.legalEntityId.padEnd(6)} ${formatMinor(invoice.totalMinor).padStart(10)} ${invoice.currency}`,
    );
  }
  for (const invoice of summary.invoices)
    print(`   invoiced  total          ${formatMinor(invoice.totalMinor).padStart(17)} ${invoice.currency}`);
  for (const revenue of summary.revenue)
    print(`   revenue   recognised     ${formatMinor(revenue.amountMinor).padStart(17)} ${revenue.currency}`);
  for (const person of summary.utilisation) {
    print(
      `   utilisation ${person.personId.padEnd(8)} ${(person.billableHours ?? '').padStart(8)} billable  ${(person.utilisationBasisPoints / 100).toFixed(2).padStart(6)}%`,
    );
  }
  for (const project of summary.margin) {
    const actual = Number(project['actualMarginMinor']);
    const forecast = Number(project['forecastMarginMinor']);
    print(
      `   margin    ${project.projectId.padEnd(22)} actual ${formatMinor(actual).padStart(10)}  forecast ${formatMinor(forecast).padStart(10)} ${project.currency}`,
    );
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Minor units of a two-decimal currency as a plain decimal string (the demo is all EUR). */
function formatMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
