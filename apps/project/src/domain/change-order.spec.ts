import { ChangeOrderApproved, ProjectCreated } from '@throughline/contracts';

import { applyChangeOrder, baselineOf, planChanged, ProjectPlanState } from './change-order';

const project: ProjectCreated = {
  projectId: 'PRJ-D-1-LE-DE',
  contractId: 'CTR-1',
  dealId: 'D-1',
  customerId: 'C-1',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  billingType: 'FIXED_FEE_MILESTONE',
  templateId: 'TPL-FF',
  name: 'Finance transformation (DE)',
  startDate: '2026-12-01',
  endDate: '2027-02-28',
  budgetMinor: 12_000_000, // 120,000.00 EUR
  phases: [
    {
      phaseId: 'PH1',
      name: 'Discovery',
      startDate: '2026-12-01',
      endDate: '2026-12-30',
      milestones: [
        {
          milestoneId: 'MS1',
          name: 'Blueprint',
          dueDate: '2026-12-30',
          amountMinor: 3_999_600,
          percentOfFee: 3_333,
        },
      ],
    },
    {
      phaseId: 'PH2',
      name: 'Build',
      startDate: '2026-12-31',
      endDate: '2027-02-28',
      milestones: [
        {
          milestoneId: 'MS2',
          name: 'Build done',
          dueDate: '2027-02-13',
          amountMinor: 3_999_600,
          percentOfFee: 3_333,
        },
        {
          milestoneId: 'MS3',
          name: 'Go-live',
          dueDate: '2027-02-28',
          amountMinor: 4_000_800,
          percentOfFee: 3_334,
        },
      ],
    },
  ],
  roles: [
    { role: 'Consultant', hoursHundredths: 40_150, rateMinor: 15_000, skills: [] },
    { role: 'Architect', hoursHundredths: 1_050, rateMinor: 20_000, skills: ['SAP'] },
  ],
  rateCardId: 'RC-DE',
};

const changeOrder = (changes: Partial<ChangeOrderApproved>): ChangeOrderApproved => ({
  changeOrderId: 'CO-1',
  projectId: 'PRJ-D-1-LE-DE',
  description: 'Add data migration',
  effectiveDate: '2027-01-15',
  budgetDeltaMinor: 0,
  newEndDate: null,
  roleChanges: [],
  milestoneChanges: [],
  approvedBy: 'u-1',
  currency: 'EUR',
  ...changes,
});

const extension = changeOrder({
  budgetDeltaMinor: 3_000_000, // +30,000.00 → 150,000.00
  newEndDate: '2027-03-31',
  roleChanges: [
    { role: 'Consultant', hoursDeltaHundredths: 10_000, rateMinor: null }, // +100 h
    { role: 'Architect', hoursDeltaHundredths: -1_050, rateMinor: 21_000 }, // down to 0 h, new rate
    { role: 'Data engineer', hoursDeltaHundredths: 8_000, rateMinor: 12_000 }, // new role, 80 h
  ],
  milestoneChanges: [
    { action: 'CHANGE', milestoneId: 'MS3', name: null, dueDate: '2027-03-15', amountMinor: 5_000_800 },
    {
      action: 'ADD',
      milestoneId: 'MS4',
      name: 'Data migrated',
      dueDate: '2027-03-31',
      amountMinor: 2_000_000,
    },
  ],
});

function applied(current: ProjectPlanState, order: ChangeOrderApproved, completed?: Set<string>) {
  const outcome = applyChangeOrder(current, order, completed);
  if (outcome.kind !== 'applied') throw new Error(`rejected: ${outcome.reasons.join('; ')}`);
  return outcome.plan;
}

function reasonsOf(current: ProjectPlanState, order: ChangeOrderApproved, completed?: Set<string>): string[] {
  const outcome = applyChangeOrder(current, order, completed);
  if (outcome.kind !== 'rejected') throw new Error('expected a rejection');
  return outcome.reasons;
}

describe('baselineOf', () => {
  it('is the plan as created, version 1, milestones flattened across phases', () => {
    const baseline = baselineOf(project);
    expect(baseline).toMatchObject({ planVersion: 1, budgetMinor: 12_000_000, endDate: '2027-02-28' });
    expect(baseline.milestones.map((m) => [m.milestoneId, m.amountMinor])).toEqual([
      ['MS1', 3_999_600],
      ['MS2', 3_999_600],
      ['MS3', 4_000_800],
    ]);
  });
});

