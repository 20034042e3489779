import { AssignmentChanged, AssignmentStatus } from '@throughline/contracts';

import { costOfHours } from './money';

export interface AssignmentRequest {
  assignmentId: string;
  projectId: string;
  personId: string;
  role: string;
  hoursHundredths: number;
  startDate: string;
  endDate: string;
  costRateMinor: number;
  status: AssignmentStatus;
}

export interface ProjectWindow {
  projectId: string;
  currency: string;
  startDate: string;
  endDate: string;
  roles: readonly string[];
}

export class AssignmentRejected extends Error {}

/** An assignment as planned; who changed it (`changedBy`) is added by the API call that publishes it. */
export type PlannedAssignment = Omit<AssignmentChanged, 'changedBy'>;

/** Validates an assignment against its project and prices its forecast cost. */
export function planAssignment(request: AssignmentRequest, project: ProjectWindow): PlannedAssignment {
  if (!project.roles.includes(request.role)) {
    throw new AssignmentRejected(
      `Project ${project.projectId} has no demand for role "${request.role}" (roles: ${project.roles.join(', ')})`,
    );
  }
  if (request.startDate > request.endDate) {
    throw new AssignmentRejected(`startDate ${request.startDate} is after endDate ${request.endDate}`);
  }
  if (request.startDate < project.startDate || request.endDate > project.endDate) {
    throw new AssignmentRejected(
      `Assignment ${request.startDate}..${request.endDate} lies outside the project ${project.startDate}..${project.endDate}`,
    );
  }
  const forecastCostMinor =
    request.status === 'CANCELLED' ? 0 : costOfHours(request.hoursHundredths, request.costRateMinor);
  return { ...request, forecastCostMinor, currency: project.currency };
}
