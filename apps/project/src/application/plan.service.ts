import { Inject, Injectable } from '@nestjs/common';

import { EventRecord, MilestoneCompleted } from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import { PlanMilestone, PlanRole } from '../domain/change-order';
import { AssignmentCost, forecastOf, ProjectForecast } from '../domain/forecast';
import { CompletionDecision, decideCompletion, MilestoneCompletion } from '../domain/milestone';
import { lockProjectId } from '../infrastructure/planning-locks';
import { lockProject, ProjectDb } from '../infrastructure/project-db';
import {
  applyToProject,
  assignmentsOf,
  forecastRecord,
  holdChangeOrder,
  loadPlan,
  SOURCE,
} from './plan-changes';
import { PROJECT_DB } from './project.service';

export interface PlanValues {
  endDate: string;
  budgetMinor: number;
  roles: PlanRole[];
  milestones: PlanMilestone[];
}

export interface MilestoneWithStatus extends PlanMilestone {
  status: 'OPEN' | 'COMPLETED';
  completedOn: string | null;
  completedBy: string | null;
}

/** GET /projects/:id/plan: the baseline (as created) beside the current plan. */
export interface PlanView {
  projectId: string;
  dealId: string;
  currency: string;
  billingType: string;
  startDate: string;
  planVersion: number;
  baseline: PlanValues;
  current: PlanValues & { milestones: MilestoneWithStatus[] };
  changeOrders: {
    changeOrderId: string;
    status: string;
    planVersion: number | null;
    effectiveDate: string;
    description: string;
    reasons: string[];
  }[];
}

/** GET /projects/:id/forecast: revenue (current budget), cost of the active assignments, margin. */
export interface ForecastView extends ProjectForecast {
  projectId: string;
  dealId: string;
  currency: string;
  planVersion: number;
  assignments: AssignmentCost[];
}

/** Completing a milestone: the event (new or earlier), or a conflict with the earlier completion. */
export type CompletionResult =
  | { kind: 'completed' | 'already'; event: MilestoneCompleted }
  | { kind: 'conflict'; existing: MilestoneCompletion };