describe('applyChangeOrder', () => {
  const baseline = baselineOf(project);

  it('applies budget, end date, role hours and milestones as the next plan version (worked example)', () => {
    const plan = applied(baseline, extension);
    expect(plan.planVersion).toBe(2);
    expect(plan.budgetMinor).toBe(15_000_000);
    expect(plan.endDate).toBe('2027-03-31');
    expect(plan.startDate).toBe('2026-12-01');
    expect(plan.roles).toEqual([
      { role: 'Consultant', hoursHundredths: 50_150, rateMinor: 15_000, skills: [] },
      { role: 'Architect', hoursHundredths: 0, rateMinor: 21_000, skills: ['SAP'] },
      { role: 'Data engineer', hoursHundredths: 8_000, rateMinor: 12_000, skills: [] },
    ]);
    // 39,996.00 + 39,996.00 + 50,008.00 + 20,000.00 = 150,000.00 = the new budget
    expect(plan.milestones).toEqual([
      { milestoneId: 'MS1', name: 'Blueprint', dueDate: '2026-12-30', amountMinor: 3_999_600 },
      { milestoneId: 'MS2', name: 'Build done', dueDate: '2027-02-13', amountMinor: 3_999_600 },
      { milestoneId: 'MS3', name: 'Go-live', dueDate: '2027-03-15', amountMinor: 5_000_800 },
      { milestoneId: 'MS4', name: 'Data migrated', dueDate: '2027-03-31', amountMinor: 2_000_000 },
    ]);
    // The input plan is not mutated.
    expect(baseline.roles[0].hoursHundredths).toBe(40_150);
    expect(baseline.milestones).toHaveLength(3);
  });

  it('counts versions on from the current plan', () => {
    const second = applied(
      applied(baseline, extension),
      changeOrder({
        changeOrderId: 'CO-2',
        budgetDeltaMinor: -2_000_000,
        milestoneChanges: [
          { action: 'REMOVE', milestoneId: 'MS4', name: null, dueDate: null, amountMinor: null },
        ],
      }),
    );
    expect(second.planVersion).toBe(3);
    expect(second.budgetMinor).toBe(13_000_000);
    expect(second.milestones.map((m) => m.milestoneId)).toEqual(['MS1', 'MS2', 'MS3']);
  });

  it('rejects a fixed-fee milestone change order whose milestone amounts do not sum to the new budget', () => {
    expect(reasonsOf(baseline, changeOrder({ budgetDeltaMinor: 100 }))).toEqual([
      'the milestone amounts sum to 12000000, not to the budget 12000100',
    ]);
    expect(
      reasonsOf(
        baseline,
        changeOrder({
          milestoneChanges: [
            { action: 'ADD', milestoneId: 'MS4', name: 'Extra', dueDate: '2027-01-10', amountMinor: null },
          ],
        }),
      ),
    ).toEqual(['new milestone MS4 needs an amountMinor on a fixed-fee milestone project']);
  });

  it('rejects a negative budget, negative role hours, a new role without a rate and an end before the start', () => {
    const reasons = reasonsOf(
      baseline,
      changeOrder({
        budgetDeltaMinor: -12_000_001,
        newEndDate: '2026-11-30',
        roleChanges: [
          { role: 'Architect', hoursDeltaHundredths: -1_051, rateMinor: null },
          { role: 'Designer', hoursDeltaHundredths: 1_000, rateMinor: null },
        ],
      }),
    );
    expect(reasons).toEqual([
      'the budget would become negative (12000000 + -12000001 = -1)',
      'newEndDate 2026-11-30 is before the project start 2026-12-01',
      'role Architect would have negative hours (1050 + -1051 = -1 hundredths)',
      'new role Designer needs a rateMinor',
    ]);
  });

  it('rejects milestones due outside the project, also when the end date moves before them', () => {
    expect(reasonsOf(baseline, changeOrder({ newEndDate: '2027-02-20' }))).toEqual([
      'milestone MS3 would be due 2027-02-28, outside the project 2026-12-01..2027-02-20',
    ]);
    expect(
      reasonsOf(
        baseline,
        changeOrder({
          milestoneChanges: [
            { action: 'CHANGE', milestoneId: 'MS1', name: null, dueDate: '2026-11-01', amountMinor: null },
          ],
        }),
      ),
    ).toEqual(['milestone MS1 would be due 2026-11-01, outside the project 2026-12-01..2027-02-28']);
  });

  it('rejects unknown, duplicate and completed milestones and malformed dates', () => {
    const reasons = reasonsOf(
      baseline,
      changeOrder({
        effectiveDate: '2027-02-30',
        milestoneChanges: [
          { action: 'CHANGE', milestoneId: 'MS9', name: 'x', dueDate: null, amountMinor: null },
          { action: 'ADD', milestoneId: 'MS2', name: 'again', dueDate: '2027-01-01', amountMinor: 0 },
          { action: 'REMOVE', milestoneId: 'MS1', name: null, dueDate: null, amountMinor: null },
          { action: 'CHANGE', milestoneId: 'MS2', name: null, dueDate: '2027-1-1', amountMinor: null },
        ],
      }),
      new Set(['MS1']),
    );
    expect(reasons).toEqual([
      'effectiveDate "2027-02-30" is not an ISO date (YYYY-MM-DD)',
      'milestone MS9 does not exist',
      'milestone MS2 already exists',
      'milestone MS1 is already completed and cannot be removed',
      'milestone MS2: dueDate "2027-1-1" is not an ISO date (YYYY-MM-DD)',
    ]);
  });

  it('rejects a change order for another project', () => {
    expect(reasonsOf(baseline, changeOrder({ projectId: 'PRJ-OTHER' }))).toEqual([
      'it is for project PRJ-OTHER, not PRJ-D-1-LE-DE',
    ]);
  });

  it('rejects a change order in another currency than the project, naming both, and changes nothing', () => {
    const usd = { ...extension, currency: 'USD' };
    expect(reasonsOf(baseline, usd)).toEqual(['change order is in USD, project PRJ-D-1-LE-DE is in EUR']);
    // Also when its amounts would otherwise be valid: 1,000.00 USD is not 1,000.00 EUR.
    expect(
      reasonsOf(
        baselineOf({ ...project, billingType: 'TIME_AND_MATERIALS' }),
        changeOrder({ currency: 'USD', budgetDeltaMinor: 100_000 }),
      ),
    ).toEqual(['change order is in USD, project PRJ-D-1-LE-DE is in EUR']);
    expect(baseline.budgetMinor).toBe(12_000_000);
  });

  it('applies a change order in the project currency, and one without a currency (v1) as before', () => {
    const inEur = applied(baseline, { ...extension, currency: 'EUR' });
    const v1 = applied(baseline, { ...extension, currency: null });
    expect(inEur).toMatchObject({ planVersion: 2, budgetMinor: 15_000_000 });
    expect(v1).toEqual(inEur);
  });

  it('lets time-and-materials projects change the budget without milestone amounts', () => {
    const tm = baselineOf({
      ...project,
      billingType: 'TIME_AND_MATERIALS',
      phases: project.phases.map((phase) => ({
        ...phase,
        milestones: phase.milestones.map((m) => ({ ...m, amountMinor: null, percentOfFee: null })),
      })),
    });
    const plan = applied(
      tm,
      changeOrder({
        budgetDeltaMinor: -500_000,
        milestoneChanges: [
          { action: 'ADD', milestoneId: 'MS4', name: 'Hypercare', dueDate: '2027-02-28', amountMinor: null },
        ],
      }),
    );
    expect(plan.budgetMinor).toBe(11_500_000);
    expect(plan.milestones.map((m) => m.amountMinor)).toEqual([null, null, null, null]);
  });
});

