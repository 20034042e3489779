import { percentComplete, projectPlan } from './project-plan';
import { PlanChangeFacts, ProjectFacts } from './time-to-cash';

const created: ProjectFacts = {
  projectId: 'PRJ-D1-LE-DE',
  dealId: 'D1',
  customerId: 'C-ACME',
  legalEntityId: 'LE-DE',
  name: 'ERP rollout DE',
  currency: 'EUR',
  billingType: 'FIXED_FEE_MILESTONE',
  startDate: '2026-09-01',
  endDate: '2026-12-31',
  budgetMinor: 12_000_000,
  milestones: [
    { milestoneId: 'M1', name: 'Design', dueDate: '2026-09-30', amountMinor: 4_000_000 },
    { milestoneId: 'M2', name: 'Build', dueDate: '2026-11-30', amountMinor: 8_000_000 },
  ],
  roles: [
    { role: 'Architect', hoursHundredths: 20_000, rateMinor: 15_000 },
    { role: 'Developer', hoursHundredths: 60_000, rateMinor: 10_000 },
  ],
};

const changed: PlanChangeFacts = {
  projectId: 'PRJ-D1-LE-DE',
  dealId: 'D1',
  planVersion: 2,
  changeOrderId: 'CO-1',
  effectiveDate: '2026-10-15',
  currency: 'EUR',
  billingType: 'FIXED_FEE_MILESTONE',
  startDate: '2026-09-01',
  endDate: '2027-01-31',
  baselineEndDate: '2026-12-31',
  budgetMinor: 14_500_000,
  baselineBudgetMinor: 12_000_000,
  milestones: [
    { milestoneId: 'M1', name: 'Design', dueDate: '2026-09-30', amountMinor: 4_000_000 },
    { milestoneId: 'M2', name: 'Build', dueDate: '2026-12-15', amountMinor: 8_000_000 },
    { milestoneId: 'M3', name: 'Data migration', dueDate: '2027-01-31', amountMinor: 2_500_000 },
  ],
  roles: [
    { role: 'Architect', hoursHundredths: 20_000, baselineHoursHundredths: 20_000, rateMinor: 15_000 },
    { role: 'Developer', hoursHundredths: 85_000, baselineHoursHundredths: 60_000, rateMinor: 10_000 },
  ],
};

describe('baseline against current', () => {
  it('compares budget, dates, hours per role and milestones after a change order', () => {
    const plan = projectPlan(created, changed, [
      { projectId: created.projectId, milestoneId: 'M1', completedOn: '2026-10-02' },
    ]);
    expect(plan).toMatchObject({
      planVersion: 2,
      lastChangeOrderId: 'CO-1',
      customerId: 'C-ACME',
      budget: { baselineMinor: 12_000_000, currentMinor: 14_500_000, changeMinor: 2_500_000 },
      startDate: { baseline: '2026-09-01', current: '2026-09-01' },
      endDate: { baseline: '2026-12-31', current: '2027-01-31', slipDays: 31 },
      roles: [
        {
          role: 'Architect',
          baselineHoursHundredths: 20_000,
          currentHoursHundredths: 20_000,
          changeHoursHundredths: 0,
          rateMinor: 15_000,
        },
        {
          role: 'Developer',
          baselineHoursHundredths: 60_000,
          currentHoursHundredths: 85_000,
          changeHoursHundredths: 25_000,
          rateMinor: 10_000,
        },
      ],
    });
    expect(
      plan?.milestones.map((m) => [
        m.milestoneId,
        m.baselineDueDate,
        m.currentDueDate,
        m.change,
        m.completedOn,
      ]),
    ).toEqual([
      ['M1', '2026-09-30', '2026-09-30', 'UNCHANGED', '2026-10-02'],
      ['M2', '2026-11-30', '2026-12-15', 'MOVED', null],
      ['M3', null, '2027-01-31', 'ADDED', null],
    ]);
  });

  it('is the created plan on both sides before any change order', () => {
    const plan = projectPlan(created, null);
    expect(plan).toMatchObject({
      planVersion: 1,
      budget: { baselineMinor: 12_000_000, currentMinor: 12_000_000, changeMinor: 0 },
      endDate: { baseline: '2026-12-31', current: '2026-12-31', slipDays: 0 },
    });
    expect(plan?.milestones.map((m) => m.change)).toEqual(['UNCHANGED', 'UNCHANGED']);
  });

  it('takes the baseline from the plan change when the created project has not arrived yet', () => {
    const plan = projectPlan(null, changed);
    expect(plan).toMatchObject({
      customerId: null,
      budget: { baselineMinor: 12_000_000, currentMinor: 14_500_000 },
      startDate: { baseline: null, current: '2026-09-01' },
      endDate: { baseline: '2026-12-31', current: '2027-01-31' },
    });
    expect(plan?.roles.map((r) => r.baselineHoursHundredths)).toEqual([20_000, 60_000]);
    expect(plan?.milestones.every((m) => m.change === 'UNCHANGED')).toBe(true);
    expect(projectPlan(null, null)).toBeNull();
  });

  it('keeps the earliest completion of a milestone completed twice', () => {
    const plan = projectPlan(created, null, [
      { projectId: created.projectId, milestoneId: 'M1', completedOn: '2026-10-05' },
      { projectId: created.projectId, milestoneId: 'M1', completedOn: '2026-10-02' },
    ]);
    expect(plan?.milestones[0].completedOn).toBe('2026-10-02');
  });
});

describe('percent complete', () => {
  it('is the completed share of the current milestones on the as-of date', () => {
    const plan = projectPlan(created, changed, [
      { projectId: created.projectId, milestoneId: 'M1', completedOn: '2026-10-02' },
    ]);
    if (!plan) throw new Error('no plan');
    expect(percentComplete(plan, '2026-10-01')).toEqual({ basisPoints: 0, basis: 'MILESTONES' });
    expect(percentComplete(plan, '2026-10-02')).toEqual({ basisPoints: 3_333, basis: 'MILESTONES' }); // 1 of 3
  });

  it('is the elapsed share of the schedule, days inclusive, without milestones', () => {
    const plan = projectPlan(
      { ...created, milestones: [], startDate: '2024-02-01', endDate: '2024-02-29' },
      null,
    );
    if (!plan) throw new Error('no plan');
    expect(percentComplete(plan, '2024-02-10')).toEqual({ basisPoints: 3_448, basis: 'SCHEDULE' }); // 10 / 29 days
    expect(percentComplete(plan, '2024-01-31').basisPoints).toBe(0);
    expect(percentComplete(plan, '2024-02-29').basisPoints).toBe(10_000);
    expect(percentComplete(plan, '2025-01-01').basisPoints).toBe(10_000);
  });
});
