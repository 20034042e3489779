import {
  assessRisk,
  backlog,
  BacklogProject,
  billingLeakage,
  LeakageProject,
  margin,
  MarginProject,
  money,
  Money,
  RiskAssessment,
} from './figures';
import { ProjectPlan } from './project-plan';
import { sumMinor } from './ratio';
import { ActualFacts, ForecastFacts, InvoiceFacts, PaymentFacts, RevenueFacts } from './time-to-cash';

export interface ProjectReport {
  projectId: string;
  asOf: string;
  plan: ProjectPlan;
  /** Planned hours (current plan) beside approved hours booked, per role. */
  hours: {
    role: string;
    plannedHoursHundredths: number;
    actualHoursHundredths: number;
    billableHoursHundredths: number;
  }[];
  backlog: BacklogProject[];
  margin: MarginProject[];
  leakage: LeakageProject[];
  deliveryRisk: RiskAssessment | { projectId: string; reason: string };
  invoices: {
    invoiceId: string;
    invoiceNumber: string;
    billingPeriod: string;
    issuedOn: string;
    dueDate: string;
    amount: Money;
    invoicePaid: Money;
    invoiceTotal: Money;
  }[];
  revenue: { period: string; amount: Money }[];
}

/**
 * Every figure of one project on `asOf`, from facts already narrowed to it (invoices: those with a
 * line for it; payments: those of these invoices). The same domain functions as the portfolio
 * reports compute them, so the two can never disagree.
 */
export function projectReport(
  plan: ProjectPlan,
  facts: {
    actuals: readonly ActualFacts[];
    forecast: ForecastFacts | null;
    invoices: readonly InvoiceFacts[];
    payments: readonly PaymentFacts[];
    revenues: readonly RevenueFacts[];
  },
  asOf: string,
  thresholdBasisPoints: number,
): ProjectReport {
  const { projectId } = plan;
  const actuals = facts.actuals.filter((actual) => actual.projectId === projectId);
  const invoices = facts.invoices
    .map((invoice) => ({ ...invoice, lines: invoice.lines.filter((line) => line.projectId === projectId) }))
    .filter((invoice) => invoice.lines.length > 0);
  const revenues = facts.revenues.filter((revenue) => revenue.projectId === projectId);

  const hours = new Map<string, { planned: number; actual: number; billable: number }>();
  const hoursOf = (role: string) => {
    const found = hours.get(role) ?? { planned: 0, actual: 0, billable: 0 };
    hours.set(role, found);
    return found;
  };
  for (const role of plan.roles) hoursOf(role.role).planned += role.currentHoursHundredths;
  for (const actual of actuals) {
    if (actual.kind !== 'TIME') continue;
    const target = hoursOf(actual.role ?? 'UNASSIGNED');
    target.actual += actual.hoursHundredths;
    if (actual.billable) target.billable += actual.hoursHundredths;
  }

  return {
    projectId,
    asOf,
    plan,
    hours: [...hours.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([role, h]) => ({
        role,
        plannedHoursHundredths: h.planned,
        actualHoursHundredths: h.actual,
        billableHoursHundredths: h.billable,
      })),
    backlog: backlog([plan], invoices).projects,
    margin: margin(revenues, actuals, facts.forecast ? [facts.forecast] : [], [
      { projectId, currency: plan.currency },
    ]),
    leakage: billingLeakage(actuals, asOf).projects,
    deliveryRisk: assessRisk(plan, actuals, facts.forecast, asOf, thresholdBasisPoints),
    invoices: invoices
      .map((invoice) => {
        const paid = sumMinor(
          facts.payments
            .filter(
              (p) =>
                p.invoiceId === invoice.invoiceId && p.currency === invoice.currency && p.receivedOn <= asOf,
            )
            .map((p) => p.amountMinor),
        );
        return {
          invoiceId: invoice.invoiceId,
          invoiceNumber: invoice.invoiceNumber,
          billingPeriod: invoice.billingPeriod,
          issuedOn: invoice.issuedOn,
          dueDate: invoice.dueDate,
          amount: money(sumMinor(invoice.lines.map((line) => line.amountMinor)), invoice.currency),
          invoicePaid: money(paid, invoice.currency),
          invoiceTotal: money(invoice.totalMinor, invoice.currency),
        };
      })
      .sort((a, b) => a.issuedOn.localeCompare(b.issuedOn) || a.invoiceId.localeCompare(b.invoiceId)),
    revenue: revenues
      .map((revenue) => ({ period: revenue.period, amount: money(revenue.amountMinor, revenue.currency) }))
      .sort((a, b) => a.period.localeCompare(b.period) || a.amount.currency.localeCompare(b.amount.currency)),
  };
}
