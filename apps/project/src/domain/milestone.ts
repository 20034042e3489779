import { MilestoneCompleted } from '@throughline/contracts';

import { PlanMilestone } from './change-order';

export interface MilestoneCompletion {
  milestoneId: string;
  completedOn: string;
  completedBy: string;
}

/**
 * `complete`: record it and publish MilestoneCompleted. `already`: it was completed on the same
 * date, nothing more to do (a retried request). `conflict`: it was completed on another date.
 * `unknown`: the current plan has no such milestone.
 */
export type CompletionDecision =
  | { kind: 'complete'; event: MilestoneCompleted }
  | { kind: 'already'; event: MilestoneCompleted }
  | { kind: 'conflict'; existing: MilestoneCompletion }
  | { kind: 'unknown' };

export function decideCompletion(
  project: { projectId: string; dealId: string; milestones: readonly PlanMilestone[] },
  existing: MilestoneCompletion | undefined,
  request: MilestoneCompletion,
): CompletionDecision {
  const asEvent = (completion: MilestoneCompletion): MilestoneCompleted => ({
    projectId: project.projectId,
    dealId: project.dealId,
    milestoneId: completion.milestoneId,
    completedOn: completion.completedOn,
    completedBy: completion.completedBy,
  });
  if (existing) {
    return existing.completedOn === request.completedOn
      ? { kind: 'already', event: asEvent(existing) }
      : { kind: 'conflict', existing };
  }
  if (!project.milestones.some((milestone) => milestone.milestoneId === request.milestoneId)) {
    return { kind: 'unknown' };
  }
  return { kind: 'complete', event: asEvent(request) };
}
