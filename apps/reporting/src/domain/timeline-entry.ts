import {
  AssignmentStatus,
  BillingType,
  EventPayloads,
  EventRecord,
  ProjectSetupStatus,
  RevenueRule,
} from '@throughline/contracts';

import { formatHours, formatMoney } from './money';

/** The events reporting turns into timeline entries. */
export const TIMELINE_EVENT_TYPES = [
  'DealWon',
  'ContractApproved',
  'ProjectCreated',
  'StaffingDemandPublished',
  'BillingProvisioned',
  'ProjectSetupCompleted',
  'BusinessExceptionRaised',
  'BusinessExceptionResolved',
  'AssignmentChanged',
  'SlaBreached',
  'SlaRecovered',
  'OutboundRecordSynced',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/**
 * Events only the time-to-cash figures use: they keep no timeline entry (a deal's timeline is its
 * setup story, and priced actuals or timesheets alone would bury it). ProjectCreated and
 * AssignmentChanged feed both; TimeEntryApproved feeds utilisation.
 */
export const FIGURE_ONLY_EVENT_TYPES = [
  'ProjectPlanChanged',
  'ProjectForecastUpdated',
  'MilestoneCompleted',
  'TimeEntryApproved',
  'ActualChanged',
  'InvoiceIssued',
  'PaymentReceived',
  'RevenueRecognized',
  'BillingPeriodClosed',
] as const;

/** Every event type reporting consumes (the live consumer's handlers and a rebuild's replay). */
export const REPORTED_EVENT_TYPES = [...TIMELINE_EVENT_TYPES, ...FIGURE_ONLY_EVENT_TYPES] as const;
export type ReportedEventType = (typeof REPORTED_EVENT_TYPES)[number];

export function isTimelineEvent<T extends ReportedEventType>(
  event: EventRecord<T>,
): event is EventRecord<T & TimelineEventType> {
  return (TIMELINE_EVENT_TYPES as readonly string[]).includes(event.envelope.eventType);
}

export const TIMELINE_STEPS = [
  'DEAL_WON',
  'CONTRACT_APPROVED',
  'PROJECT_CREATED',
  'STAFFING_DEMAND_PUBLISHED',
  'BILLING_PROVISIONED',
  'SETUP_READY',
  'SETUP_OVERDUE',
  'SETUP_FAILED',
  'EXCEPTION_RAISED',
  'EXCEPTION_RESOLVED',
  'ASSIGNMENT_CHANGED',
  'SLA_BREACHED',
  'SLA_RECOVERED',
  'OUTBOUND_SYNCED',
] as const;
export type TimelineStepName = (typeof TIMELINE_STEPS)[number];

/**
 * Outcome of one step: COMPLETED for setup milestones, the setup outcome, RAISED/RESOLVED for
 * exceptions, the assignment's status for assignments, SYNCED for a record a target system took.
 */
export type StepStatus =
  | 'COMPLETED'
  | ProjectSetupStatus
  | 'RAISED'
  | 'RESOLVED'
  | AssignmentStatus
  | 'BREACHED'
  | 'RECOVERED'
  | 'SYNCED';

/**
 * Outbound calls for an invoice name no deal: the deal timeline shows them for every deal the
 * invoice's lines bill, found when the timeline is read (whichever of InvoiceIssued and the sync
 * reporting consumed first). `Invoice` is the entity type outbound's NetSuite connector reports.
 */
export const INVOICE_SYNC = { step: 'OUTBOUND_SYNCED', entityType: 'Invoice' } as const;

/** Descriptive fields of a deal some events carry. */
export interface DealDetails {
  dealName: string | null;
  customerName: string | null;
  currency: string | null;
  amountMinor: number | null;
}

/** What an event says, independent of its envelope. */
interface StepFacts {
  step: TimelineStepName;
  entityType: string;
  entityId: string;
  status: StepStatus;
  summary: string;
  /** The deal, when the event names it. */
  dealId: string | null;
  /** A project whose deal the entry belongs to, for events that name no deal. */
  projectId: string | null;
  /** The business exception the entry is about, if any. */
  exceptionId: string | null;
  /** Projects this event proves belong to `dealId`. */
  dealProjects: string[];
  /** Deal fields it carries; `authoritative` ones overwrite, others only fill gaps. */
  dealDetails: { details: Partial<DealDetails>; authoritative: boolean } | null;
}

/** A timeline entry for one event, before it is linked to a deal. */
export interface TimelineEntryDraft extends StepFacts {
  eventId: string;
  eventType: TimelineEventType;
  source: string;
  correlationId: string;
  causationId: string | null;
  /** Epoch milliseconds, from the envelope. */
  occurredAt: number;
}

const BILLING_TYPE_LABELS: Record<BillingType, string> = {
  TIME_AND_MATERIALS: 'time and materials',
  FIXED_FEE_MILESTONE: 'fixed fee, milestone billed',
  FIXED_FEE_PERCENT_COMPLETE: 'fixed fee, percent complete',
  RETAINER: 'retainer',
};

const REVENUE_RULE_LABELS: Record<RevenueRule, string> = {
  AS_DELIVERED: 'as delivered',
  PERCENT_COMPLETE_COST_TO_COST: 'percent complete (cost to cost)',
  ON_MILESTONE: 'on milestone',
  RETAINER_USAGE: 'on retainer usage',
};

const SETUP_STEPS: Record<ProjectSetupStatus, TimelineStepName> = {
  READY: 'SETUP_READY',
  OVERDUE: 'SETUP_OVERDUE',
  FAILED: 'SETUP_FAILED',
};

const noLinks = { projectId: null, exceptionId: null, dealProjects: [], dealDetails: null };

const DESCRIBE: { [T in TimelineEventType]: (data: EventPayloads[T]) => StepFacts } = {
  DealWon: (deal) => ({
    ...noLinks,
    step: 'DEAL_WON',
    entityType: 'Deal',
    entityId: deal.dealId,
    status: 'COMPLETED',
    summary: `Deal "${deal.dealName}" won for ${deal.customerName} (${formatMoney(deal.amountMinor, deal.currency)})`,
    dealId: deal.dealId,
    dealDetails: {
      details: {
        dealName: deal.dealName,
        customerName: deal.customerName,
        currency: deal.currency,
        amountMinor: deal.amountMinor,
      },
      authoritative: true,
    },
  }),
  ContractApproved: (contract) => ({
    ...noLinks,
    step: 'CONTRACT_APPROVED',
    entityType: 'Contract',
    entityId: contract.contractId,
    status: 'COMPLETED',
    summary:
      `Contract ${contract.contractId} approved (${BILLING_TYPE_LABELS[contract.billingType]}): ` +
      (contract.deliveries
        .map(
          (delivery) => `${delivery.legalEntityId} ${formatMoney(delivery.budgetMinor, delivery.currency)}`,
        )
        .join(', ') || 'no deliveries'),
    dealId: contract.dealId,
    dealDetails: contract.dealName
      ? { details: { dealName: contract.dealName }, authoritative: false }
      : null,
  }),
  ProjectCreated: (project) => ({
    ...noLinks,
    step: 'PROJECT_CREATED',
    entityType: 'Project',
    entityId: project.projectId,
    status: 'COMPLETED',
    summary: `Project ${project.projectId} created (${formatMoney(project.budgetMinor, project.currency)} budget)`,
    dealId: project.dealId,
    dealProjects: [project.projectId],
  }),
  StaffingDemandPublished: (demand) => ({
    ...noLinks,
    step: 'STAFFING_DEMAND_PUBLISHED',
    entityType: 'Project',
    entityId: demand.projectId,
    status: 'COMPLETED',
    summary:
      `Staffing demand ${demand.demandId} published for ${demand.projectId}: ` +
      (demand.demands.map((line) => `${line.role} ${formatHours(line.hoursHundredths)}`).join(', ') ||
        'no roles'),
    dealId: demand.dealId,
    dealProjects: [demand.projectId],
  }),
  BillingProvisioned: (billing) => {
    const amounts = billing.scheduleItems.flatMap((item) =>
      item.amountMinor === null ? [] : [item.amountMinor],
    );
    const fixed =
      amounts.length > 0
        ? `, ${formatMoney(
            amounts.reduce((sum, amount) => sum + amount, 0),
            billing.currency,
          )} fixed`
        : '';
    return {
      ...noLinks,
      step: 'BILLING_PROVISIONED',
      entityType: 'Project',
      entityId: billing.projectId,
      status: 'COMPLETED',
      summary:
        `Billing schedule ${billing.billingScheduleId} provisioned for ${billing.projectId} ` +
        `(${plural(billing.scheduleItems.length, 'item')}${fixed}; revenue ${REVENUE_RULE_LABELS[billing.revenueRule]})`,
      dealId: billing.dealId,
      dealProjects: [billing.projectId],
    };
  },
  ProjectSetupCompleted: (setup) => {
    const projects = `${plural(setup.projectIds.length, 'project')}${
      setup.projectIds.length > 0 ? ` (${setup.projectIds.join(', ')})` : ''
    }`;
    const summaries: Record<ProjectSetupStatus, string> = {
      READY: `Setup ready: ${projects} fully provisioned`,
      OVERDUE: `Setup overdue: ${projects} not ready within the SLA`,
      FAILED: `Setup failed: a business exception blocks ${projects}`,
    };
    return {
      ...noLinks,
      step: SETUP_STEPS[setup.status],
      entityType: 'Deal',
      entityId: setup.dealId,
      status: setup.status,
      summary: summaries[setup.status],
      dealId: setup.dealId,
      dealProjects: [...setup.projectIds],
    };
  },
  BusinessExceptionRaised: (raised) => ({
    ...noLinks,
    step: 'EXCEPTION_RAISED',
    entityType: raised.entityType,
    entityId: raised.entityId,
    status: 'RAISED',
    summary: `${raised.code} on ${raised.entityType} ${raised.entityId}, owner ${raised.ownerRole}: ${raised.message}`,
    dealId: raised.dealId,
    projectId: projectOf(raised.entityType, raised.entityId),
    exceptionId: raised.exceptionId,
  }),
  BusinessExceptionResolved: (resolved) => ({
    ...noLinks,
    step: 'EXCEPTION_RESOLVED',
    entityType: resolved.entityType,
    entityId: resolved.entityId,
    status: 'RESOLVED',
    summary: `Exception ${resolved.exceptionId} on ${resolved.entityType} ${resolved.entityId} resolved: ${resolved.resolution}`,
    dealId: resolved.dealId,
    projectId: projectOf(resolved.entityType, resolved.entityId),
    exceptionId: resolved.exceptionId,
  }),
  AssignmentChanged: (assignment) => ({
    ...noLinks,
    step: 'ASSIGNMENT_CHANGED',
    entityType: 'Assignment',
    entityId: assignment.assignmentId,
    status: assignment.status,
    summary:
      `${assignment.personId} ${assignment.status.toLowerCase()} as ${assignment.role} on ${assignment.projectId} ` +
      `(${formatHours(assignment.hoursHundredths)}, forecast cost ${formatMoney(assignment.forecastCostMinor, assignment.currency)})`,
    dealId: null,
    projectId: assignment.projectId,
  }),
  SlaBreached: (breach) => ({
    ...noLinks,
    step: 'SLA_BREACHED',
    entityType: breach.entityType,
    entityId: breach.entityId,
    status: 'BREACHED',
    summary:
      `SLA ${breach.sla} breached on ${breach.entityType} ${breach.entityId}, owner ${breach.ownerRole}: ` +
      `waited ${formatDuration(breach.ageMs)} (limit ${formatDuration(breach.thresholdMs)})` +
      (breach.moneyAtRiskMinor !== null && breach.currency !== null
        ? `, ${formatMoney(breach.moneyAtRiskMinor, breach.currency)} at risk`
        : ''),
    dealId: breach.dealId,
    projectId: projectOf(breach.entityType, breach.entityId),
  }),
  OutboundRecordSynced: (synced) => ({
    ...noLinks,
    step: 'OUTBOUND_SYNCED',
    entityType: synced.entityType,
    entityId: synced.externalId,
    status: 'SYNCED',
    summary: `${synced.target} ${synced.entityType} ${synced.externalId} → ${synced.targetRecordId} synced`,
    // A CRM deal write-back is keyed by the deal id itself; a project by its project id.
    dealId: synced.entityType.toLowerCase() === 'deal' ? synced.externalId : null,
    projectId: projectOf(synced.entityType, synced.externalId),
  }),
  SlaRecovered: (recovery) => ({
    ...noLinks,
    step: 'SLA_RECOVERED',
    entityType: recovery.entityType,
    entityId: recovery.entityId,
    status: 'RECOVERED',
    summary: `SLA ${recovery.sla} recovered on ${recovery.entityType} ${recovery.entityId} after ${formatDuration(recovery.totalMs)}`,
    dealId: recovery.dealId,
    projectId: projectOf(recovery.entityType, recovery.entityId),
  }),
};

/** "16 min 5 s" from milliseconds, for SLA summaries. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

/** The timeline entry an event becomes: step, entity, outcome, human summary and what links it to a deal. */
export function timelineEntryFor<T extends TimelineEventType>(event: EventRecord<T>): TimelineEntryDraft {
  const { envelope } = event;
  const describe = DESCRIBE[envelope.eventType] as (data: EventPayloads[T]) => StepFacts;
  return {
    ...describe(event.data),
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    source: envelope.source,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    occurredAt: envelope.occurredAt,
  };
}

/** An exception on a project belongs to that project's deal even when it names no deal. */
function projectOf(entityType: string, entityId: string): string | null {
  return entityType.toLowerCase() === 'project' ? entityId : null;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
