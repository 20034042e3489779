import { ActualStatus } from '@throughline/contracts';

import { CostFacts, LeakageFacts } from '../domain/figures';
import { TimeFacts } from '../domain/time-to-cash';
import { safe } from './figure-rows';
import { ReportingTx } from './reporting-db';

/**
 * Reads of the report totals that the projection tables' triggers keep (migrations/projection/005):
 * a few rows per project, date or person instead of every actual or timesheet entry. Totals whose
 * count fell to 0 (everything they added up moved elsewhere) are skipped.
 */

/** Cost of every actual per project and currency. */
export async function costTotals(tx: ReportingTx, schema: string): Promise<Omit<CostFacts, 'workDate'>[]> {
  const rows = await tx.$queryRawUnsafe<{ project_id: string; currency: string; cost_minor: bigint }[]>(
    `SELECT project_id, currency, sum(cost_minor)::bigint AS cost_minor FROM ${schema}.actual_cost_total
     WHERE actuals > 0 GROUP BY project_id, currency`,
  );
  return rows.map((row) => ({
    projectId: row.project_id,
    currency: row.currency,
    costAmountMinor: safe(row.cost_minor),
  }));
}

/** Cost of the actuals worked on or before `asOf`, per project and currency (dated `asOf`). */
export async function costTotalsUntil(tx: ReportingTx, schema: string, asOf: string): Promise<CostFacts[]> {
  const rows = await tx.$queryRawUnsafe<{ project_id: string; currency: string; cost_minor: bigint }[]>(
    `SELECT project_id, currency, sum(cost_minor)::bigint AS cost_minor FROM ${schema}.actual_cost_total
     WHERE actuals > 0 AND work_date <= $1 GROUP BY project_id, currency`,
    asOf,
  );
  return rows.map((row) => ({
    projectId: row.project_id,
    currency: row.currency,
    workDate: asOf,
    costAmountMinor: safe(row.cost_minor),
  }));
}

/** Billable actuals not invoiced yet, per project, currency, billing period and status. */
export async function uninvoicedTotals(tx: ReportingTx, schema: string): Promise<LeakageFacts[]> {
  const rows = await tx.$queryRawUnsafe<
    {
      project_id: string;
      currency: string;
      billing_period: string;
      status: string;
      deal_id: string;
      customer_id: string;
      actuals: bigint;
      hours_hundredths: bigint;
      bill_minor: bigint;
    }[]
  >(
    `SELECT project_id, currency, billing_period, status, deal_id, customer_id, actuals, hours_hundredths,
       bill_minor
     FROM ${schema}.actual_uninvoiced_total WHERE actuals > 0
     ORDER BY project_id, currency, billing_period, status, deal_id, customer_id`,
  );
  return rows.map((row) => ({
    projectId: row.project_id,
    dealId: row.deal_id,
    customerId: row.customer_id,
    currency: row.currency,
    billable: true,
    status: row.status as ActualStatus,
    billingPeriod: row.billing_period,
    billAmountMinor: safe(row.bill_minor),
    hoursHundredths: safe(row.hours_hundredths),
    count: safe(row.actuals),
  }));
}

/**
 * Approved hours of a month per person, role and billable flag, as one timesheet fact each (dated the
 * first of the month): utilisation only adds hours up, so it sees the same figures.
 */
export async function timeTotals(tx: ReportingTx, schema: string, period: string): Promise<TimeFacts[]> {
  const rows = await tx.$queryRawUnsafe<
    { person_id: string; role: string; billable: boolean; hours_hundredths: bigint }[]
  >(
    `SELECT person_id, role, billable, hours_hundredths FROM ${schema}.approved_time_total
     WHERE period = $1 AND entries > 0`,
    period,
  );
  return rows.map((row) => ({
    personId: row.person_id,
    role: row.role,
    workDate: `${period}-01`,
    hoursHundredths: safe(row.hours_hundredths),
    billable: row.billable,
  }));
}
