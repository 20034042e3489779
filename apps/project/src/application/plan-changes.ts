import { ChangeOrderApproved, EventRecord, ProjectCreated } from '@throughline/contracts';
import { createEvent, EventOrigin } from '@throughline/messaging';

import {
  applyChangeOrder,
  baselineOf,
  PlanMilestone,
  planChanged,
  PlanRole,
  ProjectPlanState,
} from '../domain/change-order';
import { AssignmentCost, forecastOf, forecastUpdated } from '../domain/forecast';
import { projectOf, ProjectTx, toJson } from '../infrastructure/project-db';

export const SOURCE = 'project';

/** A project's plan as created (baseline) and as it is now (current), with the stored project. */
export interface LoadedPlan {
  project: ProjectCreated;
  baseline: ProjectPlanState;
  current: ProjectPlanState;
}

/** A change order to apply, with the flow it belongs to (its ChangeOrderApproved event). */
export interface ChangeOrderToApply {
  changeOrder: ChangeOrderApproved;
  correlationId: string;
  causeEventId: string;
}

export async function loadPlan(tx: ProjectTx, projectId: string): Promise<LoadedPlan | undefined> {
  const row = await tx.project.findUnique({ where: { projectId } });
  if (!row) return undefined;
  const project = projectOf(row);
  const baseline = baselineOf(project);
  const stored = await tx.projectPlan.findUnique({ where: { projectId } });
  const current: ProjectPlanState = stored
    ? {
        ...baseline,
        planVersion: stored.planVersion,
        endDate: stored.endDate,
        budgetMinor: Number(stored.budgetMinor),
        roles: stored.roles as unknown as PlanRole[],
        milestones: stored.milestones as unknown as PlanMilestone[],
      }
    : baseline;
  return { project, baseline, current };
}

/**
 * Applies a change order to an existing project (the caller holds the project's lock): either the
 * new plan version with ProjectPlanChanged and the refreshed forecast, or a rejection raised as a
 * business exception for delivery. Recorded either way, so the same change order id has no
 * second effect.
 */
export async function applyToProject(
  tx: ProjectTx,
  plan: LoadedPlan,
  target: ChangeOrderToApply,
  now: number,
): Promise<EventRecord[]> {
  const { changeOrder } = target;
  const origin: EventOrigin = {
    source: SOURCE,
    correlationId: target.correlationId,
    causationId: target.causeEventId,
  };
  const completions = await tx.milestoneCompletion.findMany({ where: { projectId: plan.project.projectId } });
  const outcome = applyChangeOrder(
    plan.current,
    changeOrder,
    new Set(completions.map((completion) => completion.milestoneId)),
  );
  const record = {
    projectId: changeOrder.projectId,
    changeOrder: toJson(changeOrder),
    correlationId: target.correlationId,
    causeEventId: target.causeEventId,
  };

  if (outcome.kind === 'rejected') {
    await tx.changeOrder.upsert({
      where: { changeOrderId: changeOrder.changeOrderId },
      create: {
        changeOrderId: changeOrder.changeOrderId,
        ...record,
        status: 'REJECTED',
        reasons: outcome.reasons,
      },
      update: { status: 'REJECTED', reasons: outcome.reasons },
    });
    return [
      createEvent(
        'BusinessExceptionRaised',
        {
          exceptionId: `EXC-${changeOrder.changeOrderId}-INVALID_CHANGE_ORDER`,
          ownerRole: 'DELIVERY',
          entityType: 'ChangeOrder',
          entityId: changeOrder.changeOrderId,
          dealId: plan.project.dealId,
          code: 'INVALID_CHANGE_ORDER',
          message: `Change order ${changeOrder.changeOrderId} cannot be applied to project ${plan.project.projectId}: ${outcome.reasons.join('; ')}`,
          remediation:
            'Agree a corrected change order with the customer and approve it under a new change order id; this one stays rejected and the plan is unchanged',
          details: {
            changeOrderId: changeOrder.changeOrderId,
            projectId: plan.project.projectId,
            planVersion: String(plan.current.planVersion),
          },
        },
        origin,
      ),
    ];
  }

  const next = outcome.plan;
  const planRow = {
    planVersion: next.planVersion,
    endDate: next.endDate,
    budgetMinor: BigInt(next.budgetMinor),
    roles: toJson(next.roles),
    milestones: toJson(next.milestones),
  };
  await tx.projectPlan.upsert({
    where: { projectId: next.projectId },
    create: { projectId: next.projectId, ...planRow },
    update: planRow,
  });
  await tx.changeOrder.upsert({
    where: { changeOrderId: changeOrder.changeOrderId },
    create: {
      changeOrderId: changeOrder.changeOrderId,
      ...record,
      status: 'APPLIED',
      planVersion: next.planVersion,
    },
    update: { status: 'APPLIED', planVersion: next.planVersion },
  });
  const forecast = await forecastRecord(
    tx,
    next,
    origin,
    {
      eventId: target.causeEventId,
      eventType: 'ChangeOrderApproved',
    },
    now,
  );
  return [createEvent('ProjectPlanChanged', planChanged(plan.baseline, next, changeOrder), origin), forecast];
}

