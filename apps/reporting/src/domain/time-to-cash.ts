import {
  ActualKind,
  ActualStatus,
  AssignmentStatus,
  BillingType,
  EventPayloads,
  InvoiceLineKind,
} from '@throughline/contracts';

/**
 * The facts reporting keeps about the time-to-cash flow, one current state per business key, and
 * the rules that decide which of two states of the same key is current. Events of one key can
 * arrive twice (redelivery, rebuild replay) and, across topics, in any order, so each rule compares
 * what the event says (its plan version, changedAt, refreshedAt...), never when it arrived.
 */

export interface PlanMilestone {
  milestoneId: string;
  name: string;
  dueDate: string;
  amountMinor: number | null;
}

export interface PlanRole {
  role: string;
  hoursHundredths: number;
  rateMinor: number;
}

/** A project as created (plan version 1: the baseline). */
export interface ProjectFacts {
  projectId: string;
  dealId: string;
  customerId: string;
  legalEntityId: string;
  name: string;
  currency: string;
  billingType: BillingType;
  startDate: string;
  endDate: string;
  budgetMinor: number;
  milestones: PlanMilestone[];
  roles: PlanRole[];
}

/** The latest plan after change orders, with the baseline figures the event repeats. */
export interface PlanChangeFacts {
  projectId: string;
  dealId: string;
  planVersion: number;
  changeOrderId: string;
  effectiveDate: string;
  currency: string;
  billingType: BillingType;
  startDate: string;
  endDate: string;
  baselineEndDate: string;
  budgetMinor: number;
  baselineBudgetMinor: number;
  milestones: PlanMilestone[];
  roles: (PlanRole & { baselineHoursHundredths: number })[];
}

export interface ForecastFacts {
  projectId: string;
  dealId: string;
  currency: string;
  revenueMinor: number;
  costMinor: number;
  refreshedAt: number;
  triggerEventId: string;
  triggerType: string;
}

export interface AssignmentFacts {
  assignmentId: string;
  projectId: string;
  personId: string;
  role: string;
  hoursHundredths: number;
  startDate: string;
  endDate: string;
  currency: string;
  forecastCostMinor: number;
  status: AssignmentStatus;
}

/**
 * An approved timesheet entry (TimeEntryApproved) as utilisation needs it: who worked how long, in
 * which role, on which day, and whether the timesheet says it was billable (client) work. Billing's
 * priced actual may say otherwise (fixed-fee time is priced as cost only), but utilisation is a
 * delivery figure, so the timesheet's flag counts.
 */
export interface TimeFacts {
  personId: string;
  role: string;
  workDate: string;
  hoursHundredths: number;
  billable: boolean;
}

export interface ActualFacts {
  actualId: string;
  kind: ActualKind;
  projectId: string;
  dealId: string;
  customerId: string;
  personId: string;
  role: string | null;
  workDate: string;
  hoursHundredths: number;
  billable: boolean;
  currency: string;
  billAmountMinor: number;
  costAmountMinor: number;
  billingPeriod: string;
  status: ActualStatus;
  invoiceId: string | null;
  changedAt: number;
}

export interface InvoiceLineFacts {
  lineId: string;
  projectId: string;
  dealId: string;
  kind: InvoiceLineKind;
  amountMinor: number;
}

export interface InvoiceFacts {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
  billingPeriod: string;
  issuedOn: string;
  dueDate: string;
  issuedAt: number;
  /** Amount due: tax.netMinor + tax.taxMinor. */
  totalMinor: number;
  lines: InvoiceLineFacts[];
  tax: InvoiceTaxFacts;
}

/** An issued invoice's tax as billing issued it (InvoiceIssued v3+); untaxed: net = total, no totals. */
export interface InvoiceTaxFacts {
  netMinor: number;
  taxMinor: number;
  reverseCharge: boolean;
  /** One per tax code and rate. */
  totals: { taxCode: string; rateBasisPoints: number; netMinor: number; taxMinor: number }[];
}

export interface PaymentFacts {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  receivedOn: string;
}

export interface RevenueFacts {
  recognitionId: string;
  projectId: string;
  dealId: string;
  period: string;
  currency: string;
  amountMinor: number;
  cumulativeMinor: number;
}

export interface MilestoneCompletionFacts {
  projectId: string;
  milestoneId: string;
  completedOn: string;
}

export interface PeriodCloseFacts {
  period: string;
  closedAt: number;
  draftInvoices: { invoiceId: string; customerId: string; currency: string; totalMinor: number }[];
}

/**
 * Which state of a key is current: the later `at`, then the higher `rank` (a status further along
 * its lifecycle), then the greater event id, so every order of the same events ends in one state.
 */
export interface StateVersion {
  at: number;
  rank: number;
  eventId: string;
}

export function supersedes(incoming: StateVersion, current: StateVersion | null): boolean {
  if (!current) return true;
  if (incoming.at !== current.at) return incoming.at > current.at;
  if (incoming.rank !== current.rank) return incoming.rank > current.rank;
  return incoming.eventId > current.eventId;
}

/** Lifecycle order of actual statuses, the tie-break for two states with the same changedAt. */
export const ACTUAL_STATUS_RANK: Record<ActualStatus, number> = {
  UNPRICED: 0,
  UNBILLED: 1,
  READY_TO_INVOICE: 2,
  INVOICED: 3,
  WRITTEN_OFF: 4,
};

/** Statuses of an approved actual that has not been invoiced (nor written off) yet. */
export const UNINVOICED_STATUSES: readonly ActualStatus[] = ['UNPRICED', 'UNBILLED', 'READY_TO_INVOICE'];

export function projectFactsOf(data: EventPayloads['ProjectCreated']): ProjectFacts {
  return {
    projectId: data.projectId,
    dealId: data.dealId,
    customerId: data.customerId,
    legalEntityId: data.legalEntityId,
    name: data.name,
    currency: data.currency,
    billingType: data.billingType,
    startDate: data.startDate,
    endDate: data.endDate,
    budgetMinor: data.budgetMinor,
    milestones: data.phases.flatMap((phase) =>
      phase.milestones.map((milestone) => ({
        milestoneId: milestone.milestoneId,
        name: milestone.name,
        dueDate: milestone.dueDate,
        amountMinor: milestone.amountMinor,
      })),
    ),
    roles: data.roles.map((role) => ({
      role: role.role,
      hoursHundredths: role.hoursHundredths,
      rateMinor: role.rateMinor,
    })),
  };
}

export function planChangeFactsOf(data: EventPayloads['ProjectPlanChanged']): PlanChangeFacts {
  return {
    projectId: data.projectId,
    dealId: data.dealId,
    planVersion: data.planVersion,
    changeOrderId: data.changeOrderId,
    effectiveDate: data.effectiveDate,
    currency: data.currency,
    billingType: data.billingType,
    startDate: data.startDate,
    endDate: data.endDate,
    baselineEndDate: data.baselineEndDate,
    budgetMinor: data.budgetMinor,
    baselineBudgetMinor: data.baselineBudgetMinor,
    milestones: data.milestones.map((milestone) => ({ ...milestone })),
    roles: data.roles.map((role) => ({
      role: role.role,
      hoursHundredths: role.hoursHundredths,
      baselineHoursHundredths: role.baselineHoursHundredths,
      rateMinor: role.rateMinor,
    })),
  };
}
