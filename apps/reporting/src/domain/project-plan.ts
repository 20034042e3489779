import { epochDay } from '@throughline/calendar';
import { BillingType } from '@throughline/contracts';

import { basisPoints } from './ratio';
import { MilestoneCompletionFacts, PlanChangeFacts, PlanMilestone, ProjectFacts } from './time-to-cash';

export type MilestoneChange = 'UNCHANGED' | 'MOVED' | 'CHANGED' | 'ADDED' | 'REMOVED';

export interface MilestoneComparison {
  milestoneId: string;
  name: string;
  baselineDueDate: string | null;
  currentDueDate: string | null;
  baselineAmountMinor: number | null;
  currentAmountMinor: number | null;
  change: MilestoneChange;
  completedOn: string | null;
}

export interface RoleComparison {
  role: string;
  baselineHoursHundredths: number;
  currentHoursHundredths: number;
  changeHoursHundredths: number;
  rateMinor: number | null;
}

/** A project's plan: the baseline it was created with beside the current one after change orders. */
export interface ProjectPlan {
  projectId: string;
  dealId: string;
  customerId: string | null;
  legalEntityId: string | null;
  name: string | null;
  currency: string;
  billingType: BillingType;
  /** 1 until a change order is applied. */
  planVersion: number;
  lastChangeOrderId: string | null;
  budget: { baselineMinor: number; currentMinor: number; changeMinor: number };
  startDate: { baseline: string | null; current: string };
  endDate: { baseline: string; current: string; slipDays: number };
  roles: RoleComparison[];
  milestones: MilestoneComparison[];
}

/**
 * Baseline against current. The baseline comes from ProjectCreated; until that arrives, from the
 * baseline figures a plan change repeats (budget, end date, hours per role; the baseline start date
 * and milestones are then unknown). Current is the highest plan version seen, else the created plan.
 */
export function projectPlan(
  created: ProjectFacts | null,
  change: PlanChangeFacts | null,
  completions: readonly MilestoneCompletionFacts[] = [],
): ProjectPlan | null {
  const source = change ?? created;
  if (!source) return null;
  const baselineBudget = created?.budgetMinor ?? (change as PlanChangeFacts).baselineBudgetMinor;
  const baselineEnd = created?.endDate ?? (change as PlanChangeFacts).baselineEndDate;
  const completedOn = new Map<string, string>();
  for (const completion of completions) {
    const known = completedOn.get(completion.milestoneId);
    if (!known || completion.completedOn < known)
      completedOn.set(completion.milestoneId, completion.completedOn);
  }
  return {
    projectId: source.projectId,
    dealId: source.dealId,
    customerId: created?.customerId ?? null,
    legalEntityId: created?.legalEntityId ?? null,
    name: created?.name ?? null,
    currency: source.currency,
    billingType: source.billingType,
    planVersion: change?.planVersion ?? 1,
    lastChangeOrderId: change?.changeOrderId ?? null,
    budget: {
      baselineMinor: baselineBudget,
      currentMinor: source.budgetMinor,
      changeMinor: source.budgetMinor - baselineBudget,
    },
    startDate: { baseline: created?.startDate ?? null, current: source.startDate },
    endDate: {
      baseline: baselineEnd,
      current: source.endDate,
      slipDays: epochDay(source.endDate) - epochDay(baselineEnd),
    },
    roles: compareRoles(created, change),
    milestones: compareMilestones(created?.milestones ?? null, change?.milestones ?? null, completedOn),
  };
}

