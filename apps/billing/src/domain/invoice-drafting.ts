/**
 * Period close: grouping what is billable into draft invoices per customer, legal entity, currency
 * and period. Pure: the caller loads the inputs and stores the plan.
 *
 * Lines:
 * - TIME: one line per actual on time-and-materials projects (quantity = hours, unit price = rate,
 *   amount = the actual's priced amount, sourceIds = [actualId]).
 * - EXPENSE: one line per billable expense, in the expense's currency.
 * - MILESTONE: fixed-fee milestones completed on or before the period end and not yet billed.
 * - RETAINER: retainer schedule items due on or before the period end and not yet billed.
 * - PROGRESS: percent-complete projects: floor(fee × costToDate / forecast) minus what progress
 *   billing already billed, never above the fee (no line when nothing new is due; no credit notes
 *   when a change order lowers the fee below what was billed). A project with cost to date but no
 *   forecast, a forecast of 0 or one below the cost to date has no cost basis: no line, and the
 *   plan names it in `noCostBasis` for the caller to raise an exception.
 * - Retainer time is drawn down against the retainer: one TIME line per retainer project and close
 *   cites every time actual drawn down and bills only the overage, i.e. usage to date beyond the
 *   retainer fees due to date plus the overage billed before (so overage is never billed twice).
 */
import { periodBounds } from '@throughline/calendar';
import { ActualKind, BillingType, InvoiceLineKind } from '@throughline/contracts';

import { floor } from './fraction';
import { toSafeNumber } from './pricing';
import { costToCostProgress, NoCostBasis } from './revenue-recognition';

/**
 * One line of a draft as billing stores it: one per actual or schedule item it bills. Issued
 * invoices publish these summarised (`summarizeInvoiceLines`).
 */
export interface InvoiceDetailLine {
  lineId: string;
  projectId: string;
  dealId: string;
  kind: InvoiceLineKind;
  description: string;
  /** Hours × 100 for time lines. */
  quantityHundredths: number | null;
  unitPriceMinor: number | null;
  amountMinor: number;
  /** Actual ids or schedule item ids this line bills. */
  sourceIds: string[];
}

/** An UNBILLED billable actual with billingPeriod ≤ the period being closed. */
export interface BillableActual {
  actualId: string;
  projectId: string;
  kind: ActualKind;
  role: string | null;
  workDate: string;
  hoursHundredths: number;
  rateMinor: number | null;
  billAmountMinor: number;
  currency: string;
  description?: string;
}

export interface ProjectBilling {
  projectId: string;
  dealId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  billingType: BillingType;
  feeMinor: number;
  forecastTotalCostMinor: number | null;
  /** Cost of all actuals worked up to the period end. */
  costToDateMinor: number;
  progressBilledMinor: number;
  /** Retainer fees billed before this close. */
  retainerFeesBilledMinor: number;
  /** Value of retainer time drawn down before this close. */
  retainerUsageMinor: number;
  retainerOverageBilledMinor: number;
}

/** A billing schedule item not billed yet. */
export interface OpenScheduleItem {
  itemId: string;
  projectId: string;
  description: string;
  dueDate: string | null;
  amountMinor: number | null;
  milestoneId: string | null;
  /** When the milestone was completed, for milestone items. */
  completedOn: string | null;
}

export interface DraftInvoice {
  invoiceId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  billingPeriod: string;
  lines: InvoiceDetailLine[];
  totalMinor: number;
}

export interface DraftPlan {
  invoices: DraftInvoice[];
  /** actualId → draft invoice id: these actuals become READY_TO_INVOICE. */
  actualInvoice: Map<string, string>;
  /** itemId → draft invoice id: these schedule items are billed. */
  itemInvoice: Map<string, string>;
  /** New progress billed to date per percent-complete project that got a PROGRESS line. */
  progressBilled: Map<string, number>;
  /** Percent-complete projects with cost but no cost basis: nothing billed, an exception due. */
  noCostBasis: Map<string, NoCostBasis>;
  /** New retainer usage and overage billed to date per retainer project with drawn-down time. */
  retainer: Map<string, { usageMinor: number; overageBilledMinor: number }>;
}

export function invoiceIdFor(period: string, customerId: string, legalEntityId: string, currency: string) {
  return `INV-${period}-${customerId}-${legalEntityId}-${currency}`;
}

interface PendingLine extends Omit<InvoiceDetailLine, 'lineId'> {
  customerId: string;
  legalEntityId: string;
  currency: string;
}

