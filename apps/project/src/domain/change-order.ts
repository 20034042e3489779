import { isIsoDate } from '@throughline/calendar';
import {
  BillingType,
  ChangeOrderApproved,
  PlannedMilestone,
  PlannedRole,
  ProjectCreated,
  ProjectPlanChanged,
} from '@throughline/contracts';

/** A role of the delivery plan: budgeted hours and bill rate. */
export interface PlanRole {
  role: string;
  hoursHundredths: number;
  rateMinor: number;
  skills: string[];
}

/** A milestone of the delivery plan (amountMinor is the fixed fee on milestone-billed projects). */
export interface PlanMilestone {
  milestoneId: string;
  name: string;
  dueDate: string;
  amountMinor: number | null;
}

/** A project's delivery plan and financial values at one plan version (1 = as created, the baseline). */
export interface ProjectPlanState {
  projectId: string;
  dealId: string;
  currency: string;
  billingType: BillingType;
  planVersion: number;
  startDate: string;
  endDate: string;
  budgetMinor: number;
  roles: PlanRole[];
  milestones: PlanMilestone[];
}

export type ChangeOrderOutcome =
  { kind: 'applied'; plan: ProjectPlanState } | { kind: 'rejected'; reasons: string[] };

/** The baseline: the plan the project was created with (plan version 1). */
export function baselineOf(project: ProjectCreated): ProjectPlanState {
  return {
    projectId: project.projectId,
    dealId: project.dealId,
    currency: project.currency,
    billingType: project.billingType,
    planVersion: 1,
    startDate: project.startDate,
    endDate: project.endDate,
    budgetMinor: project.budgetMinor,
    roles: project.roles.map((role) => ({
      role: role.role,
      hoursHundredths: role.hoursHundredths,
      rateMinor: role.rateMinor,
      skills: [...role.skills],
    })),
    milestones: project.phases.flatMap((phase) =>
      phase.milestones.map((milestone) => ({
        milestoneId: milestone.milestoneId,
        name: milestone.name,
        dueDate: milestone.dueDate,
        amountMinor: milestone.amountMinor,
      })),
    ),
  };
}

/**
 * Applies an approved change order to the current plan: budget += delta, a new end date, role hours
 * += delta (a new role needs a rate), milestones added, changed or removed. Either every change
 * applies and the plan version goes up by one, or nothing applies and every reason is returned.
 * Completed milestones cannot be changed or removed. On fixed-fee milestone projects the milestone
 * amounts must still sum exactly to the new budget. A change order in another currency than the
 * project's is rejected outright; one without a currency (v1) is taken to be in the project's.
 */
