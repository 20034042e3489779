import { reconcileMilestones, ScheduledMilestone } from './change-orders';

const item = (milestoneId: string, amountMinor: number, billed: boolean): ScheduledMilestone => ({
  itemId: `BS-1-${milestoneId}`,
  milestoneId,
  description: milestoneId,
  dueDate: '2030-04-15',
  amountMinor,
  billed,
});

describe('reconcileMilestones (change order on a milestone-billed project)', () => {
  it('adds, changes and removes unbilled milestones; billed ones are immutable conflicts', () => {
    const change = reconcileMilestones(
      [item('M1', 3_333, true), item('M2', 6_668, false), item('M3', 1_000, false), item('M4', 500, true)],
      [
        { milestoneId: 'M1', name: 'M1', dueDate: '2030-04-15', amountMinor: 4_000 },
        { milestoneId: 'M2', name: 'Go-live', dueDate: '2030-06-30', amountMinor: 8_000 },
        { milestoneId: 'M5', name: 'Hypercare', dueDate: '2030-07-31', amountMinor: 2_000 },
      ],
    );
    expect(change.add).toEqual([
      { milestoneId: 'M5', description: 'Hypercare', dueDate: '2030-07-31', amountMinor: 2_000 },
    ]);
    expect(change.change).toEqual([
      { itemId: 'BS-1-M2', description: 'Go-live', dueDate: '2030-06-30', amountMinor: 8_000 },
    ]);
    expect(change.remove).toEqual(['BS-1-M3']);
    expect(change.conflicts.map((c) => [c.milestoneId, c.reason])).toEqual([
      ['M1', 'billed milestone M1 changed: amount 3333 → 4000, due 2030-04-15 → 2030-04-15'],
      ['M4', 'billed milestone M4 was removed from the plan'],
    ]);
  });

  it('changes nothing when the plan repeats the schedule, and keeps an amount the plan leaves null', () => {
    const same = reconcileMilestones(
      [item('M1', 3_333, true), item('M2', 6_668, false)],
      [
        { milestoneId: 'M1', name: 'M1', dueDate: '2030-04-15', amountMinor: 3_333 },
        { milestoneId: 'M2', name: 'M2', dueDate: '2030-05-31', amountMinor: null },
      ],
    );
    expect(same).toEqual({
      add: [],
      change: [{ itemId: 'BS-1-M2', description: 'M2', dueDate: '2030-05-31', amountMinor: 6_668 }],
      remove: [],
      conflicts: [],
    });
  });
});
