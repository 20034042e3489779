import { isIsoDate, monthsCovering } from '@throughline/calendar';
import {
  BillingProvisioned,
  BillingScheduleItem,
  BillingType,
  ProjectCreated,
  ProjectMilestone,
  RevenueRule,
} from '@throughline/contracts';

import { basisPointsOf, FULL_FEE_BASIS_POINTS, splitEvenly } from './money';

/** How each billing type recognises revenue. */
export const REVENUE_RULE: Readonly<Record<BillingType, RevenueRule>> = {
  TIME_AND_MATERIALS: 'AS_DELIVERED',
  FIXED_FEE_MILESTONE: 'ON_MILESTONE',
  FIXED_FEE_PERCENT_COMPLETE: 'PERCENT_COMPLETE_COST_TO_COST',
  RETAINER: 'RETAINER_USAGE',
};

/** The project cannot be billed as it is; finance must sort it out with delivery. */
export class BillingRejected extends Error {
  constructor(
    readonly code: 'INVALID_PROJECT_DATES' | 'INVALID_MILESTONE_FEES',
    message: string,
  ) {
    super(message);
    this.name = 'BillingRejected';
  }
}

export function billingScheduleIdFor(projectId: string): string {
  return `BS-${projectId}`;
}

type ItemDraft = Omit<BillingScheduleItem, 'itemId'>;

/**
 * The billing schedule and revenue rule for a new project. Fixed-fee and retainer schedules sum
 * exactly to the budget; time-and-materials and percent-complete items carry no amount (billed
 * from actuals or progress).
 */
export function provisionBilling(project: ProjectCreated): BillingProvisioned {
  for (const [name, date] of [
    ['startDate', project.startDate],
    ['endDate', project.endDate],
  ]) {
    if (!isIsoDate(date)) {
      throw new BillingRejected(
        'INVALID_PROJECT_DATES',
        `Project ${project.projectId} ${name} "${date}" is not an ISO date`,
      );
    }
  }
  if (project.endDate < project.startDate) {
    throw new BillingRejected(
      'INVALID_PROJECT_DATES',
      `Project ${project.projectId} ends (${project.endDate}) before it starts (${project.startDate})`,
    );
  }
  const billingScheduleId = billingScheduleIdFor(project.projectId);
  const drafts = itemsFor(project);
  return {
    projectId: project.projectId,
    dealId: project.dealId,
    billingScheduleId,
    billingType: project.billingType,
    currency: project.currency,
    revenueRule: REVENUE_RULE[project.billingType],
    scheduleItems: drafts.map((draft, i) => ({
      itemId: `${billingScheduleId}-${String(i + 1).padStart(2, '0')}`,
      ...draft,
    })),
  };
}

function itemsFor(project: ProjectCreated): ItemDraft[] {
  const months = () => monthsCovering(project.startDate, project.endDate);
  switch (project.billingType) {
    case 'TIME_AND_MATERIALS':
      return months().map(({ month, lastDay }) => monthlyItem(`Time and materials ${month}`, lastDay, null));
    case 'FIXED_FEE_PERCENT_COMPLETE':
      return months().map(({ month, lastDay }) => monthlyItem(`Progress billing ${month}`, lastDay, null));
    case 'RETAINER': {
      const periods = months();
      const shares = splitEvenly(project.budgetMinor, periods.length);
      return periods.map(({ month, lastDay }, i) => monthlyItem(`Retainer ${month}`, lastDay, shares[i]));
    }
    case 'FIXED_FEE_MILESTONE':
      return milestoneItems(project);
  }
}

function monthlyItem(description: string, dueDate: string, amountMinor: number | null): ItemDraft {
  return { description, dueDate, amountMinor, milestoneId: null };
}

/**
 * One item per milestone. A milestone either has a fixed amount or a percentOfFee of the budget
 * (rounded down); together they must come to exactly 100 % of the budget — Σ amounts × 10000 +
 * budget × Σ basis points = budget × 10000 — and only then does the last milestone with a
 * percentage take the rounding remainder (less than one minor unit per percentage milestone), so
 * the items sum exactly to the budget. A schedule that does not add up (percentages of 90 %, 120 %,
 * 150 %; a milestone with neither an amount nor a percentage) is rejected, never balanced on a
 * milestone.
 */
function milestoneItems(project: ProjectCreated): ItemDraft[] {
  const milestones = project.phases.flatMap((phase) => phase.milestones);
  const reject = (reason: string) =>
    new BillingRejected('INVALID_MILESTONE_FEES', `Project ${project.projectId}: ${reason}`);
  if (milestones.length === 0) throw reject('a milestone-billed project has no milestones');
  if (milestones.some((m) => (m.amountMinor ?? 0) < 0 || (m.percentOfFee ?? 0) < 0)) {
    throw reject('milestone amounts and percentages must not be negative');
  }
  const unpriced = milestones.filter((m) => m.amountMinor === null && m.percentOfFee === null);
  if (unpriced.length > 0) {
    throw reject(
      `milestones ${unpriced.map((m) => m.milestoneId).join(', ')} have neither an amount nor a percentOfFee`,
    );
  }
  const fixedMinor = milestones.reduce((sum, m) => sum + BigInt(m.amountMinor ?? 0), 0n);
  const percentMilestones = milestones.filter((m) => m.amountMinor === null);
  const basisPoints = percentMilestones.reduce((sum, m) => sum + BigInt(m.percentOfFee ?? 0), 0n);
  const budget = BigInt(project.budgetMinor);
  const full = BigInt(FULL_FEE_BASIS_POINTS);
  const whole =
    percentMilestones.length === 0
      ? fixedMinor === budget
      : fixedMinor * full + budget * basisPoints === budget * full &&
        (fixedMinor > 0n || basisPoints === full);
  if (!whole) {
    throw reject(
      percentMilestones.length === 0
        ? `milestone fees come to ${fixedMinor} ${project.currency} minor units, the budget is ${project.budgetMinor}`
        : `milestone fees come to ${fixedMinor} ${project.currency} minor units plus ${percentText(basisPoints)} % of the budget ${project.budgetMinor}, not 100 % of it`,
    );
  }
  const amounts = milestones.map(
    (m) => m.amountMinor ?? basisPointsOf(project.budgetMinor, m.percentOfFee ?? 0),
  );
  const allocated = amounts.reduce((sum, amount) => sum + amount, 0);
  const last = lastIndexOf(milestones, (m) => m.amountMinor === null);
  if (last >= 0) amounts[last] += project.budgetMinor - allocated;
  return milestones.map((m, i) => ({
    description: m.name,
    dueDate: m.dueDate,
    amountMinor: amounts[i],
    milestoneId: m.milestoneId,
  }));
}

/** Basis points as a percentage with two decimals: 9000n → "90.00". */
function percentText(basisPoints: bigint): string {
  return `${basisPoints / 100n}.${String(basisPoints % 100n).padStart(2, '0')}`;
}

function lastIndexOf(milestones: ProjectMilestone[], predicate: (m: ProjectMilestone) => boolean): number {
  for (let i = milestones.length - 1; i >= 0; i--) if (predicate(milestones[i])) return i;
  return -1;
}
