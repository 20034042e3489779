import { ContractApproved } from '@throughline/contracts';

import { DomainEvent } from './domain-event';
import { exceptionIdFor } from './deal-evaluation';
import { exceptionRaised, exceptionResolved } from './exceptions';

export const SETUP_STATUSES = ['IN_PROGRESS', 'OVERDUE', 'READY'] as const;
/** OVERDUE is still in progress: it turns READY when the missing steps arrive late. */
export type SetupStatus = (typeof SETUP_STATUSES)[number];

/** The setup steps of one project; any of them may be learned first (topics are not ordered). */
export interface ProjectProgress {
  projectId: string;
  /** Known once ProjectCreated arrived. */
  legalEntityId: string | null;
  projectCreatedAt: number | null;
  staffingDemandPublishedAt: number | null;
  billingProvisionedAt: number | null;
}

/**
 * Project setup of one won deal: DealWon → ContractApproved → per delivery ProjectCreated →
 * StaffingDemandPublished + BillingProvisioned → READY. Times are epoch milliseconds at which this
 * service recorded each step.
 */
export interface SetupProcess {
  dealId: string;
  status: SetupStatus;
  dealWonAt: number;
  contractApprovedAt: number | null;
  /** One project is expected per delivery, i.e. per delivering legal entity. */
  expectedLegalEntityIds: string[];
  /**
   * Set when the contract is approved: the SLA clock starts then, so time a deal spends blocked on
   * a business exception (already routed to its owner) does not also count as a late setup.
   */
  deadlineAt: number | null;
  overdueAt: number | null;
  completedAt: number | null;
  projects: ProjectProgress[];
}

export interface SetupTransition {
  process: SetupProcess;
  events: DomainEvent[];
}

export const SETUP_OVERDUE = 'SETUP_OVERDUE';

export function overdueExceptionId(dealId: string): string {
  return exceptionIdFor(dealId, SETUP_OVERDUE);
}

export function startSetup(dealId: string, at: number): SetupProcess {
  return {
    dealId,
    status: 'IN_PROGRESS',
    dealWonAt: at,
    contractApprovedAt: null,
    expectedLegalEntityIds: [],
    deadlineAt: null,
    overdueAt: null,
    completedAt: null,
    projects: [],
  };
}

export function recordContractApproved(
  process: SetupProcess,
  contract: ContractApproved,
  at: number,
  deadlineMs: number,
): SetupTransition {
  if (process.contractApprovedAt !== null) return unchanged(process);
  return settle(
    {
      ...process,
      contractApprovedAt: at,
      expectedLegalEntityIds: contract.deliveries.map((delivery) => delivery.legalEntityId),
      deadlineAt: at + deadlineMs,
    },
    at,
  );
}

export function recordProjectCreated(
  process: SetupProcess,
  project: { projectId: string; legalEntityId: string },
  at: number,
): SetupTransition {
  return recordStep(process, project.projectId, at, (progress) =>
    progress.projectCreatedAt === null
      ? { ...progress, legalEntityId: project.legalEntityId, projectCreatedAt: at }
      : progress,
  );
}

export function recordStaffingDemandPublished(
  process: SetupProcess,
  projectId: string,
  at: number,
): SetupTransition {
  return recordStep(process, projectId, at, (progress) =>
    progress.staffingDemandPublishedAt === null ? { ...progress, staffingDemandPublishedAt: at } : progress,
  );
}

export function recordBillingProvisioned(
  process: SetupProcess,
  projectId: string,
  at: number,
): SetupTransition {
  return recordStep(process, projectId, at, (progress) =>
    progress.billingProvisionedAt === null ? { ...progress, billingProvisionedAt: at } : progress,
  );
}

/** Declares the setup OVERDUE once its deadline passed: one exception for DELIVERY, one outcome. */
export function checkDeadline(process: SetupProcess, now: number): SetupTransition {
  if (process.status !== 'IN_PROGRESS' || process.deadlineAt === null || now < process.deadlineAt)
    return unchanged(process);
  const overdue: SetupProcess = { ...process, status: 'OVERDUE', overdueAt: now };
  const missing = missingSteps(overdue);
  const deadline = new Date(process.deadlineAt).toISOString();
  return {
    process: overdue,
    events: [
      exceptionRaised(process.dealId, {
        exceptionId: overdueExceptionId(process.dealId),
        code: SETUP_OVERDUE,
        ownerRole: 'DELIVERY',
        message:
          `Project setup of deal ${process.dealId} missed its deadline ${deadline}; ` +
          `still missing: ${missing.join('; ')}`,
        remediation:
          `Find out why the missing steps did not happen: the project service creates one project per ` +
          `delivery (GET /projects?dealId=${process.dealId} on project), staffing publishes demand and ` +
          `billing provisions a schedule per project (GET /billing-schedules/{projectId} on billing); ` +
          `GET /deals/${process.dealId} on contract shows which steps arrived when. Fix the blocked ` +
          `service or data; the exception resolves itself when setup completes.`,
        details: { deadlineAt: deadline, missing: missing.join('; ') },
      }),
      setupCompleted(overdue, 'OVERDUE', now),
    ],
  };
}

