import {
  ProjectCreated,
  ProjectPlanChanged,
  StaffingDemandLine,
  StaffingDemandPublished,
} from '@throughline/contracts';

/** The role demand a new project needs staffed: one line per role, over the project's dates. */
export function demandForProject(project: ProjectCreated): StaffingDemandPublished {
  return {
    demandId: `DEM-${project.projectId}`,
    projectId: project.projectId,
    dealId: project.dealId,
    demands: project.roles.map((role): StaffingDemandLine => ({
      demandLineId: `${project.projectId}:${role.role}`,
      role: role.role,
      skills: [...role.skills],
      hoursHundredths: role.hoursHundredths,
      startDate: project.startDate,
      endDate: project.endDate,
    })),
  };
}

/**
 * The role demand after a plan change: one line per role of the current plan (hours as now planned,
 * over the project's current dates; a role cut to 0 hours stays as a 0-hour line so resource
 * managers see the release), under a new demand id per plan version. Line ids stay stable per role.
 */
export function demandForPlan(plan: ProjectPlanChanged): StaffingDemandPublished {
  return {
    demandId: `DEM-${plan.projectId}-v${plan.planVersion}`,
    projectId: plan.projectId,
    dealId: plan.dealId,
    demands: plan.roles.map((role): StaffingDemandLine => ({
      demandLineId: `${plan.projectId}:${role.role}`,
      role: role.role,
      skills: [...role.skills],
      hoursHundredths: role.hoursHundredths,
      startDate: plan.startDate,
      endDate: plan.endDate,
    })),
  };
}

/** True when a plan change is newer than the plan version the stored demand came from. */
export function isNewerPlan(storedPlanVersion: number | undefined, plan: ProjectPlanChanged): boolean {
  return storedPlanVersion === undefined || plan.planVersion > storedPlanVersion;
}
