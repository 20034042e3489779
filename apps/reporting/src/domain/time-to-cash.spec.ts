import { sampleEventRecord } from '@throughline/contracts/testing';

import { planChangeFactsOf, projectFactsOf, supersedes } from './time-to-cash';

describe('supersedes', () => {
  const v = (at: number, rank: number, eventId: string) => ({ at, rank, eventId });

  it('takes any state over none, then the later time, then the higher rank, then the greater event id', () => {
    expect(supersedes(v(1, 0, 'a'), null)).toBe(true);
    expect(supersedes(v(2, 0, 'a'), v(1, 9, 'z'))).toBe(true);
    expect(supersedes(v(1, 9, 'z'), v(2, 0, 'a'))).toBe(false);
    expect(supersedes(v(1, 2, 'a'), v(1, 1, 'z'))).toBe(true);
    expect(supersedes(v(1, 1, 'b'), v(1, 1, 'a'))).toBe(true);
  });

  it('never replaces a state with itself, so a redelivery changes nothing', () => {
    expect(supersedes(v(1, 1, 'a'), v(1, 1, 'a'))).toBe(false);
  });

  it('ends in the same state whatever order the same states arrive in', () => {
    const states = [v(5, 1, 'c'), v(5, 2, 'a'), v(3, 4, 'z'), v(5, 2, 'b')];
    const orders = [states, [...states].reverse(), [states[2], states[0], states[3], states[1]]];
    const finals = orders.map((order) =>
      order.reduce<ReturnType<typeof v> | null>(
        (current, next) => (supersedes(next, current) ? next : current),
        null,
      ),
    );
    expect(finals).toEqual([v(5, 2, 'b'), v(5, 2, 'b'), v(5, 2, 'b')]);
  });
});

describe('facts from events', () => {
  it('flattens the milestones of every phase of a created project', () => {
    const created = sampleEventRecord('ProjectCreated').data;
    const facts = projectFactsOf(created);
    expect(facts.milestones).toHaveLength(created.phases.flatMap((phase) => phase.milestones).length);
    expect(facts.roles.map((role) => role.role)).toEqual(created.roles.map((role) => role.role));
  });

  it('keeps the baseline hours a plan change repeats per role', () => {
    const changed = sampleEventRecord('ProjectPlanChanged').data;
    expect(planChangeFactsOf(changed).roles).toEqual(
      changed.roles.map(({ role, hoursHundredths, baselineHoursHundredths, rateMinor }) => ({
        role,
        hoursHundredths,
        baselineHoursHundredths,
        rateMinor,
      })),
    );
  });
});