export function draftInvoices(
  period: string,
  projects: ReadonlyMap<string, ProjectBilling>,
  actuals: readonly BillableActual[],
  items: readonly OpenScheduleItem[],
): DraftPlan {
  const end = periodBounds(period).last;
  const pending: PendingLine[] = [];
  const plan: DraftPlan = {
    invoices: [],
    actualInvoice: new Map(),
    itemInvoice: new Map(),
    progressBilled: new Map(),
    noCostBasis: new Map(),
    retainer: new Map(),
  };
  const line = (
    project: ProjectBilling,
    currency: string,
    fields: Omit<InvoiceDetailLine, 'lineId' | 'projectId' | 'dealId'>,
  ) =>
    pending.push({
      ...fields,
      projectId: project.projectId,
      dealId: project.dealId,
      customerId: project.customerId,
      legalEntityId: project.legalEntityId,
      currency,
    });

  const ordered = [...actuals].sort(
    (a, b) =>
      a.projectId.localeCompare(b.projectId) ||
      a.workDate.localeCompare(b.workDate) ||
      a.actualId.localeCompare(b.actualId),
  );
  const retainerTime = new Map<string, BillableActual[]>();
  for (const actual of ordered) {
    const project = projects.get(actual.projectId);
    if (!project) continue;
    if (actual.kind === 'EXPENSE') {
      line(project, actual.currency, {
        kind: 'EXPENSE',
        description: actual.description ?? `Expense ${actual.actualId} (${actual.workDate})`,
        quantityHundredths: null,
        unitPriceMinor: null,
        amountMinor: actual.billAmountMinor,
        sourceIds: [actual.actualId],
      });
    } else if (project.billingType === 'RETAINER') {
      pushTo(retainerTime, project.projectId, actual);
    } else if (project.billingType === 'TIME_AND_MATERIALS') {
      line(project, actual.currency, {
        kind: 'TIME',
        description: `${actual.role ?? 'Time'} ${actual.workDate}`,
        quantityHundredths: actual.hoursHundredths,
        unitPriceMinor: actual.rateMinor,
        amountMinor: actual.billAmountMinor,
        sourceIds: [actual.actualId],
      });
    }
  }

  const itemsByProject = groupBy(items, (item) => item.projectId);
  for (const project of [...projects.values()].sort((a, b) => a.projectId.localeCompare(b.projectId))) {
    const open = itemsByProject.get(project.projectId) ?? [];
    const billItem = (item: OpenScheduleItem, kind: InvoiceLineKind) =>
      line(project, project.currency, {
        kind,
        description: item.description,
        quantityHundredths: null,
        unitPriceMinor: null,
        amountMinor: item.amountMinor ?? 0,
        sourceIds: [item.itemId],
      });
    switch (project.billingType) {
      case 'FIXED_FEE_MILESTONE':
        for (const item of open) {
          if (item.milestoneId !== null && item.completedOn !== null && item.completedOn <= end) {
            billItem(item, 'MILESTONE');
          }
        }
        break;
      case 'RETAINER': {
        const due = open.filter((item) => item.dueDate !== null && item.dueDate <= end);
        for (const item of due) billItem(item, 'RETAINER');
        const drawn = retainerTime.get(project.projectId) ?? [];
        if (drawn.length === 0) break;
        const retainerToDate =
          project.retainerFeesBilledMinor + due.reduce((sum, item) => sum + (item.amountMinor ?? 0), 0);
        const usage = project.retainerUsageMinor + drawn.reduce((sum, a) => sum + a.billAmountMinor, 0);
        const overage = Math.max(0, usage - retainerToDate - project.retainerOverageBilledMinor);
        plan.retainer.set(project.projectId, {
          usageMinor: usage,
          overageBilledMinor: project.retainerOverageBilledMinor + overage,
        });
        const hours = drawn.reduce((sum, a) => sum + a.hoursHundredths, 0);
        line(project, project.currency, {
          kind: 'TIME',
          description:
            overage > 0
              ? `Time beyond the retainer (overage), ${period}`
              : `Time drawn down from the retainer, ${period}`,
          quantityHundredths: hours,
          unitPriceMinor: null,
          amountMinor: overage,
          sourceIds: drawn.map((a) => a.actualId),
        });
        break;
      }
      case 'FIXED_FEE_PERCENT_COMPLETE': {
        const progress = costToCostProgress(
          project.feeMinor,
          project.costToDateMinor,
          project.forecastTotalCostMinor,
        );
        if (progress.noCostBasis !== null) {
          plan.noCostBasis.set(project.projectId, progress.noCostBasis);
          break;
        }
        const earned = toSafeNumber(floor(progress.earned));
        const amount = earned - project.progressBilledMinor;
        if (amount <= 0) break;
        const item = open.find((i) => i.dueDate !== null && i.dueDate.slice(0, 7) === period);
        plan.progressBilled.set(project.projectId, earned);
        line(project, project.currency, {
          kind: 'PROGRESS',
          description: `Progress billing ${period}: ${(progress.basisPoints ?? 0) / 100}% complete`,
          quantityHundredths: null,
          unitPriceMinor: null,
          amountMinor: amount,
          sourceIds: [item?.itemId ?? `PROGRESS-${project.projectId}-${period}`],
        });
        break;
      }
      case 'TIME_AND_MATERIALS':
        break;
    }
  }

  const actualIds = new Set(actuals.map((a) => a.actualId));
  const itemIds = new Set(items.map((item) => item.itemId));
  const byInvoice = groupBy(pending, (l) => invoiceIdFor(period, l.customerId, l.legalEntityId, l.currency));
  for (const [invoiceId, lines] of [...byInvoice.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const first = lines[0];
    const invoiceLines = lines.map(
      ({ customerId: _c, legalEntityId: _l, currency: _cur, ...rest }, i): InvoiceDetailLine => ({
        lineId: `${invoiceId}-L${String(i + 1).padStart(3, '0')}`,
        ...rest,
      }),
    );
    for (const l of invoiceLines) {
      for (const sourceId of l.sourceIds) {
        if (actualIds.has(sourceId)) plan.actualInvoice.set(sourceId, invoiceId);
        else if (itemIds.has(sourceId)) plan.itemInvoice.set(sourceId, invoiceId);
      }
    }
    plan.invoices.push({
      invoiceId,
      customerId: first.customerId,
      legalEntityId: first.legalEntityId,
      currency: first.currency,
      billingPeriod: period,
      lines: invoiceLines,
      totalMinor: invoiceLines.reduce((sum, l) => sum + l.amountMinor, 0),
    });
  }
  return plan;
}

// Linear in the number of values: a close can hold 100,000 actuals in one group.
function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) pushTo(groups, key(value), value);
  return groups;
}

function pushTo<T>(groups: Map<string, T[]>, key: string, value: T): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}
