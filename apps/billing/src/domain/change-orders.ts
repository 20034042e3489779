/**
 * Applying a project's new plan (after a change order) to a milestone billing schedule: milestones
 * are added, changed or removed, except those already billed, which are immutable — a change to one
 * is reported as a conflict for finance to settle (credit note or a new change order).
 */
import { isIsoDate, monthsCovering } from '@throughline/calendar';
import { PlannedMilestone } from '@throughline/contracts';

import { splitEvenly } from './money';

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

export interface RetainerItem {
  itemId: string;
  dueDate: string | null;
  amountMinor: number | null;
  billed: boolean;
}

export interface RetainerScheduleChange {
  change: { itemId: string; amountMinor: number }[];
  add: { description: string; dueDate: string; amountMinor: number }[];
  /** Unbilled items after the new end date. */
  remove: string[];
  /** Why the new plan cannot be applied (nothing is changed then). */
  conflict: string | null;
}

/**
 * A retainer's schedule after a change order: billed fees stay; what is left of the new budget is
 * split evenly (exactly, remainder to the first) over the unbilled months of the new date range —
 * months added by a later end date get an item, unbilled months after an earlier end date go.
 */
export function reshapeRetainer(
  items: readonly RetainerItem[],
  startDate: string,
  endDate: string,
  budgetMinor: number,
): RetainerScheduleChange {
  const none = (conflict: string): RetainerScheduleChange => ({ change: [], add: [], remove: [], conflict });
  if (!isIsoDate(startDate) || !isIsoDate(endDate) || endDate < startDate) {
    return none(`the plan's dates ${startDate}..${endDate} are not a valid range`);
  }
  const billed = items.filter((item) => item.billed);
  const billedMinor = billed.reduce((sum, item) => sum + (item.amountMinor ?? 0), 0);
  const remaining = budgetMinor - billedMinor;
  if (remaining < 0) {
    return none(`the new budget ${budgetMinor} is below the ${billedMinor} already billed`);
  }
  const months = monthsCovering(startDate, endDate);
  const lastDay = months[months.length - 1].lastDay;
  const unbilled = items.filter((item) => !item.billed);
  const remove = unbilled.filter((item) => item.dueDate === null || item.dueDate > lastDay);
  const kept = unbilled.filter((item) => !remove.includes(item));
  const covered = new Set(items.flatMap((item) => (item.dueDate ? [item.dueDate.slice(0, 7)] : [])));
  const lastBilled = billed.reduce(
    (max, item) => ((item.dueDate ?? '') > max ? (item.dueDate ?? '') : max),
    '',
  );
  const added = months.filter((m) => !covered.has(m.month) && m.lastDay > lastBilled);
  const slots = kept.length + added.length;
  if (slots === 0) {
    return remaining === 0
      ? { change: [], add: [], remove: [], conflict: null }
      : none(`no unbilled month is left to bill ${remaining} on`);
  }
  const shares = splitEvenly(remaining, slots);
  const ordered = [
    ...kept.map((item) => ({ dueDate: item.dueDate as string, item })),
    ...added.map((m) => ({ dueDate: m.lastDay, month: m.month })),
  ].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const result: RetainerScheduleChange = {
    change: [],
    add: [],
    remove: remove.map((i) => i.itemId),
    conflict: null,
  };
  ordered.forEach((slot, i) => {
    if ('item' in slot) {
      if (slot.item.amountMinor !== shares[i])
        result.change.push({ itemId: slot.item.itemId, amountMinor: shares[i] });
    } else {
      result.add.push({
        description: `Retainer ${slot.month}`,
        dueDate: slot.dueDate,
        amountMinor: shares[i],
      });
    }
  });
  return result;
}