/** Change orders, milestones and forecasts of existing projects. */
@Injectable()
export class PlanService {
  constructor(
    @Inject(PROJECT_DB) private readonly db: ProjectDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /**
   * ChangeOrderApproved → the project's next plan version (ProjectPlanChanged + forecast), or a
   * business exception when it cannot be applied. Once per change order id; a change order for a
   * project that does not exist yet is held (and raised) until the project is created.
   */
  async applyChangeOrder(event: ConsumedEvent<'ChangeOrderApproved'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const changeOrder = event.data;
      // Serialises with the project's creation, which applies held change orders.
      await lockProjectId(tx, changeOrder.projectId);
      const seen = await tx.changeOrder.findUnique({ where: { changeOrderId: changeOrder.changeOrderId } });
      if (seen) return [];
      const target = {
        changeOrder,
        correlationId: event.envelope.correlationId,
        causeEventId: event.envelope.eventId,
      };
      if (!(await lockProject(tx, changeOrder.projectId))) return holdChangeOrder(tx, target);
      const plan = await loadPlan(tx, changeOrder.projectId);
      if (!plan) return holdChangeOrder(tx, target);
      return applyToProject(tx, plan, target, Date.now());
    });
  }

  /**
   * AssignmentChanged → the latest state of that assignment (an older event arriving late does not
   * overwrite a newer one) and the project's refreshed forecast, triggered by this event.
   */
  async recordAssignment(event: ConsumedEvent<'AssignmentChanged'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const assignment = event.data;
      const exists = await lockProject(tx, assignment.projectId);
      const plan = exists ? await loadPlan(tx, assignment.projectId) : undefined;
      const origin = causedBy(event, SOURCE);
      if (plan && assignment.currency !== plan.project.currency) {
        return [
          createEvent(
            'BusinessExceptionRaised',
            {
              exceptionId: `EXC-${assignment.assignmentId}-ASSIGNMENT_CURRENCY_MISMATCH`,
              ownerRole: 'RESOURCE_MANAGEMENT',
              entityType: 'Assignment',
              entityId: assignment.assignmentId,
              dealId: plan.project.dealId,
              code: 'ASSIGNMENT_CURRENCY_MISMATCH',
              message: `Assignment ${assignment.assignmentId} is costed in ${assignment.currency}, project ${assignment.projectId} is in ${plan.project.currency}; it is left out of the forecast`,
              remediation: `Re-save the assignment in staffing so it is costed in ${plan.project.currency}`,
              details: { assignmentId: assignment.assignmentId, projectId: assignment.projectId },
            },
            origin,
          ),
        ];
      }
      const occurredAt = BigInt(event.envelope.occurredAt);
      const stored = await tx.projectAssignment.findUnique({
        where: { assignmentId: assignment.assignmentId },
      });
      if (!stored || stored.sourceOccurredAt <= occurredAt) {
        const row = {
          projectId: assignment.projectId,
          status: assignment.status,
          forecastCostMinor: BigInt(assignment.status === 'CANCELLED' ? 0 : assignment.forecastCostMinor),
          currency: assignment.currency,
          sourceOccurredAt: occurredAt,
        };
        await tx.projectAssignment.upsert({
          where: { assignmentId: assignment.assignmentId },
          create: { assignmentId: assignment.assignmentId, ...row },
          update: row,
        });
      }
      // No project yet: nothing to forecast against; its first forecast includes this assignment.
      if (!plan) return [];
      return [
        await forecastRecord(
          tx,
          plan.current,
          origin,
          { eventId: event.envelope.eventId, eventType: event.envelope.eventType },
          Date.now(),
        ),
      ];
    });
  }

  /** Completes a milestone of the current plan: MilestoneCompleted once; a repeat is answered, not re-published. */
  async completeMilestone(
    projectId: string,
    request: MilestoneCompletion,
    correlationId?: string,
  ): Promise<CompletionResult> {
    let decision: CompletionDecision = { kind: 'unknown' };
    await commit(this.db, async (tx): Promise<EventRecord[]> => {
      if (!(await lockProject(tx, projectId))) throw new NotFoundError(`Unknown project ${projectId}`);
      const plan = await loadPlan(tx, projectId);
      if (!plan) throw new NotFoundError(`Unknown project ${projectId}`);
      const existing = await tx.milestoneCompletion.findUnique({
        where: { projectId_milestoneId: { projectId, milestoneId: request.milestoneId } },
      });
      decision = decideCompletion(
        { projectId, dealId: plan.project.dealId, milestones: plan.current.milestones },
        existing ?? undefined,
        request,
      );
      if (decision.kind !== 'complete') return [];
      await tx.milestoneCompletion.create({ data: { projectId, ...request } });
      return [createEvent('MilestoneCompleted', decision.event, { source: SOURCE, correlationId })];
    });
    const decided = decision as CompletionDecision;
    switch (decided.kind) {
      case 'unknown':
        throw new NotFoundError(`Project ${projectId} has no milestone ${request.milestoneId}`);
      case 'complete':
        return { kind: 'completed', event: decided.event };
      case 'already':
        return { kind: 'already', event: decided.event };
      case 'conflict':
        return { kind: 'conflict', existing: decided.existing };
    }
  }

  async plan(projectId: string): Promise<PlanView> {
    return this.db.$transaction(async (tx) => {
      const plan = await loadPlan(tx, projectId);
      if (!plan) throw new NotFoundError(`Unknown project ${projectId}`);
      const completions = await tx.milestoneCompletion.findMany({ where: { projectId } });
      const changeOrders = await tx.changeOrder.findMany({
        where: { projectId },
        orderBy: [{ receivedAt: 'asc' }, { changeOrderId: 'asc' }],
      });
      const { baseline, current } = plan;
      return {
        projectId,
        dealId: current.dealId,
        currency: current.currency,
        billingType: current.billingType,
        startDate: current.startDate,
        planVersion: current.planVersion,
        baseline: valuesOf(baseline),
        current: {
          ...valuesOf(current),
          milestones: current.milestones.map((milestone) => {
            const done = completions.find((completion) => completion.milestoneId === milestone.milestoneId);
            return {
              ...milestone,
              status: done ? 'COMPLETED' : 'OPEN',
              completedOn: done?.completedOn ?? null,
              completedBy: done?.completedBy ?? null,
            };
          }),
        },
        changeOrders: changeOrders.map((row) => {
          const changeOrder = row.changeOrder as unknown as { effectiveDate: string; description: string };
          return {
            changeOrderId: row.changeOrderId,
            status: row.status,
            planVersion: row.planVersion,
            effectiveDate: changeOrder.effectiveDate,
            description: changeOrder.description,
            reasons: row.reasons,
          };
        }),
      };
    });
  }

  async forecast(projectId: string): Promise<ForecastView> {
    return this.db.$transaction(async (tx) => {
      const plan = await loadPlan(tx, projectId);
      if (!plan) throw new NotFoundError(`Unknown project ${projectId}`);
      const { current } = plan;
      const assignments = await assignmentsOf(tx, current);
      return {
        projectId,
        dealId: current.dealId,
        currency: current.currency,
        planVersion: current.planVersion,
        ...forecastOf(current.budgetMinor, assignments),
        assignments,
      };
    });
  }
}

function valuesOf(plan: PlanValues): PlanValues {
  return {
    endDate: plan.endDate,
    budgetMinor: plan.budgetMinor,
    roles: plan.roles,
    milestones: plan.milestones,
  };
}
