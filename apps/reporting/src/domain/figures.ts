import { daysBetween, periodEndedBefore } from '@throughline/calendar';
import { ActualStatus } from '@throughline/contracts';

import { LegalEntityTaxSummary, periodTax } from './invoice-tax';
import { formatMoney } from './money';
import { percentComplete, PercentComplete, ProjectPlan } from './project-plan';
import { basisPoints, sumMinor } from './ratio';
import {
  ActualFacts,
  ForecastFacts,
  InvoiceFacts,
  PaymentFacts,
  PeriodCloseFacts,
  RevenueFacts,
  UNINVOICED_STATUSES,
} from './time-to-cash';
import { UtilisationRow } from './utilisation';

/** An amount with its currency and a display string ("EUR 1,234.50"), always integer minor units. */
export interface Money {
  amountMinor: number;
  currency: string;
  formatted: string;
}

export function money(amountMinor: number, currency: string): Money {
  return { amountMinor, currency, formatted: formatMoney(amountMinor, currency) };
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

// ---------------------------------------------------------------------------------------------
// Backlog

export interface BacklogProject {
  projectId: string;
  dealId: string | null;
  customerId: string | null;
  currency: string;
  contracted: Money;
  invoiced: Money;
  backlog: Money;
}

export interface BacklogCustomer {
  customerId: string | null;
  currency: string;
  projects: number;
  contracted: Money;
  invoiced: Money;
  backlog: Money;
}

/**
 * Backlog = contracted (the project's current budget) − invoiced (invoice lines naming the project),
 * per project and currency. Lines in another currency than the project's get their own row with
 * nothing contracted, so no amount is ever converted or lost. Negative backlog means over-invoiced.
 */
export function backlog(
  plans: readonly ProjectPlan[],
  invoices: readonly InvoiceFacts[],
): { projects: BacklogProject[]; customers: BacklogCustomer[] } {
  const rows = new Map<
    string,
    {
      projectId: string;
      dealId: string | null;
      customerId: string | null;
      currency: string;
      contracted: number;
      invoiced: number;
    }
  >();
  const row = (projectId: string, currency: string, dealId: string | null, customerId: string | null) => {
    const key = `${projectId}\u0000${currency}`;
    let found = rows.get(key);
    if (!found) {
      found = { projectId, dealId, customerId, currency, contracted: 0, invoiced: 0 };
      rows.set(key, found);
    }
    found.dealId ??= dealId;
    found.customerId ??= customerId;
    return found;
  };
  for (const plan of plans)
    row(plan.projectId, plan.currency, plan.dealId, plan.customerId).contracted += plan.budget.currentMinor;
  for (const invoice of invoices) {
    for (const line of invoice.lines) {
      const target = row(line.projectId, invoice.currency, line.dealId, invoice.customerId);
      target.invoiced = sumMinor([target.invoiced, line.amountMinor]);
    }
  }
  const projects = [...rows.values()]
    .map((r) => ({
      projectId: r.projectId,
      dealId: r.dealId,
      customerId: r.customerId,
      currency: r.currency,
      contracted: money(r.contracted, r.currency),
      invoiced: money(r.invoiced, r.currency),
      backlog: money(r.contracted - r.invoiced, r.currency),
    }))
    .sort(byKey((p) => `${p.projectId}\u0000${p.currency}`));
  const customers = new Map<
    string,
    { customerId: string | null; currency: string; projects: number; contracted: number; invoiced: number }
  >();
  for (const project of projects) {
    const key = `${project.customerId ?? ''}\u0000${project.currency}`;
    const target = customers.get(key) ?? {
      customerId: project.customerId,
      currency: project.currency,
      projects: 0,
      contracted: 0,
      invoiced: 0,
    };
    target.projects += 1;
    target.contracted += project.contracted.amountMinor;
    target.invoiced += project.invoiced.amountMinor;
    customers.set(key, target);
  }
  return {
    projects,
    customers: [...customers.values()]
      .map((c) => ({
        customerId: c.customerId,
        currency: c.currency,
        projects: c.projects,
        contracted: money(c.contracted, c.currency),
        invoiced: money(c.invoiced, c.currency),
        backlog: money(c.contracted - c.invoiced, c.currency),
      }))
      .sort(byKey((c) => `${c.customerId ?? ''}\u0000${c.currency}`)),
  };
}

// ---------------------------------------------------------------------------------------------
// Margin

export interface MarginFigures {
  revenue: Money;
  cost: Money;
  margin: Money;
  /** Margin / revenue in basis points; null without revenue. */
  marginBasisPoints: number | null;
}

export interface MarginProject {
  projectId: string;
  currency: string;
  /** Recognized revenue to date − cost of every actual recorded (billable or not, any status). */
  actual: MarginFigures;
  /** The latest forecast's revenue − cost; null before the first forecast. */
  forecast: MarginFigures | null;
}

function marginFigures(revenue: number, cost: number, currency: string): MarginFigures {
  const margin = revenue - cost;
  return {
    revenue: money(revenue, currency),
    cost: money(cost, currency),
    margin: money(margin, currency),
    marginBasisPoints: revenue === 0 ? null : basisPoints(margin, revenue),
  };
}

/** What margin and delivery risk need of an actual; a report total of several actuals works too. */
export type CostFacts = Pick<ActualFacts, 'projectId' | 'currency' | 'workDate' | 'costAmountMinor'>;

/**
 * What billing leakage needs of an actual; `count` > 1 stands for that many actuals added up (a
 * report total: amounts and hours are their sums).
 */
export type LeakageFacts = Pick<
  ActualFacts,
  | 'projectId'
  | 'dealId'
  | 'customerId'
  | 'currency'
  | 'billable'
  | 'status'
  | 'billingPeriod'
  | 'billAmountMinor'
  | 'hoursHundredths'
> & { count?: number };

/** Margin per project and currency, actual and forecast; `projectIds` adds projects with neither yet. */
export function margin(
  revenues: readonly RevenueFacts[],
  actuals: readonly Omit<CostFacts, 'workDate'>[],
  forecasts: readonly ForecastFacts[],
  projects: readonly { projectId: string; currency: string }[] = [],
): MarginProject[] {
  const rows = new Map<
    string,
    { projectId: string; currency: string; revenue: number; cost: number; forecast: ForecastFacts | null }
  >();
  const row = (projectId: string, currency: string) => {
    const key = `${projectId}\u0000${currency}`;
    let found = rows.get(key);
    if (!found) {
      found = { projectId, currency, revenue: 0, cost: 0, forecast: null };
      rows.set(key, found);
    }
    return found;
  };
  for (const project of projects) row(project.projectId, project.currency);
  for (const revenue of revenues) {
    const target = row(revenue.projectId, revenue.currency);
    target.revenue = sumMinor([target.revenue, revenue.amountMinor]);
  }
  for (const actual of actuals) {
    const target = row(actual.projectId, actual.currency);
    target.cost = sumMinor([target.cost, actual.costAmountMinor]);
  }
  for (const forecast of forecasts) row(forecast.projectId, forecast.currency).forecast = forecast;
  return [...rows.values()]
    .map((r) => ({
      projectId: r.projectId,
      currency: r.currency,
      actual: marginFigures(r.revenue, r.cost, r.currency),
      forecast: r.forecast && marginFigures(r.forecast.revenueMinor, r.forecast.costMinor, r.currency),
    }))
    .sort(byKey((p) => `${p.projectId}\u0000${p.currency}`));
}

// ---------------------------------------------------------------------------------------------
// Billing leakage

export interface LeakageProject {
  projectId: string;
  dealId: string;
  customerId: string;
  currency: string;
  /** Billable value not invoiced; unpriced actuals add 0 (they have no price yet) but are counted. */
  amount: Money;
  actuals: number;
  unpriced: number;
  hoursHundredths: number;
  byStatus: Partial<Record<ActualStatus, number>>;
  oldestBillingPeriod: string;
}

export interface LeakageReport {
  asOf: string;
  totals: (Money & { actuals: number; unpriced: number })[];
  projects: LeakageProject[];
}

/**
 * Billing leakage on `asOf`: billable approved actuals still UNPRICED, UNBILLED or READY_TO_INVOICE
 * whose billing period ended before `asOf` (its last day is earlier), per project and currency.
 */
export function billingLeakage(actuals: readonly LeakageFacts[], asOf: string): LeakageReport {
  const rows = new Map<string, Omit<LeakageProject, 'amount'> & { amountMinor: number }>();
  for (const actual of actuals) {
    if (!actual.billable || !UNINVOICED_STATUSES.includes(actual.status)) continue;
    if (!periodEndedBefore(actual.billingPeriod, asOf)) continue;
    const key = `${actual.projectId}\u0000${actual.currency}`;
    const target = rows.get(key) ?? {
      projectId: actual.projectId,
      dealId: actual.dealId,
      customerId: actual.customerId,
      currency: actual.currency,
      amountMinor: 0,
      actuals: 0,
      unpriced: 0,
      hoursHundredths: 0,
      byStatus: {},
      oldestBillingPeriod: actual.billingPeriod,
    };
    const count = actual.count ?? 1;
    target.amountMinor = sumMinor([target.amountMinor, actual.billAmountMinor]);
    target.actuals += count;
    if (actual.status === 'UNPRICED') target.unpriced += count;
    target.hoursHundredths += actual.hoursHundredths;
    target.byStatus[actual.status] = (target.byStatus[actual.status] ?? 0) + count;
    if (actual.billingPeriod < target.oldestBillingPeriod) target.oldestBillingPeriod = actual.billingPeriod;
    rows.set(key, target);
  }
  const projects = [...rows.values()]
    .map(({ amountMinor, ...rest }) => ({ ...rest, amount: money(amountMinor, rest.currency) }))
    .sort(byKey((p) => `${p.projectId}\u0000${p.currency}`));
  const totals = new Map<string, { amountMinor: number; actuals: number; unpriced: number }>();
  for (const project of projects) {
    const total = totals.get(project.currency) ?? { amountMinor: 0, actuals: 0, unpriced: 0 };
    total.amountMinor += project.amount.amountMinor;
    total.actuals += project.actuals;
    total.unpriced += project.unpriced;
    totals.set(project.currency, total);
  }
  return {
    asOf,
    totals: [...totals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, total]) => ({
        ...money(total.amountMinor, currency),
        actuals: total.actuals,
        unpriced: total.unpriced,
      })),
    projects,
  };
}