/**
 * Applies the change orders that arrived before their project, in arrival order, once the project
 * exists, and resolves their UNKNOWN_PROJECT exceptions. Called in the transaction creating it.
 */
export async function applyHeldChangeOrders(
  tx: ProjectTx,
  projectId: string,
  now: number,
): Promise<EventRecord[]> {
  const held = await tx.changeOrder.findMany({
    where: { projectId, status: 'PENDING' },
    orderBy: [{ receivedAt: 'asc' }, { changeOrderId: 'asc' }],
  });
  const emitted: EventRecord[] = [];
  for (const row of held) {
    const plan = await loadPlan(tx, projectId);
    if (!plan) return emitted;
    const target: ChangeOrderToApply = {
      changeOrder: heldChangeOrderOf(row.changeOrder),
      correlationId: row.correlationId,
      causeEventId: row.causeEventId,
    };
    emitted.push(
      createEvent(
        'BusinessExceptionResolved',
        {
          exceptionId: unknownProjectExceptionId(row.changeOrderId),
          entityType: 'ChangeOrder',
          entityId: row.changeOrderId,
          dealId: plan.project.dealId,
          resolution: `Project ${projectId} was created; the change order was processed`,
        },
        { source: SOURCE, correlationId: row.correlationId, causationId: row.causeEventId },
      ),
      ...(await applyToProject(tx, plan, target, now)),
    );
  }
  return emitted;
}

/** Holds a change order whose project does not exist (yet) and raises it for sales operations. */
export async function holdChangeOrder(tx: ProjectTx, target: ChangeOrderToApply): Promise<EventRecord[]> {
  const { changeOrder } = target;
  await tx.changeOrder.create({
    data: {
      changeOrderId: changeOrder.changeOrderId,
      projectId: changeOrder.projectId,
      status: 'PENDING',
      changeOrder: toJson(changeOrder),
      correlationId: target.correlationId,
      causeEventId: target.causeEventId,
    },
  });
  return [
    createEvent(
      'BusinessExceptionRaised',
      {
        exceptionId: unknownProjectExceptionId(changeOrder.changeOrderId),
        ownerRole: 'SALES_OPERATIONS',
        entityType: 'ChangeOrder',
        entityId: changeOrder.changeOrderId,
        dealId: null,
        code: 'UNKNOWN_PROJECT',
        message: `Change order ${changeOrder.changeOrderId} is for project ${changeOrder.projectId}, which does not exist`,
        remediation:
          'Check the project id on the change order in the CRM; if the project is still being set up the change order is applied as soon as it is created, otherwise approve it again under a new change order id for the right project',
        details: { changeOrderId: changeOrder.changeOrderId, projectId: changeOrder.projectId },
      },
      { source: SOURCE, correlationId: target.correlationId, causationId: target.causeEventId },
    ),
  ];
}

/** The project's forecast from its current budget and its assignments, as ProjectForecastUpdated. */
export async function forecastRecord(
  tx: ProjectTx,
  current: ProjectPlanState,
  origin: EventOrigin,
  trigger: { eventId: string; eventType: string },
  now: number,
): Promise<EventRecord<'ProjectForecastUpdated'>> {
  const assignments = await assignmentsOf(tx, current);
  return createEvent(
    'ProjectForecastUpdated',
    forecastUpdated(current, forecastOf(current.budgetMinor, assignments), trigger, now),
    origin,
  );
}

/** The project's assignments in its currency (staffing prices them in the project currency). */
export async function assignmentsOf(
  tx: ProjectTx,
  project: { projectId: string; currency: string },
): Promise<AssignmentCost[]> {
  const rows = await tx.projectAssignment.findMany({
    where: { projectId: project.projectId, currency: project.currency },
    orderBy: { assignmentId: 'asc' },
  });
  return rows.map((row) => ({
    assignmentId: row.assignmentId,
    status: row.status as AssignmentCost['status'],
    forecastCostMinor: Number(row.forecastCostMinor),
  }));
}

/**
 * A held change order as stored (the event payload as JSON). Those held before ChangeOrderApproved
 * v2 have no currency field: they read as null (in the project currency), as a v1 event does.
 */
export function heldChangeOrderOf(stored: unknown): ChangeOrderApproved {
  const changeOrder = stored as Omit<ChangeOrderApproved, 'currency'> & { currency?: string | null };
  return { ...changeOrder, currency: changeOrder.currency ?? null };
}

function unknownProjectExceptionId(changeOrderId: string): string {
  return `EXC-${changeOrderId}-UNKNOWN_PROJECT`;
}
