import { decideCompletion } from './milestone';

const project = {
  projectId: 'PRJ-1',
  dealId: 'D-1',
  milestones: [{ milestoneId: 'MS1', name: 'Blueprint', dueDate: '2026-12-30', amountMinor: 100 }],
};
const request = { milestoneId: 'MS1', completedOn: '2026-12-29', completedBy: 'u-7' };

describe('decideCompletion', () => {
  it('completes an open milestone of the current plan', () => {
    expect(decideCompletion(project, undefined, request)).toEqual({
      kind: 'complete',
      event: {
        projectId: 'PRJ-1',
        dealId: 'D-1',
        milestoneId: 'MS1',
        completedOn: '2026-12-29',
        completedBy: 'u-7',
      },
    });
  });

  it('answers a repeat on the same date with the earlier completion, and another date with a conflict', () => {
    const earlier = { ...request, completedBy: 'u-1' };
    expect(decideCompletion(project, earlier, request)).toEqual({
      kind: 'already',
      event: {
        projectId: 'PRJ-1',
        dealId: 'D-1',
        milestoneId: 'MS1',
        completedOn: '2026-12-29',
        completedBy: 'u-1',
      },
    });
    expect(decideCompletion(project, earlier, { ...request, completedOn: '2026-12-30' })).toEqual({
      kind: 'conflict',
      existing: earlier,
    });
  });

  it('does not know milestones outside the current plan', () => {
    expect(decideCompletion(project, undefined, { ...request, milestoneId: 'MS2' })).toEqual({
      kind: 'unknown',
    });
  });
});