describe('planChanged', () => {
  it('publishes the full current plan beside the baseline', () => {
    const baseline = baselineOf(project);
    const event = planChanged(baseline, applied(baseline, extension), extension);
    expect(event).toEqual({
      projectId: 'PRJ-D-1-LE-DE',
      dealId: 'D-1',
      planVersion: 2,
      changeOrderId: 'CO-1',
      effectiveDate: '2027-01-15',
      currency: 'EUR',
      billingType: 'FIXED_FEE_MILESTONE',
      startDate: '2026-12-01',
      endDate: '2027-03-31',
      baselineEndDate: '2027-02-28',
      budgetMinor: 15_000_000,
      baselineBudgetMinor: 12_000_000,
      milestones: [
        { milestoneId: 'MS1', name: 'Blueprint', dueDate: '2026-12-30', amountMinor: 3_999_600 },
        { milestoneId: 'MS2', name: 'Build done', dueDate: '2027-02-13', amountMinor: 3_999_600 },
        { milestoneId: 'MS3', name: 'Go-live', dueDate: '2027-03-15', amountMinor: 5_000_800 },
        { milestoneId: 'MS4', name: 'Data migrated', dueDate: '2027-03-31', amountMinor: 2_000_000 },
      ],
      roles: [
        {
          role: 'Consultant',
          hoursHundredths: 50_150,
          baselineHoursHundredths: 40_150,
          rateMinor: 15_000,
          skills: [],
        },
        {
          role: 'Architect',
          hoursHundredths: 0,
          baselineHoursHundredths: 1_050,
          rateMinor: 21_000,
          skills: ['SAP'],
        },
        {
          role: 'Data engineer',
          hoursHundredths: 8_000,
          baselineHoursHundredths: 0,
          rateMinor: 12_000,
          skills: [],
        },
      ],
    });
  });
});
