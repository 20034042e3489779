import { Inject, Injectable } from '@nestjs/common';

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
  toTimeFacts,
} from '../infrastructure/figure-rows';
import { ProjectionStore } from '../infrastructure/projection-store';
import { ActualFilter, ReportingTx } from '../infrastructure/reporting-db';
import { PROJECTION_STORE } from './timeline-recorder';

export const FIGURES_CONFIG = Symbol('FIGURES_CONFIG');

/**
 * Time-to-cash reports. Each answer loads the facts it needs from one RepeatableRead snapshot of
 * the active projection and hands them to the domain functions that compute the figures.
 */
@Injectable()
export class FiguresQueries {
  constructor(
    @Inject(PROJECTION_STORE) private readonly projections: ProjectionStore,
    @Inject(FIGURES_CONFIG) private readonly config: FiguresConfig,
  ) {}

  utilisation(period: string, groupBy: UtilisationGroup): Promise<UtilisationReport> {
    return this.read((tx) => this.people(tx, period, groupBy));
  }

  backlog(): Promise<{ projects: BacklogProject[]; customers: BacklogCustomer[] }> {
    return this.read(async (tx) => backlog(await this.plans(tx), await this.invoices(tx)));
  }

  margin(): Promise<{ projects: MarginProject[] }> {
    return this.read(async (tx) => ({ projects: await this.margins(tx) }));
  }

  leakage(asOf: string): Promise<LeakageReport> {
    return this.read(async (tx) =>
      billingLeakage(
        await this.actuals(tx, {
          billable: true,
          status: { in: ['UNPRICED', 'UNBILLED', 'READY_TO_INVOICE'] },
        }),
        asOf,
      ),
    );
  }

  arAgeing(asOf: string): Promise<AgeingReport> {
    return this.read(async (tx) =>
      arAgeing(await this.invoices(tx), (await tx.payment.findMany()).map(toPaymentFacts), asOf),
    );
  }

  deliveryRisk(asOf: string): Promise<DeliveryRiskReport> {
    return this.read(async (tx) =>
      deliveryRisk(
        await this.plans(tx),
        await this.actuals(tx),
        (await tx.projectForecast.findMany()).map(toForecastFacts),
        asOf,
        this.config.riskThresholdBasisPoints,
      ),
    );
  }

  project(projectId: string, asOf: string): Promise<ProjectReport> {
    return this.read(async (tx) => {
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
    return this.read(async (tx) => {
      const closed = await tx.billingPeriodClose.findUnique({ where: { period } });
      const people = await this.people(tx, period, 'person');
      return periodSummary(
        period,
        await this.invoices(tx, undefined, period),
        (await tx.revenueRecognition.findMany({ where: { period } })).map(toRevenueFacts),
        people.rows,
        await this.margins(tx),
        closed && toPeriodCloseFacts(closed),
      );
    });
  }

  private async read<T>(work: (tx: ReportingTx) => Promise<T>): Promise<T> {
    const db = this.projections.db((await this.projections.active()).version);
    return db.$transaction(work, { isolationLevel: 'RepeatableRead' });
  }

  /** Utilisation from the approved timesheets of the period (not billing's actuals) and the assignments. */
  private async people(
    tx: ReportingTx,
    period: string,
    groupBy: UtilisationGroup,
  ): Promise<UtilisationReport> {
    return utilisation(
      period,
      this.config.capacityHoursPerDayHundredths,
      (await tx.approvedTime.findMany({ where: { workDate: { startsWith: period } } })).map(toTimeFacts),
      (await tx.assignment.findMany({ where: { status: 'CONFIRMED' } })).map(toAssignmentFacts),
      groupBy,
      this.config.holidays,
    );
  }

  private async margins(tx: ReportingTx): Promise<MarginProject[]> {
    return margin(
      (await tx.revenueRecognition.findMany()).map(toRevenueFacts),
      await this.actuals(tx),
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
      include: { lines: true },
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
