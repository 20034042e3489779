import { epochDay } from '@throughline/calendar';
import { ProjectState } from '@throughline/contracts';
import { CurrentStateConfig } from '@throughline/messaging';

import { ProjectTx } from '../infrastructure/project-db';
import { LoadedPlan, loadPlan, SOURCE } from './plan-changes';

export function projectStateOf(
  plan: LoadedPlan,
  completedMilestones: number,
  createdAt: Date,
  updatedAt: Date,
): ProjectState {
  const { project, current } = plan;
  return {
    projectId: project.projectId,
    contractId: project.contractId,
    dealId: project.dealId,
    customerId: project.customerId,
    legalEntityId: project.legalEntityId,
    currency: project.currency,
    billingType: project.billingType,
    templateId: project.templateId,
    rateCardId: project.rateCardId,
    name: project.name,
    startDate: epochDay(project.startDate),
    endDate: epochDay(current.endDate),
    budgetMinor: current.budgetMinor,
    planVersion: current.planVersion,
    plannedHoursHundredths: current.roles.reduce((sum, role) => sum + role.hoursHundredths, 0),
    roleCount: current.roles.length,
    milestoneCount: current.milestones.length,
    completedMilestones,
    createdAt: createdAt.getTime(),
    updatedAt: Math.max(createdAt.getTime(), updatedAt.getTime()),
  };
}

async function projectStates(tx: ProjectTx, ids: readonly string[]): Promise<Map<string, ProjectState>> {
  const states = new Map<string, ProjectState>();
  for (const projectId of ids) {
    const plan = await loadPlan(tx, projectId);
    if (!plan) continue;
    // One transaction is one connection: its queries run one after the other.
    const row = await tx.project.findUniqueOrThrow({ where: { projectId }, select: { createdAt: true } });
    const stored = await tx.projectPlan.findUnique({ where: { projectId }, select: { updatedAt: true } });
    const completedMilestones = await tx.milestoneCompletion.count({ where: { projectId } });
    states.set(
      projectId,
      projectStateOf(plan, completedMilestones, row.createdAt, stored?.updatedAt ?? row.createdAt),
    );
  }
  return states;
}

/**
 * The project service's current-state topic: every change to a project, its plan or its milestone
 * completions (tracked by migration 004) publishes the project's full state in the same transaction.
 */
export const PROJECT_CURRENT_STATE: CurrentStateConfig<ProjectTx> = {
  source: SOURCE,
  entities: [{ entity: 'project', eventType: 'ProjectState', load: projectStates }],
};
