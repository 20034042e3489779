import { reconcileMilestones, reshapeRetainer, ScheduledMilestone } from './change-orders';

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

describe('reshapeRetainer (change order on a retainer)', () => {
  const items = [
    { itemId: 'BS-RT-01', dueDate: '2030-01-31', amountMinor: 3_334, billed: true },
    { itemId: 'BS-RT-02', dueDate: '2030-02-28', amountMinor: 3_334, billed: false },
    { itemId: 'BS-RT-03', dueDate: '2030-03-31', amountMinor: 3_333, billed: false },
  ];

  it('splits what is left of a raised budget over the unbilled months, adding months for a later end', () => {
    // 15000 − 3334 billed = 11666 over Feb, Mar, Apr: 3889, 3889, 3888.
    expect(reshapeRetainer(items, '2030-01-01', '2030-04-30', 15_000)).toEqual({
      change: [
        { itemId: 'BS-RT-02', amountMinor: 3_889 },
        { itemId: 'BS-RT-03', amountMinor: 3_889 },
      ],
      add: [{ description: 'Retainer 2030-04', dueDate: '2030-04-30', amountMinor: 3_888 }],
      remove: [],
      conflict: null,
    });
  });

  it('drops unbilled months after an earlier end and refuses a budget below what was billed', () => {
    expect(reshapeRetainer(items, '2030-01-01', '2030-02-28', 8_000)).toEqual({
      change: [{ itemId: 'BS-RT-02', amountMinor: 4_666 }],
      add: [],
      remove: ['BS-RT-03'],
      conflict: null,
    });
    expect(reshapeRetainer(items, '2030-01-01', '2030-03-31', 3_000).conflict).toBe(
      'the new budget 3000 is below the 3334 already billed',
    );
    expect(reshapeRetainer([items[0]], '2030-01-01', '2030-01-31', 5_000).conflict).toBe(
      'no unbilled month is left to bill 1666 on',
    );
  });
});