// ---------------------------------------------------------------------------------------------
// AR ageing

export const AGEING_BUCKETS = ['current', 'days1to30', 'days31to60', 'days61to90', 'days90plus'] as const;
export type AgeingBucket = (typeof AGEING_BUCKETS)[number];

/** current: not yet past due (due on or after asOf); then by whole days past the due date. */
export function ageingBucket(daysPastDue: number): AgeingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return 'days1to30';
  if (daysPastDue <= 60) return 'days31to60';
  if (daysPastDue <= 90) return 'days61to90';
  return 'days90plus';
}

export interface OpenInvoice {
  invoiceId: string;
  invoiceNumber: string;
  issuedOn: string;
  dueDate: string;
  daysPastDue: number;
  bucket: AgeingBucket;
  total: Money;
  paid: Money;
  outstanding: Money;
}

export interface AgeingRow {
  customerId: string;
  currency: string;
  buckets: Record<AgeingBucket, Money>;
  outstanding: Money;
  /** Paid beyond invoice totals (or against invoices not known yet); not netted against other invoices. */
  unapplied: Money;
  invoices: OpenInvoice[];
}

export interface AgeingReport {
  asOf: string;
  customers: AgeingRow[];
  totals: { currency: string; buckets: Record<AgeingBucket, Money>; outstanding: Money }[];
}