function compareRoles(created: ProjectFacts | null, change: PlanChangeFacts | null): RoleComparison[] {
  const rows = new Map<string, RoleComparison>();
  const row = (role: string) => {
    let found = rows.get(role);
    if (!found) {
      found = {
        role,
        baselineHoursHundredths: 0,
        currentHoursHundredths: 0,
        changeHoursHundredths: 0,
        rateMinor: null,
      };
      rows.set(role, found);
    }
    return found;
  };
  for (const role of created?.roles ?? []) {
    const target = row(role.role);
    target.baselineHoursHundredths += role.hoursHundredths;
    if (!change) {
      target.currentHoursHundredths += role.hoursHundredths;
      target.rateMinor = role.rateMinor;
    }
  }
  for (const role of change?.roles ?? []) {
    const target = row(role.role);
    if (!created) target.baselineHoursHundredths += role.baselineHoursHundredths;
    target.currentHoursHundredths += role.hoursHundredths;
    target.rateMinor = role.rateMinor;
  }
  return [...rows.values()]
    .map((role) => ({
      ...role,
      changeHoursHundredths: role.currentHoursHundredths - role.baselineHoursHundredths,
    }))
    .sort((a, b) => a.role.localeCompare(b.role));
}

function compareMilestones(
  baseline: readonly PlanMilestone[] | null,
  current: readonly PlanMilestone[] | null,
  completedOn: ReadonlyMap<string, string>,
): MilestoneComparison[] {
  const before = new Map((baseline ?? []).map((milestone) => [milestone.milestoneId, milestone]));
  const now = new Map((current ?? baseline ?? []).map((milestone) => [milestone.milestoneId, milestone]));
  const ids = [...new Set([...before.keys(), ...now.keys()])];
  return ids
    .map((milestoneId): MilestoneComparison => {
      const old = before.get(milestoneId) ?? null;
      const cur = now.get(milestoneId) ?? null;
      // Without the created plan the baseline milestones are unknown: nothing can be called added.
      const change: MilestoneChange = !cur
        ? 'REMOVED'
        : !old
          ? baseline
            ? 'ADDED'
            : 'UNCHANGED'
          : old.amountMinor !== cur.amountMinor
            ? 'CHANGED'
            : old.dueDate !== cur.dueDate
              ? 'MOVED'
              : 'UNCHANGED';
      return {
        milestoneId,
        name: (cur ?? old)?.name ?? milestoneId,
        baselineDueDate: old?.dueDate ?? null,
        currentDueDate: cur?.dueDate ?? null,
        baselineAmountMinor: old?.amountMinor ?? null,
        currentAmountMinor: cur?.amountMinor ?? null,
        change,
        completedOn: completedOn.get(milestoneId) ?? null,
      };
    })
    .sort(
      (a, b) =>
        (a.currentDueDate ?? a.baselineDueDate ?? '').localeCompare(
          b.currentDueDate ?? b.baselineDueDate ?? '',
        ) || a.milestoneId.localeCompare(b.milestoneId),
    );
}

export interface PercentComplete {
  basisPoints: number;
  /** MILESTONES: completed share of the current milestones; SCHEDULE: elapsed share of the schedule. */
  basis: 'MILESTONES' | 'SCHEDULE';
}

/**
 * How complete a project is on `asOf`. With milestones in its current plan: the number completed on
 * or before `asOf` over the number planned. Without: calendar days elapsed from the start date
 * through `asOf` (both inclusive) over the days from start to end date (both inclusive), between
 * 0 and 10 000. Basis points rounded half away from zero.
 */
export function percentComplete(plan: ProjectPlan, asOf: string): PercentComplete {
  const planned = plan.milestones.filter((milestone) => milestone.currentDueDate !== null);
  if (planned.length > 0) {
    const done = planned.filter(
      (milestone) => milestone.completedOn !== null && milestone.completedOn <= asOf,
    );
    return { basisPoints: basisPoints(done.length, planned.length), basis: 'MILESTONES' };
  }
  const start = epochDay(plan.startDate.current);
  const total = epochDay(plan.endDate.current) - start + 1;
  const elapsed = Math.min(Math.max(epochDay(asOf) - start + 1, 0), total);
  return { basisPoints: total > 0 ? basisPoints(elapsed, total) : 10_000, basis: 'SCHEDULE' };
}
