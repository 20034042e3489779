/**
 * Applying a project's new plan (after a change order) to a milestone billing schedule: milestones
 * are added, changed or removed, except those already billed, which are immutable — a change to one
 * is reported as a conflict for finance to settle (credit note or a new change order).
 */
import { PlannedMilestone } from '@throughline/contracts';

export interface ScheduledMilestone {
  itemId: string;
  milestoneId: string;
  description: string;
  dueDate: string | null;
  amountMinor: number | null;
  billed: boolean;
}

export interface MilestoneScheduleChange {
  add: { milestoneId: string; description: string; dueDate: string; amountMinor: number }[];
  change: { itemId: string; description: string; dueDate: string; amountMinor: number }[];
  /** Item ids of unbilled milestones no longer in the plan. */
  remove: string[];
  /** Billed milestones the plan changes or removes. */
  conflicts: { milestoneId: string; itemId: string; reason: string }[];
}

export function reconcileMilestones(
  current: readonly ScheduledMilestone[],
  planned: readonly PlannedMilestone[],
): MilestoneScheduleChange {
  const result: MilestoneScheduleChange = { add: [], change: [], remove: [], conflicts: [] };
  const plannedById = new Map(planned.map((m) => [m.milestoneId, m]));
  for (const item of current) {
    const next = plannedById.get(item.milestoneId);
    if (!next) {
      if (item.billed) {
        result.conflicts.push({
          milestoneId: item.milestoneId,
          itemId: item.itemId,
          reason: `billed milestone ${item.milestoneId} was removed from the plan`,
        });
      } else {
        result.remove.push(item.itemId);
      }
      continue;
    }
    const amountMinor = next.amountMinor ?? item.amountMinor ?? 0;
    if (amountMinor === item.amountMinor && next.dueDate === item.dueDate && next.name === item.description) {
      continue;
    }
    if (item.billed) {
      if (amountMinor !== item.amountMinor || next.dueDate !== item.dueDate) {
        result.conflicts.push({
          milestoneId: item.milestoneId,
          itemId: item.itemId,
          reason: `billed milestone ${item.milestoneId} changed: amount ${item.amountMinor ?? 0} → ${amountMinor}, due ${item.dueDate ?? '-'} → ${next.dueDate}`,
        });
      }
      continue;
    }
    result.change.push({ itemId: item.itemId, description: next.name, dueDate: next.dueDate, amountMinor });
  }
  const known = new Set(current.map((item) => item.milestoneId));
  for (const m of planned) {
    if (known.has(m.milestoneId)) continue;
    result.add.push({
      milestoneId: m.milestoneId,
      description: m.name,
      dueDate: m.dueDate,
      amountMinor: m.amountMinor ?? 0,
    });
  }
  return result;
}
