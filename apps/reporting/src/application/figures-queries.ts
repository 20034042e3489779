import { Inject, Injectable } from '@nestjs/common';

import { periodBounds } from '@throughline/calendar';
import { NotFoundError } from '@throughline/platform';

import { FiguresConfig } from '../config';
import {
  AgeingReport,
  arAgeing,
  backlog,
  BacklogCustomer,
  BacklogProject,
  billingLeakage,
  deliveryRisk,
  DeliveryRiskReport,
  LeakageReport,
  margin,
  MarginProject,
  periodSummary,
  PeriodSummary,
} from '../domain/figures';
import { ProjectPlan, projectPlan } from '../domain/project-plan';
import { schemaOf } from '../domain/projection';
import { projectReport, ProjectReport } from '../domain/project-report';
import { MilestoneCompletionFacts, PlanChangeFacts, ProjectFacts } from '../domain/time-to-cash';
import { utilisation, UtilisationGroup, UtilisationReport } from '../domain/utilisation';
import {
  toActualFacts,
  toAssignmentFacts,
  toCompletionFacts,
  toForecastFacts,
  toInvoiceFacts,
  toPaymentFacts,
  toPeriodCloseFacts,
  toPlanChangeFacts,
  toProjectFacts,
  toRevenueFacts,
} from '../infrastructure/figure-rows';
import { ProjectionStore } from '../infrastructure/projection-store';
import { costTotals, costTotalsUntil, timeTotals, uninvoicedTotals } from '../infrastructure/report-totals';
import { ActualFilter, ReportingTx } from '../infrastructure/reporting-db';
import { PROJECTION_STORE } from './timeline-recorder';
import { SharedReads } from './shared-reads';

export const FIGURES_CONFIG = Symbol('FIGURES_CONFIG');

/**
 * A report's snapshot. Under load (100 concurrent requests) requests queue for one of the pool's
 * connections: Prisma's default 2 s wait answered most of them 503 instead of waiting its turn.
 */
export const READ_TRANSACTION = {
  isolationLevel: 'RepeatableRead',
  maxWait: 30_000,
  timeout: 30_000,
} as const;

/**
 * Time-to-cash reports. Each answer loads the facts it needs from one RepeatableRead snapshot of
 * the active projection and hands them to the domain functions that compute the figures. Figures
 * over every actual or timesheet entry read the report totals the projection keeps (report-totals),
 * so an answer reads a few rows per project or person, not the month's entries.
 */
@Injectable()
export class FiguresQueries {
  private readonly shared = new SharedReads();

  constructor(
    @Inject(PROJECTION_STORE) private readonly projections: ProjectionStore,
    @Inject(FIGURES_CONFIG) private readonly config: FiguresConfig,
  ) {}

  utilisation(period: string, groupBy: UtilisationGroup): Promise<UtilisationReport> {
    return this.read(['utilisation', period, groupBy], (tx, schema) =>
      this.people(tx, schema, period, groupBy),
    );
  }

  backlog(): Promise<{ projects: BacklogProject[]; customers: BacklogCustomer[] }> {
    return this.read(['backlog'], async (tx) => backlog(await this.plans(tx), await this.invoices(tx)));
  }

  margin(): Promise<{ projects: MarginProject[] }> {
    return this.read(['margin'], async (tx, schema) => ({ projects: await this.margins(tx, schema) }));
  }

  leakage(asOf: string): Promise<LeakageReport> {
    return this.read(['leakage', asOf], async (tx, schema) =>
      billingLeakage(await uninvoicedTotals(tx, schema), asOf),
    );
  }

  arAgeing(asOf: string): Promise<AgeingReport> {
    return this.read(['arAgeing', asOf], async (tx) =>
      arAgeing(await this.invoices(tx), (await tx.payment.findMany()).map(toPaymentFacts), asOf),
    );
  }

  deliveryRisk(asOf: string): Promise<DeliveryRiskReport> {
    return this.read(['deliveryRisk', asOf], async (tx, schema) =>
      deliveryRisk(
        await this.plans(tx),
        await costTotalsUntil(tx, schema, asOf),
        (await tx.projectForecast.findMany()).map(toForecastFacts),
        asOf,
        this.config.riskThresholdBasisPoints,
      ),
    );
  }

