import {
  ActualKind,
  ActualStatus,
  AssignmentStatus,
  BillingType,
  InvoiceLineKind,
} from '@throughline/contracts';

import {
  ActualFacts,
  AssignmentFacts,
  ForecastFacts,
  InvoiceFacts,
  MilestoneCompletionFacts,
  PaymentFacts,
  PeriodCloseFacts,
  PlanChangeFacts,
  PlanMilestone,
  PlanRole,
  ProjectFacts,
  RevenueFacts,
  StateVersion,
  TimeFacts,
} from '../domain/time-to-cash';
import {
  Actual,
  ApprovedTime,
  Assignment,
  BillingPeriodClose,
  Invoice,
  InvoiceLine,
  InvoiceTax,
  MilestoneCompletion,
  Payment,
  ProjectBaseline,
  ProjectForecast,
  ProjectPlan,
  RevenueRecognition,
} from './prisma/generated/client';

/** BIGINT columns hold safe integers (the events carry them as numbers); anything else is a bug. */
export function safe(value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${value} exceeds the safe integer range`);
  return number;
}

export function toProjectFacts(row: ProjectBaseline): ProjectFacts {
  return {
    projectId: row.projectId,
    dealId: row.dealId,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    name: row.name,
    currency: row.currency,
    billingType: row.billingType as BillingType,
    startDate: row.startDate,
    endDate: row.endDate,
    budgetMinor: safe(row.budgetMinor),
    milestones: row.milestones as unknown as PlanMilestone[],
    roles: row.roles as unknown as PlanRole[],
  };
}

export function toPlanChangeFacts(row: ProjectPlan): PlanChangeFacts {
  return {
    projectId: row.projectId,
    dealId: row.dealId,
    planVersion: row.planVersion,
    changeOrderId: row.changeOrderId,
    effectiveDate: row.effectiveDate,
    currency: row.currency,
    billingType: row.billingType as BillingType,
    startDate: row.startDate,
    endDate: row.endDate,
    baselineEndDate: row.baselineEndDate,
    budgetMinor: safe(row.budgetMinor),
    baselineBudgetMinor: safe(row.baselineBudgetMinor),
    milestones: row.milestones as unknown as PlanMilestone[],
    roles: row.roles as unknown as PlanChangeFacts['roles'],
  };
}

export function toForecastFacts(row: ProjectForecast): ForecastFacts {
  return {
    projectId: row.projectId,
    dealId: row.dealId,
    currency: row.currency,
    revenueMinor: safe(row.revenueMinor),
    costMinor: safe(row.costMinor),
    refreshedAt: row.refreshedAt.getTime(),
    triggerEventId: row.triggerEventId,
    triggerType: row.triggerType,
  };
}

export function toAssignmentFacts(row: Assignment): AssignmentFacts {
  return {
    assignmentId: row.assignmentId,
    projectId: row.projectId,
    personId: row.personId,
    role: row.role,
    hoursHundredths: safe(row.hoursHundredths),
    startDate: row.startDate,
    endDate: row.endDate,
    currency: row.currency,
    forecastCostMinor: safe(row.forecastCostMinor),
    status: row.status as AssignmentStatus,
  };
}

export function toActualFacts(row: Actual): ActualFacts {
  return {
    actualId: row.actualId,
    kind: row.kind as ActualKind,
    projectId: row.projectId,
    dealId: row.dealId,
    customerId: row.customerId,
    personId: row.personId,
    role: row.role,
    workDate: row.workDate,
    hoursHundredths: safe(row.hoursHundredths),
    billable: row.billable,
    currency: row.currency,
    billAmountMinor: safe(row.billAmountMinor),
    costAmountMinor: safe(row.costAmountMinor),
    billingPeriod: row.billingPeriod,
    status: row.status as ActualStatus,
    invoiceId: row.invoiceId,
    changedAt: row.changedAt.getTime(),
  };
}

export function toTimeFacts(row: ApprovedTime): TimeFacts {
  return {
    personId: row.personId,
    role: row.role,
    workDate: row.workDate,
    hoursHundredths: safe(row.hoursHundredths),
    billable: row.billable,
  };
}

export function toInvoiceFacts(row: Invoice & { lines: InvoiceLine[]; taxes: InvoiceTax[] }): InvoiceFacts {
  return {
    invoiceId: row.invoiceId,
    invoiceNumber: row.invoiceNumber,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    billingPeriod: row.billingPeriod,
    issuedOn: row.issuedOn,
    dueDate: row.dueDate,
    issuedAt: row.issuedAt.getTime(),
    totalMinor: safe(row.totalMinor),
    lines: row.lines
      .map((line) => ({
        lineId: line.lineId,
        projectId: line.projectId,
        dealId: line.dealId,
        kind: line.kind as InvoiceLineKind,
        amountMinor: safe(line.amountMinor),
      }))
      .sort((a, b) => a.lineId.localeCompare(b.lineId)),
    tax: {
      netMinor: safe(row.netMinor),
      taxMinor: safe(row.taxMinor),
      reverseCharge: row.reverseCharge,
      totals: row.taxes
        .map((total) => ({
          taxCode: total.taxCode,
          rateBasisPoints: total.rateBasisPoints,
          netMinor: safe(total.netMinor),
          taxMinor: safe(total.taxMinor),
        }))
        .sort((a, b) => a.taxCode.localeCompare(b.taxCode) || a.rateBasisPoints - b.rateBasisPoints),
    },
  };
}

export function toPaymentFacts(row: Payment): PaymentFacts {
  return {
    paymentId: row.paymentId,
    invoiceId: row.invoiceId,
    customerId: row.customerId,
    currency: row.currency,
    amountMinor: safe(row.amountMinor),
    receivedOn: row.receivedOn,
  };
}

export function toRevenueFacts(row: RevenueRecognition): RevenueFacts {
  return {
    recognitionId: row.recognitionId,
    projectId: row.projectId,
    dealId: row.dealId,
    period: row.period,
    currency: row.currency,
    amountMinor: safe(row.amountMinor),
    cumulativeMinor: safe(row.cumulativeMinor),
  };
}

export function toCompletionFacts(row: MilestoneCompletion): MilestoneCompletionFacts {
  return { projectId: row.projectId, milestoneId: row.milestoneId, completedOn: row.completedOn };
}

/** The version of a stored state that only has a timestamp and its event id. */
export function versionAt(at: Date | number, eventId: string, rank = 0): StateVersion {
  return { at: typeof at === 'number' ? at : at.getTime(), rank, eventId };
}

export function toPeriodCloseFacts(row: BillingPeriodClose): PeriodCloseFacts {
  return {
    period: row.period,
    closedAt: row.closedAt.getTime(),
    draftInvoices: row.draftInvoices as unknown as PeriodCloseFacts['draftInvoices'],
  };
}