/** Human-readable steps still outstanding, in process order. */
export function missingSteps(process: SetupProcess): string[] {
  if (process.contractApprovedAt === null) return ['contract approval'];
  const missing = process.expectedLegalEntityIds
    .filter((legalEntityId) => !createdProjectFor(process, legalEntityId))
    .map((legalEntityId) => `ProjectCreated for legal entity ${legalEntityId}`);
  for (const project of process.projects) {
    if (project.projectCreatedAt === null) missing.push(`ProjectCreated for ${project.projectId}`);
    if (project.staffingDemandPublishedAt === null)
      missing.push(`StaffingDemandPublished for ${project.projectId}`);
    if (project.billingProvisionedAt === null) missing.push(`BillingProvisioned for ${project.projectId}`);
  }
  return missing;
}

export type SetupStage =
  'AWAITING_CONTRACT_APPROVAL' | 'AWAITING_PROJECTS' | 'AWAITING_STAFFING_AND_BILLING' | 'COMPLETE';

export function setupStage(process: SetupProcess): SetupStage {
  if (process.status === 'READY') return 'COMPLETE';
  if (process.contractApprovedAt === null) return 'AWAITING_CONTRACT_APPROVAL';
  const allCreated =
    process.expectedLegalEntityIds.every((legalEntityId) => createdProjectFor(process, legalEntityId)) &&
    process.projects.every((project) => project.projectCreatedAt !== null);
  return allCreated ? 'AWAITING_STAFFING_AND_BILLING' : 'AWAITING_PROJECTS';
}

export interface SetupStep {
  step:
    | 'DEAL_WON'
    | 'CONTRACT_APPROVED'
    | 'PROJECT_CREATED'
    | 'STAFFING_DEMAND_PUBLISHED'
    | 'BILLING_PROVISIONED'
    | 'READY';
  projectId: string | null;
  /** Null while the step has not happened. */
  at: number | null;
}

/** Every step of the process with the time it was recorded, in process order. */
export function setupSteps(process: SetupProcess): SetupStep[] {
  const projectSteps = orderedProjects(process).flatMap((project): SetupStep[] => [
    { step: 'PROJECT_CREATED', projectId: project.projectId, at: project.projectCreatedAt },
    {
      step: 'STAFFING_DEMAND_PUBLISHED',
      projectId: project.projectId,
      at: project.staffingDemandPublishedAt,
    },
    { step: 'BILLING_PROVISIONED', projectId: project.projectId, at: project.billingProvisionedAt },
  ]);
  return [
    { step: 'DEAL_WON', projectId: null, at: process.dealWonAt },
    { step: 'CONTRACT_APPROVED', projectId: null, at: process.contractApprovedAt },
    ...projectSteps,
    { step: 'READY', projectId: null, at: process.status === 'READY' ? process.completedAt : null },
  ];
}

function recordStep(
  process: SetupProcess,
  projectId: string,
  at: number,
  update: (progress: ProjectProgress) => ProjectProgress,
): SetupTransition {
  const existing = process.projects.find((project) => project.projectId === projectId);
  const progress = update(
    existing ?? {
      projectId,
      legalEntityId: null,
      projectCreatedAt: null,
      staffingDemandPublishedAt: null,
      billingProvisionedAt: null,
    },
  );
  const projects = existing
    ? process.projects.map((project) => (project === existing ? progress : project))
    : [...process.projects, progress];
  return settle({ ...process, projects }, at);
}

/** Completes the setup when every expected project exists and has its staffing demand and billing. */
function settle(process: SetupProcess, at: number): SetupTransition {
  if (process.status === 'READY' || !isComplete(process)) return unchanged(process);
  const ready: SetupProcess = { ...process, status: 'READY', completedAt: at };
  const events: DomainEvent[] = [];
  if (process.status === 'OVERDUE') {
    events.push(
      exceptionResolved(
        process.dealId,
        overdueExceptionId(process.dealId),
        `Project setup completed late, at ${new Date(at).toISOString()}`,
      ),
    );
  }
  events.push(setupCompleted(ready, 'READY', at));
  return { process: ready, events };
}

function isComplete(process: SetupProcess): boolean {
  return (
    process.contractApprovedAt !== null &&
    process.projects.length > 0 &&
    process.expectedLegalEntityIds.every((legalEntityId) => createdProjectFor(process, legalEntityId)) &&
    process.projects.every(
      (project) =>
        project.projectCreatedAt !== null &&
        project.staffingDemandPublishedAt !== null &&
        project.billingProvisionedAt !== null,
    )
  );
}

function createdProjectFor(process: SetupProcess, legalEntityId: string): boolean {
  return process.projects.some(
    (project) => project.legalEntityId === legalEntityId && project.projectCreatedAt !== null,
  );
}

/** Projects in delivery order (as the contract lists legal entities), then the rest by id. */
function orderedProjects(process: SetupProcess): ProjectProgress[] {
  const rank = (project: ProjectProgress) => {
    const index = process.expectedLegalEntityIds.indexOf(project.legalEntityId ?? '');
    return index === -1 ? process.expectedLegalEntityIds.length : index;
  };
  return [...process.projects].sort((a, b) => rank(a) - rank(b) || a.projectId.localeCompare(b.projectId));
}

function setupCompleted(
  process: SetupProcess,
  status: 'READY' | 'OVERDUE',
  at: number,
): DomainEvent<'ProjectSetupCompleted'> {
  return {
    type: 'ProjectSetupCompleted',
    data: {
      dealId: process.dealId,
      projectIds: orderedProjects(process)
        .filter((project) => project.projectCreatedAt !== null)
        .map((project) => project.projectId),
      status,
      completedAt: at,
    },
  };
}

function unchanged(process: SetupProcess): SetupTransition {
  return { process, events: [] };
}
