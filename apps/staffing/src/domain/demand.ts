import { ProjectCreated, StaffingDemandLine, StaffingDemandPublished } from '@throughline/contracts';

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
