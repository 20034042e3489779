import { Inject, Injectable } from '@nestjs/common';

import { AssignmentChanged, EventRecord, StaffingDemandLine } from '@throughline/contracts';
import {
  causedBy,
  commit,
  ConsumedEvent,
  createEvent,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';
import { NotFoundError, ValidationError } from '@throughline/platform';

import { AssignmentRejected, AssignmentRequest, planAssignment } from '../domain/assignment';
import { demandForPlan, demandForProject, isNewerPlan } from '../domain/demand';
import { StaffingDb } from '../infrastructure/staffing-db';

export const STAFFING_DB = Symbol('STAFFING_DB');
const SOURCE = 'staffing';

@Injectable()
export class StaffingService {
  constructor(
    @Inject(STAFFING_DB) private readonly db: StaffingDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** ProjectCreated → the project's role demand, recorded and published once. */
  async publishDemand(event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const demand = demandForProject(event.data);
      const existing = await tx.projectDemand.findUnique({ where: { projectId: demand.projectId } });
      if (existing) return [];
      await tx.projectDemand.create({
        data: {
          projectId: demand.projectId,
          dealId: demand.dealId,
          demandId: demand.demandId,
          currency: event.data.currency,
          startDate: event.data.startDate,
          endDate: event.data.endDate,
          lines: demand.demands as unknown as object[],
        },
      });
      return [createEvent('StaffingDemandPublished', demand, causedBy(event, SOURCE))];
    });
  }

  /**
   * ProjectPlanChanged → the project's demand lines follow the current plan (hours per role, end
   * date, new roles) and are re-published under a new demand id, once per plan version. Existing
   * assignments are left as they are. A plan change arriving before ProjectCreated creates the demand
   * (the later ProjectCreated then has no effect).
   */
  async updateDemand(event: ConsumedEvent<'ProjectPlanChanged'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const plan = event.data;
      const existing = await tx.projectDemand.findUnique({ where: { projectId: plan.projectId } });
      if (!isNewerPlan(existing?.planVersion, plan)) return [];
      const demand = demandForPlan(plan);
      const row = {
        dealId: plan.dealId,
        demandId: demand.demandId,
        currency: plan.currency,
        startDate: plan.startDate,
        endDate: plan.endDate,
        lines: demand.demands as unknown as object[],
        planVersion: plan.planVersion,
      };
      await tx.projectDemand.upsert({
        where: { projectId: plan.projectId },
        create: { projectId: plan.projectId, ...row },
        update: row,
      });
      return [createEvent('StaffingDemandPublished', demand, causedBy(event, SOURCE))];
    });
  }

  /** Creates or changes an assignment and publishes its forecast cost. */
  /** `changedBy`: the verified caller, recorded in AssignmentChanged. */
  async assign(
    request: AssignmentRequest,
    changedBy: string,
    correlationId?: string,
  ): Promise<AssignmentChanged> {
    const [event] = await commit(this.db, async (tx): Promise<[EventRecord<'AssignmentChanged'>]> => {
      const project = await tx.projectDemand.findUnique({ where: { projectId: request.projectId } });
      if (!project)
        throw new NotFoundError(
          `Unknown project ${request.projectId}: no staffing demand was published for it`,
        );
      const lines = project.lines as unknown as StaffingDemandLine[];
      let changed: AssignmentChanged;
      try {
        const planned = planAssignment(request, { ...project, roles: lines.map((line) => line.role) });
        changed = { ...planned, changedBy };
      } catch (error) {
        if (error instanceof AssignmentRejected) throw new ValidationError(error.message);
        throw error;
      }
      const row = {
        projectId: changed.projectId,
        personId: changed.personId,
        role: changed.role,
        hoursHundredths: BigInt(changed.hoursHundredths),
        startDate: changed.startDate,
        endDate: changed.endDate,
        costRateMinor: BigInt(changed.costRateMinor),
        forecastCostMinor: BigInt(changed.forecastCostMinor),
        currency: changed.currency,
        status: changed.status,
      };
      await tx.assignment.upsert({
        where: { assignmentId: changed.assignmentId },
        create: { assignmentId: changed.assignmentId, ...row },
        update: row,
      });
      return [createEvent('AssignmentChanged', changed, { source: SOURCE, correlationId })];
    });
    return event.data;
  }
}