function emptyBuckets(currency: string): Record<AgeingBucket, Money> {
  return Object.fromEntries(AGEING_BUCKETS.map((bucket) => [bucket, money(0, currency)])) as Record<
    AgeingBucket,
    Money
  >;
}

function addTo(target: Record<AgeingBucket, Money>, bucket: AgeingBucket, amountMinor: number): void {
  const current = target[bucket];
  target[bucket] = money(sumMinor([current.amountMinor, amountMinor]), current.currency);
}

/**
 * Accounts receivable on `asOf`: invoices issued on or before it minus payments received on or
 * before it (matched by invoice id and currency), per customer and currency, aged by whole days
 * past the due date. Fully paid invoices drop out; overpayments are reported as unapplied.
 */
export function arAgeing(
  invoices: readonly InvoiceFacts[],
  payments: readonly PaymentFacts[],
  asOf: string,
): AgeingReport {
  const paidOf = new Map<string, number>();
  const invoiceKeys = new Set(
    invoices.filter((i) => i.issuedOn <= asOf).map((i) => `${i.invoiceId}\u0000${i.currency}`),
  );
  const unappliedOf = new Map<string, number>();
  for (const payment of payments) {
    if (payment.receivedOn > asOf) continue;
    const key = `${payment.invoiceId}\u0000${payment.currency}`;
    if (invoiceKeys.has(key)) paidOf.set(key, sumMinor([paidOf.get(key) ?? 0, payment.amountMinor]));
    else {
      const customerKey = `${payment.customerId}\u0000${payment.currency}`;
      unappliedOf.set(customerKey, sumMinor([unappliedOf.get(customerKey) ?? 0, payment.amountMinor]));
    }
  }
  const rows = new Map<string, { customerId: string; currency: string; invoices: OpenInvoice[] }>();
  const row = (customerId: string, currency: string) => {
    const key = `${customerId}\u0000${currency}`;
    let found = rows.get(key);
    if (!found) {
      found = { customerId, currency, invoices: [] };
      rows.set(key, found);
    }
    return found;
  };
  for (const invoice of invoices) {
    if (invoice.issuedOn > asOf) continue;
    const paid = paidOf.get(`${invoice.invoiceId}\u0000${invoice.currency}`) ?? 0;
    const outstanding = invoice.totalMinor - paid;
    const customerKey = `${invoice.customerId}\u0000${invoice.currency}`;
    if (outstanding < 0) unappliedOf.set(customerKey, (unappliedOf.get(customerKey) ?? 0) - outstanding);
    if (outstanding <= 0) continue;
    const daysPastDue = daysBetween(invoice.dueDate, asOf);
    row(invoice.customerId, invoice.currency).invoices.push({
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
      issuedOn: invoice.issuedOn,
      dueDate: invoice.dueDate,
      daysPastDue,
      bucket: ageingBucket(daysPastDue),
      total: money(invoice.totalMinor, invoice.currency),
      paid: money(paid, invoice.currency),
      outstanding: money(outstanding, invoice.currency),
    });
  }
  for (const key of unappliedOf.keys()) {
    const [customerId, currency] = key.split('\u0000');
    row(customerId, currency);
  }
  const customers = [...rows.values()]
    .map((r) => {
      const buckets = emptyBuckets(r.currency);
      for (const invoice of r.invoices) addTo(buckets, invoice.bucket, invoice.outstanding.amountMinor);
      return {
        customerId: r.customerId,
        currency: r.currency,
        buckets,
        outstanding: money(sumMinor(r.invoices.map((i) => i.outstanding.amountMinor)), r.currency),
        unapplied: money(unappliedOf.get(`${r.customerId}\u0000${r.currency}`) ?? 0, r.currency),
        invoices: r.invoices.sort(byKey((i) => `${i.dueDate}\u0000${i.invoiceId}`)),
      };
    })
    .sort(byKey((c) => `${c.customerId}\u0000${c.currency}`));
  const totals = new Map<string, Record<AgeingBucket, Money>>();
  for (const customer of customers) {
    const buckets = totals.get(customer.currency) ?? emptyBuckets(customer.currency);
    for (const bucket of AGEING_BUCKETS) addTo(buckets, bucket, customer.buckets[bucket].amountMinor);
    totals.set(customer.currency, buckets);
  }
  return {
    asOf,
    customers,
    totals: [...totals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, buckets]) => ({
        currency,
        buckets,
        outstanding: money(sumMinor(AGEING_BUCKETS.map((bucket) => buckets[bucket].amountMinor)), currency),
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery risk

export interface RiskAssessment {
  projectId: string;
  dealId: string;
  currency: string;
  /** Actual cost to date / forecast cost, basis points. */
  burnBasisPoints: number;
  percentCompleteBasisPoints: number;
  percentCompleteBasis: PercentComplete['basis'];
  /** Burn minus percent complete, basis points; at risk when above the threshold. */
  gapBasisPoints: number;
  atRisk: boolean;
  actualCost: Money;
  forecastCost: Money;
}

export interface DeliveryRiskReport {
  asOf: string;
  thresholdBasisPoints: number;
  atRisk: RiskAssessment[];
  /** Projects whose burn cannot be measured yet: no forecast, or a forecast cost of 0. */
  notAssessed: { projectId: string; reason: string }[];
}

/**
 * Budget burn against progress for one project on `asOf`. Burn is cost to cost: the cost of the
 * project's actuals worked on or before `asOf` over the latest forecast's total cost (a forecast in
 * another currency than the actuals cannot be compared). Null when it cannot be measured.
 */
export function assessRisk(
  plan: ProjectPlan,
  actuals: readonly CostFacts[],
  forecast: ForecastFacts | null,
  asOf: string,
  thresholdBasisPoints: number,
): RiskAssessment | { projectId: string; reason: string } {
  if (!forecast) return { projectId: plan.projectId, reason: 'no cost forecast yet' };
  if (forecast.costMinor <= 0) return { projectId: plan.projectId, reason: 'forecast cost is 0' };
  const cost = sumMinor(
    actuals
      .filter((a) => a.projectId === plan.projectId && a.currency === forecast.currency && a.workDate <= asOf)
      .map((a) => a.costAmountMinor),
  );
  const burn = basisPoints(cost, forecast.costMinor);
  const progress = percentComplete(plan, asOf);
  const gap = burn - progress.basisPoints;
  return {
    projectId: plan.projectId,
    dealId: plan.dealId,
    currency: forecast.currency,
    burnBasisPoints: burn,
    percentCompleteBasisPoints: progress.basisPoints,
    percentCompleteBasis: progress.basis,
    gapBasisPoints: gap,
    atRisk: gap > thresholdBasisPoints,
    actualCost: money(cost, forecast.currency),
    forecastCost: money(forecast.costMinor, forecast.currency),
  };
}

export function deliveryRisk(
  plans: readonly ProjectPlan[],
  actuals: readonly CostFacts[],
  forecasts: readonly ForecastFacts[],
  asOf: string,
  thresholdBasisPoints: number,
): DeliveryRiskReport {
  const forecastOf = new Map(forecasts.map((f) => [f.projectId, f]));
  const report: DeliveryRiskReport = { asOf, thresholdBasisPoints, atRisk: [], notAssessed: [] };
  for (const plan of [...plans].sort(byKey((p) => p.projectId))) {
    const assessment = assessRisk(
      plan,
      actuals,
      forecastOf.get(plan.projectId) ?? null,
      asOf,
      thresholdBasisPoints,
    );
    if ('reason' in assessment) report.notAssessed.push(assessment);
    else if (assessment.atRisk) report.atRisk.push(assessment);
  }
  report.atRisk.sort((a, b) => b.gapBasisPoints - a.gapBasisPoints || a.projectId.localeCompare(b.projectId));
  return report;
}

// ---------------------------------------------------------------------------------------------
// Period summary

export interface PeriodSummary {
  period: string;
  /** When the period was closed and the draft invoices it produced, per currency; null while open. */
  close: {
    closedAt: string;
    drafts: { currency: string; totalMinor: number; count: number; total: string }[];
  } | null;
  invoices: { currency: string; totalMinor: number; count: number; total: string }[];
  /** The same invoices per issuing legal entity and currency (what an analyst sums from InvoiceIssued). */
  invoicesByLegalEntity: {
    legalEntityId: string;
    currency: string;
    totalMinor: number;
    count: number;
    total: string;
  }[];
  /** The same invoices' tax per issuing legal entity and currency, per tax code and rate (invoice-tax.ts). */
  tax: LegalEntityTaxSummary[];
  revenue: { currency: string; amountMinor: number; amount: string }[];
  utilisation: {
    personId: string;
    role: string;
    billableHours: string;
    billableHoursHundredths: number;
    utilisationBasisPoints: number;
  }[];
  margin: {
    projectId: string;
    currency: string;
    actualMarginMinor: number;
    actualMarginBasisPoints: number | null;
    forecastMarginMinor: number | null;
    actualMargin: string;
    forecastMargin: string | null;
  }[];
}

/**
 * The demo's one-screen view of a period: invoices issued for the period (by billing period; per
 * currency, and per legal entity and currency) and revenue recognized in it, per currency; each person's utilisation in it; margin per project to date.
 */
export function periodSummary(
  period: string,
  invoices: readonly InvoiceFacts[],
  revenues: readonly RevenueFacts[],
  people: readonly UtilisationRow[],
  margins: readonly MarginProject[],
  close: PeriodCloseFacts | null = null,
): PeriodSummary {
  const invoiceTotals = new Map<string, { total: number; count: number }>();
  const legalEntityTotals = new Map<string, { legalEntityId: string; currency: string; total: number; count: number }>();
  for (const invoice of invoices) {
    if (invoice.billingPeriod !== period) continue;
    const total = invoiceTotals.get(invoice.currency) ?? { total: 0, count: 0 };
    total.total = sumMinor([total.total, invoice.totalMinor]);
    total.count += 1;
    invoiceTotals.set(invoice.currency, total);
    const key = `${invoice.legalEntityId}\u0000${invoice.currency}`;
    const entity = legalEntityTotals.get(key) ?? {
      legalEntityId: invoice.legalEntityId,
      currency: invoice.currency,
      total: 0,
      count: 0,
    };
    entity.total = sumMinor([entity.total, invoice.totalMinor]);
    entity.count += 1;
    legalEntityTotals.set(key, entity);
  }
  const revenueTotals = new Map<string, number>();
  for (const revenue of revenues) {
    if (revenue.period !== period) continue;
    revenueTotals.set(
      revenue.currency,
      sumMinor([revenueTotals.get(revenue.currency) ?? 0, revenue.amountMinor]),
    );
  }
  const drafts = new Map<string, { total: number; count: number }>();
  for (const draft of close?.period === period ? close.draftInvoices : []) {
    const total = drafts.get(draft.currency) ?? { total: 0, count: 0 };
    total.total = sumMinor([total.total, draft.totalMinor]);
    total.count += 1;
    drafts.set(draft.currency, total);
  }
  return {
    period,
    close:
      close?.period === period
        ? {
            closedAt: new Date(close.closedAt).toISOString(),
            drafts: [...drafts.entries()]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([currency, { total, count }]) => ({
                currency,
                totalMinor: total,
                count,
                total: formatMoney(total, currency),
              })),
          }
        : null,
    invoices: [...invoiceTotals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, { total, count }]) => ({
        currency,
        totalMinor: total,
        count,
        total: formatMoney(total, currency),
      })),
    invoicesByLegalEntity: [...legalEntityTotals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, { legalEntityId, currency, total, count }]) => ({
        legalEntityId,
        currency,
        totalMinor: total,
        count,
        total: formatMoney(total, currency),
      })),
    tax: periodTax(period, invoices),
    revenue: [...revenueTotals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amountMinor]) => ({
        currency,
        amountMinor,
        amount: formatMoney(amountMinor, currency),
      })),
    utilisation: people.map((row) => ({
      personId: row.personId ?? row.role,
      role: row.role,
      billableHours: row.billableHours,
      billableHoursHundredths: row.billableHoursHundredths,
      utilisationBasisPoints: row.utilisationBasisPoints,
    })),
    margin: margins.map((row) => ({
      projectId: row.projectId,
      currency: row.currency,
      actualMarginMinor: row.actual.margin.amountMinor,
      actualMarginBasisPoints: row.actual.marginBasisPoints,
      forecastMarginMinor: row.forecast?.margin.amountMinor ?? null,
      actualMargin: row.actual.margin.formatted,
      forecastMargin: row.forecast?.margin.formatted ?? null,
    })),
  };
}