  project(projectId: string, asOf: string): Promise<ProjectReport> {
    return this.read(['project', projectId, asOf], async (tx) => {
      const [plan] = await this.plans(tx, projectId);
      if (!plan)
        throw new NotFoundError(
          `Unknown project ${projectId}: no ProjectCreated or ProjectPlanChanged recorded`,
        );
      const invoiceIds = (
        await tx.invoiceLine.findMany({
          where: { projectId },
          select: { invoiceId: true },
          distinct: ['invoiceId'],
        })
      ).map((line) => line.invoiceId);
      const forecast = await tx.projectForecast.findUnique({ where: { projectId } });
      return projectReport(
        plan,
        {
          actuals: await this.actuals(tx, { projectId }),
          forecast: forecast && toForecastFacts(forecast),
          invoices: await this.invoices(tx, invoiceIds),
          payments: (await tx.payment.findMany({ where: { invoiceId: { in: invoiceIds } } })).map(
            toPaymentFacts,
          ),
          revenues: (await tx.revenueRecognition.findMany({ where: { projectId } })).map(toRevenueFacts),
        },
        asOf,
        this.config.riskThresholdBasisPoints,
      );
    });
  }

  summary(period: string): Promise<PeriodSummary> {
    return this.read(['summary', period], async (tx, schema) => {
      const closed = await tx.billingPeriodClose.findUnique({ where: { period } });
      const people = await this.people(tx, schema, period, 'person');
      return periodSummary(
        period,
        await this.invoices(tx, undefined, period),
        (await tx.revenueRecognition.findMany({ where: { period } })).map(toRevenueFacts),
        people.rows,
        await this.margins(tx, schema),
        closed && toPeriodCloseFacts(closed),
      );
    });
  }

  /** One snapshot of the active projection, shared by concurrent requests for the same answer. */
  private async read<T>(
    question: readonly string[],
    work: (tx: ReportingTx, schema: string) => Promise<T>,
  ): Promise<T> {
    const { version } = await this.projections.active();
    return this.shared.share(`${version}:${JSON.stringify(question)}`, () =>
      this.projections.db(version).$transaction((tx) => work(tx, schemaOf(version)), READ_TRANSACTION),
    );
  }

  /**
   * Utilisation from the approved timesheets of the period (not billing's actuals, and added up per
   * person, role and billable flag by the projection) and the confirmed assignments overlapping it.
   */
  private async people(
    tx: ReportingTx,
    schema: string,
    period: string,
    groupBy: UtilisationGroup,
  ): Promise<UtilisationReport> {
    const { first, last } = periodBounds(period);
    return utilisation(
      period,
      this.config.capacityHoursPerDayHundredths,
      await timeTotals(tx, schema, period),
      (
        await tx.assignment.findMany({
          where: { status: 'CONFIRMED', endDate: { gte: first }, startDate: { lte: last } },
        })
      ).map(toAssignmentFacts),
      groupBy,
      this.config.holidays,
    );
  }

  private async margins(tx: ReportingTx, schema: string): Promise<MarginProject[]> {
    return margin(
      (await tx.revenueRecognition.findMany()).map(toRevenueFacts),
      await costTotals(tx, schema),
      (await tx.projectForecast.findMany()).map(toForecastFacts),
      (await this.plans(tx)).map((plan) => ({ projectId: plan.projectId, currency: plan.currency })),
    );
  }

  private async actuals(tx: ReportingTx, where: ActualFilter = {}) {
    return (await tx.actual.findMany({ where })).map(toActualFacts);
  }

  private async invoices(tx: ReportingTx, invoiceIds?: string[], billingPeriod?: string) {
    const rows = await tx.invoice.findMany({
      where: {
        ...(invoiceIds ? { invoiceId: { in: invoiceIds } } : {}),
        ...(billingPeriod ? { billingPeriod } : {}),
      },
      include: { lines: true, taxes: true },
    });
    return rows.map(toInvoiceFacts);
  }

  /** Baseline against current for every project known (or one), with its completed milestones. */
  private async plans(tx: ReportingTx, projectId?: string): Promise<ProjectPlan[]> {
    const where = projectId ? { projectId } : {};
    const created = new Map<string, ProjectFacts>(
      (await tx.projectBaseline.findMany({ where })).map((row) => [row.projectId, toProjectFacts(row)]),
    );
    const changed = new Map<string, PlanChangeFacts>(
      (await tx.projectPlan.findMany({ where })).map((row) => [row.projectId, toPlanChangeFacts(row)]),
    );
    const completions = new Map<string, MilestoneCompletionFacts[]>();
    for (const row of await tx.milestoneCompletion.findMany({ where })) {
      const list = completions.get(row.projectId) ?? [];
      list.push(toCompletionFacts(row));
      completions.set(row.projectId, list);
    }
    return [...new Set([...created.keys(), ...changed.keys()])]
      .sort()
      .map((id) => projectPlan(created.get(id) ?? null, changed.get(id) ?? null, completions.get(id) ?? []))
      .filter((plan): plan is ProjectPlan => plan !== null);
  }
}
