import { eventually } from '@throughline/messaging/testing';

import { DEMO_WAIT_MS, expectOk, request } from './http';
import { DemoScope, demoScope } from './scope';

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

/** The month the demo books time in on fresh databases. */
export const FIRST_DEMO_PERIOD = '2026-10';

/**
 * The first month from FIRST_DEMO_PERIOD that billing knows nothing of, neither closed nor holding
 * actuals, so that `npm start` can run again against the same databases: each run books, closes and
 * bills a month of its own. A month an earlier run (or a load test) left open with actuals is
 * skipped, whether or not its close failed: closing it would bill and recognise them too.
 */
export async function chooseDemoPeriod(billingUrl: string): Promise<string> {
  const { status, body } = await request<{ period: string; status: string }[]>(
    'GET',
    `${billingUrl}/billing-periods`,
  );
  expectOk('listing billing periods', { status, body });
  const known = new Set(body.map((p) => p.period));
  let period = FIRST_DEMO_PERIOD;
  while (known.has(period)) period = nextPeriod(period);
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

/** One person per project; their ids come from the run's scope. */
function demoPeople(scope: DemoScope): readonly Person[] {
  return [
    {
      personId: scope.people.de,
      projectId: 'de',
      role: 'Architect',
      costRateMinor: 9_000,
      dailyHours: '2.5',
    },
    { personId: scope.people.fr, projectId: 'fr', role: 'Consultant', costRateMinor: 6_200, dailyHours: '4' },
    {
      personId: scope.people.nl,
      projectId: 'nl',
      role: 'Consultant',
      costRateMinor: 6_000,
      dailyHours: '3.75',
    },
  ];
}

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
  /** Amount due: net + tax. */
  totalMinor: number;
  netMinor?: number | null;
  taxMinor?: number;
  reverseCharge?: boolean;
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
 * invoice totals, revenue, utilisation and margin from reporting. Only the scope's own customer,
 * projects and people are issued, paid and counted: the period's close also drafts whatever else is
 * unbilled up to the period (earlier runs left half way, other people's load tests).
 */
export async function runTimeToCashDemo(
  endpoints: TimeToCashEndpoints,
  projects: DemoProjects,
  period: string,
  print: (line: string) => void,
  scope: DemoScope = demoScope({ ownIds: false }),
): Promise<TimeToCashResult> {
  const run = Date.now().toString(36);
  const days = workingDays(period);
  const rateChange = dayOf(period, 16);
  const people = demoPeople(scope);

  print(`6. Staffing: ${people.length} people assigned; the project service refreshes cost forecasts`);
  for (const person of people) {
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
    await request('PUT', `${endpoints.ingress}/erp/rate-cards/${scope.nlRateCardId}`, {
      legalEntityId: scope.nlLegalEntityId,
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      effectiveTo: dayOf(period, 15),
      rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
    }),
  );
  expectOk(
    'adding the new NL rate card',
    await request('PUT', `${endpoints.ingress}/erp/rate-cards/${scope.nlRaisedRateCardId}`, {
      legalEntityId: scope.nlLegalEntityId,
      currency: 'EUR',
      effectiveFrom: rateChange,
      effectiveTo: null,
      rates: [{ role: 'Consultant', rateMinor: 11_000, costRateMinor: 6_000 }],
    }),
  );

  const timeEntries = people.flatMap((person) =>
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
      personId: scope.people.de,
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
      personId: scope.people.nl,
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
  }, DEMO_WAIT_MS);

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
  }, DEMO_WAIT_MS).catch(() => {
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
  }, DEMO_WAIT_MS).catch(() => {
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
  const drafts = closed.body.draftInvoices.filter((draft) => draft.customerId === scope.customerId);
  const others = closed.body.draftInvoices.length - drafts.length;
  print(
    `    ${drafts.length} draft invoices for ${scope.customerId}; issuing them` +
      (others > 0 ? ` (the close also drafted ${others} for other customers' earlier unbilled work)` : ''),
  );
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

  const recognised = await request<{ recognitions: { projectId: string; amountMinor: number }[] }>(
    'GET',
    `${endpoints.billing}/billing-periods/${period}/revenue`,
  );
  expectOk('reading recognised revenue', recognised);
  const ownProjects = new Set(Object.values(projects));
  const revenueTotal = sum(
    recognised.body.recognitions.filter((r) => ownProjects.has(r.projectId)).map((r) => r.amountMinor),
  );
  // Reporting has caught up when what it shows of the demo's projects and people matches the
  // services that own it: the invoices issued and revenue recognised (billing), each project's actual
  // cost (billing) and cost forecast (project), and the hours booked (the PSA intake above).
  const costs = await Promise.all(
    Object.values(projects).map(async (projectId) => {
      const { body } = await request<{ costAmountMinor: number }[]>(
        'GET',
        `${endpoints.billing}/actuals?projectId=${projectId}`,
      );
      return [projectId, sum(body.map((actual) => actual.costAmountMinor))] as const;
    }),
  );
  const booked = new Map(
    people.map((person) => [person.personId, Math.round(Number(person.dailyHours) * 100) * days.length]),
  );
  const summary = await eventually(async () => {
    const forecasts = await Promise.all(
      Object.values(projects).map(async (projectId) => {
        const { body } = await request<{ forecastMarginMinor: number }>(
          'GET',
          `${endpoints.project}/projects/${projectId}/forecast`,
        );
        return [projectId, body.forecastMarginMinor] as const;
      }),
    );
    const own = await ownSummary(endpoints.reporting, period, projects, people);
    if (!own) return undefined;
    const caughtUp =
      sum(own.invoices.map((i) => i.totalMinor)) === sum(issued.map((i) => i.totalMinor)) &&
      sum(own.revenue.map((r) => r.amountMinor)) === revenueTotal &&
      costs.every(([projectId, cost]) => own.costs.get(projectId) === cost) &&
      forecasts.every(([projectId, margin]) => own.forecastMargins.get(projectId) === margin) &&
      people.every(
        (p) =>
          own.utilisation.find((row) => row.personId === p.personId)?.billableHoursHundredths ===
          booked.get(p.personId),
      );
    return caughtUp ? own : undefined;
  }, DEMO_WAIT_MS).catch(() => {
    throw new Error(`timed out waiting for reporting to show the invoices, revenue and margins of ${period}`);
  });
  printSummary(summary, issued, print);
  return { issued, summary };
}

interface ProjectFigures {
  margin: {
    actual: { cost: { amountMinor: number } };
    forecast: { margin: { amountMinor: number } } | null;
  }[];
  invoices: {
    invoiceId: string;
    billingPeriod: string;
    invoiceTotal: { amountMinor: number; currency: string };
  }[];
  revenue: { period: string; amount: { amountMinor: number; currency: string } }[];
}

/**
 * Reporting's summary of `period` narrowed to the demo's own projects and people: the period's
 * totals count everyone's invoices and revenue, so those come from the projects' own reports.
 * Undefined while reporting does not know a project yet. `costs` and `forecastMargins` (per project)
 * tell whether reporting has caught up.
 */
async function ownSummary(
  reportingUrl: string,
  period: string,
  projects: DemoProjects,
  people: readonly Person[],
): Promise<
  (ReportingSummary & { costs: Map<string, number>; forecastMargins: Map<string, number | null> }) | undefined
> {
  const reports = await Promise.all(
    Object.values(projects).map((projectId) =>
      request<ProjectFigures>('GET', `${reportingUrl}/reports/projects/${projectId}`),
    ),
  );
  if (reports.some((report) => report.status !== 200)) return undefined;
  // After the project reports the caller checks: reporting only moves forward, so the summary's
  // margins and utilisation are at least as recent as the invoices and revenue checked.
  const period_ = await request<ReportingSummary>('GET', `${reportingUrl}/reports/summary?period=${period}`);
  if (period_.status !== 200) return undefined;
  const invoices = new Map<string, { currency: string; totalMinor: number }>();
  for (const report of reports) {
    for (const invoice of report.body.invoices.filter((i) => i.billingPeriod === period)) {
      invoices.set(invoice.invoiceId, {
        currency: invoice.invoiceTotal.currency,
        totalMinor: invoice.invoiceTotal.amountMinor,
      });
    }
  }
  const revenue = reports.flatMap((report) =>
    report.body.revenue.filter((r) => r.period === period).map((r) => r.amount),
  );
  const ownPeople = new Set(people.map((person) => person.personId));
  const ownProjects = new Set(Object.values(projects));
  return {
    period,
    invoices: totalsByCurrency([...invoices.values()]).map(([currency, totalMinor, count]) => ({
      currency,
      totalMinor,
      count,
    })),
    revenue: totalsByCurrency(revenue.map((r) => ({ currency: r.currency, totalMinor: r.amountMinor }))).map(
      ([currency, amountMinor]) => ({ currency, amountMinor }),
    ),
    utilisation: period_.body.utilisation.filter((row) => ownPeople.has(row.personId)),
    margin: period_.body.margin.filter((row) => ownProjects.has(row.projectId)),
    costs: new Map(
      Object.values(projects).map((projectId, i) => [
        projectId,
        reports[i].body.margin[0]?.actual.cost.amountMinor,
      ]),
    ),
    forecastMargins: new Map(
      Object.values(projects).map((projectId, i) => [
        projectId,
        reports[i].body.margin[0]?.forecast?.margin.amountMinor ?? null,
      ]),
    ),
  };
}

/** [currency, total, count] per currency, in currency order. */
function totalsByCurrency(amounts: readonly { currency: string; totalMinor: number }[]) {
  const totals = new Map<string, [string, number, number]>();
  for (const { currency, totalMinor } of amounts) {
    const total = totals.get(currency) ?? [currency, 0, 0];
    totals.set(currency, [currency, total[1] + totalMinor, total[2] + 1]);
  }
  return [...totals.values()].sort(([a], [b]) => a.localeCompare(b));
}

export interface TimeToCashResult {
  issued: Invoice[];
  summary: ReportingSummary;
}

export interface ReportingSummary {
  period: string;
  invoices: { currency: string; totalMinor: number; count?: number }[];
  revenue: { currency: string; amountMinor: number }[];
  utilisation: {
    personId: string;
    billableHours?: string;
    billableHoursHundredths?: number;
    utilisationBasisPoints: number;
  }[];
  margin: { projectId: string; currency: string; [figure: string]: unknown }[];
}

function printSummary(
  summary: ReportingSummary,
  issued: readonly Invoice[],
  print: (line: string) => void,
): void {
  print(`\n== ${summary.period} from reporting`);
  for (const invoice of issued) {
    const tax = invoice.reverseCharge
      ? '  (reverse charge, no VAT)'
      : `  (net ${formatMinor(invoice.netMinor ?? invoice.totalMinor)} + VAT ${formatMinor(invoice.taxMinor ?? 0)})`;
    print(
      `   invoice   ${(invoice.invoiceNumber ?? invoice.invoiceId).padEnd(20)} ${invoice.legalEntityId.padEnd(12)} ${formatMinor(invoice.totalMinor).padStart(10)} ${invoice.currency}${tax}`,
    );
  }
  for (const invoice of summary.invoices)
    print(
      `   invoiced  total                ${formatMinor(invoice.totalMinor).padStart(23)} ${invoice.currency}`,
    );
  for (const revenue of summary.revenue)
    print(
      `   revenue   recognised           ${formatMinor(revenue.amountMinor).padStart(23)} ${revenue.currency}`,
    );
  for (const person of summary.utilisation) {
    print(
      `   utilisation ${person.personId.padEnd(14)} ${(person.billableHours ?? '').padStart(8)} billable  ${(person.utilisationBasisPoints / 100).toFixed(2).padStart(6)}%`,
    );
  }
  for (const project of summary.margin) {
    const actual = Number(project['actualMarginMinor']);
    const forecast = Number(project['forecastMarginMinor']);
    print(
      `   margin    ${project.projectId.padEnd(28)} actual ${formatMinor(actual).padStart(10)}  forecast ${formatMinor(forecast).padStart(10)} ${project.currency}`,
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