export function applyChangeOrder(
  current: ProjectPlanState,
  changeOrder: ChangeOrderApproved,
  completedMilestoneIds: ReadonlySet<string> = new Set(),
): ChangeOrderOutcome {
  const reasons: string[] = [];
  if (changeOrder.projectId !== current.projectId) {
    reasons.push(`it is for project ${changeOrder.projectId}, not ${current.projectId}`);
  }
  if (changeOrder.currency !== null && changeOrder.currency !== current.currency) {
    // Every amount is in the other currency, so the amount rules below would only add misleading reasons.
    reasons.push(
      `change order is in ${changeOrder.currency}, project ${current.projectId} is in ${current.currency}`,
    );
    return { kind: 'rejected', reasons };
  }
  if (!isIsoDate(changeOrder.effectiveDate)) {
    reasons.push(`effectiveDate "${changeOrder.effectiveDate}" is not an ISO date (YYYY-MM-DD)`);
  }

  const budgetMinor = current.budgetMinor + changeOrder.budgetDeltaMinor;
  if (!Number.isSafeInteger(changeOrder.budgetDeltaMinor) || !Number.isSafeInteger(budgetMinor)) {
    reasons.push(`budgetDeltaMinor ${changeOrder.budgetDeltaMinor} is out of range`);
  } else if (budgetMinor < 0) {
    reasons.push(
      `the budget would become negative (${current.budgetMinor} + ${changeOrder.budgetDeltaMinor} = ${budgetMinor})`,
    );
  }

  let endDate = current.endDate;
  if (changeOrder.newEndDate !== null) {
    if (!isIsoDate(changeOrder.newEndDate)) {
      reasons.push(`newEndDate "${changeOrder.newEndDate}" is not an ISO date (YYYY-MM-DD)`);
    } else if (changeOrder.newEndDate < current.startDate) {
      reasons.push(`newEndDate ${changeOrder.newEndDate} is before the project start ${current.startDate}`);
    } else {
      endDate = changeOrder.newEndDate;
    }
  }

  const roles = current.roles.map((role) => ({ ...role, skills: [...role.skills] }));
  for (const change of changeOrder.roleChanges) {
    if (!Number.isSafeInteger(change.hoursDeltaHundredths)) {
      reasons.push(
        `role ${change.role}: hoursDeltaHundredths ${change.hoursDeltaHundredths} is out of range`,
      );
      continue;
    }
    if (change.rateMinor !== null && (!Number.isSafeInteger(change.rateMinor) || change.rateMinor < 0)) {
      reasons.push(`role ${change.role}: rateMinor ${change.rateMinor} must be a whole amount ≥ 0`);
      continue;
    }
    const role = roles.find((candidate) => candidate.role === change.role);
    if (!role) {
      if (change.rateMinor === null) {
        reasons.push(`new role ${change.role} needs a rateMinor`);
      } else if (change.hoursDeltaHundredths < 0) {
        reasons.push(
          `new role ${change.role} cannot start with negative hours (${change.hoursDeltaHundredths})`,
        );
      } else {
        roles.push({
          role: change.role,
          hoursHundredths: change.hoursDeltaHundredths,
          rateMinor: change.rateMinor,
          skills: [],
        });
      }
      continue;
    }
    const hours = role.hoursHundredths + change.hoursDeltaHundredths;
    if (hours < 0) {
      reasons.push(
        `role ${change.role} would have negative hours (${role.hoursHundredths} + ${change.hoursDeltaHundredths} = ${hours} hundredths)`,
      );
      continue;
    }
    role.hoursHundredths = hours;
    if (change.rateMinor !== null) role.rateMinor = change.rateMinor;
  }

  const milestones = current.milestones.map((milestone) => ({ ...milestone }));
  const milestoneBilled = current.billingType === 'FIXED_FEE_MILESTONE';
  for (const change of changeOrder.milestoneChanges) {
    const id = change.milestoneId;
    const index = milestones.findIndex((milestone) => milestone.milestoneId === id);
    if (
      change.amountMinor !== null &&
      (!Number.isSafeInteger(change.amountMinor) || change.amountMinor < 0)
    ) {
      reasons.push(`milestone ${id}: amountMinor ${change.amountMinor} must be a whole amount ≥ 0`);
      continue;
    }
    if (change.dueDate !== null && !isIsoDate(change.dueDate)) {
      reasons.push(`milestone ${id}: dueDate "${change.dueDate}" is not an ISO date (YYYY-MM-DD)`);
      continue;
    }
    if (change.action === 'ADD') {
      if (index >= 0) {
        reasons.push(`milestone ${id} already exists`);
      } else if (!change.name || change.dueDate === null) {
        reasons.push(`new milestone ${id} needs a name and a dueDate`);
      } else if (milestoneBilled && change.amountMinor === null) {
        reasons.push(`new milestone ${id} needs an amountMinor on a fixed-fee milestone project`);
      } else {
        milestones.push({
          milestoneId: id,
          name: change.name,
          dueDate: change.dueDate,
          amountMinor: change.amountMinor,
        });
      }
    } else if (index < 0) {
      reasons.push(`milestone ${id} does not exist`);
    } else if (completedMilestoneIds.has(id)) {
      reasons.push(
        `milestone ${id} is already completed and cannot be ${change.action === 'REMOVE' ? 'removed' : 'changed'}`,
      );
    } else if (change.action === 'REMOVE') {
      milestones.splice(index, 1);
    } else {
      const milestone = milestones[index];
      if (change.name) milestone.name = change.name;
      if (change.dueDate !== null) milestone.dueDate = change.dueDate;
      if (change.amountMinor !== null) milestone.amountMinor = change.amountMinor;
    }
  }

  for (const milestone of milestones) {
    if (milestone.dueDate < current.startDate || milestone.dueDate > endDate) {
      reasons.push(
        `milestone ${milestone.milestoneId} would be due ${milestone.dueDate}, outside the project ${current.startDate}..${endDate}`,
      );
    }
  }
  if (milestoneBilled && reasons.length === 0) {
    const unpriced = milestones.filter((milestone) => milestone.amountMinor === null);
    const total = milestones.reduce((sum, milestone) => sum + BigInt(milestone.amountMinor ?? 0), 0n);
    if (unpriced.length > 0) {
      reasons.push(`milestones ${unpriced.map((m) => m.milestoneId).join(', ')} have no amount`);
    } else if (total !== BigInt(budgetMinor)) {
      reasons.push(`the milestone amounts sum to ${total}, not to the budget ${budgetMinor}`);
    }
  }

  if (reasons.length > 0) return { kind: 'rejected', reasons };
  return {
    kind: 'applied',
    plan: { ...current, planVersion: current.planVersion + 1, endDate, budgetMinor, roles, milestones },
  };
}

/** The ProjectPlanChanged event for a plan: the full current plan beside the baseline. */
export function planChanged(
  baseline: ProjectPlanState,
  current: ProjectPlanState,
  changeOrder: Pick<ChangeOrderApproved, 'changeOrderId' | 'effectiveDate'>,
): ProjectPlanChanged {
  return {
    projectId: current.projectId,
    dealId: current.dealId,
    planVersion: current.planVersion,
    changeOrderId: changeOrder.changeOrderId,
    effectiveDate: changeOrder.effectiveDate,
    currency: current.currency,
    billingType: current.billingType,
    startDate: current.startDate,
    endDate: current.endDate,
    baselineEndDate: baseline.endDate,
    budgetMinor: current.budgetMinor,
    baselineBudgetMinor: baseline.budgetMinor,
    milestones: current.milestones.map((milestone): PlannedMilestone => ({
      milestoneId: milestone.milestoneId,
      name: milestone.name,
      dueDate: milestone.dueDate,
      amountMinor: milestone.amountMinor,
    })),
    roles: current.roles.map((role): PlannedRole => ({
      role: role.role,
      hoursHundredths: role.hoursHundredths,
      baselineHoursHundredths:
        baseline.roles.find((candidate) => candidate.role === role.role)?.hoursHundredths ?? 0,
      rateMinor: role.rateMinor,
      skills: [...role.skills],
    })),
  };
}
