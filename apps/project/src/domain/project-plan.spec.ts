import fc from 'fast-check';

import { ContractApproved } from '@throughline/contracts';

import {
  planProjects,
  ProjectPlan,
  ProjectTemplateRecord,
  RateCardRecord,
  ReferenceData,
} from './project-plan';

const template: ProjectTemplateRecord = {
  templateId: 'TPL-FF',
  name: 'Fixed fee',
  billingType: 'FIXED_FEE_MILESTONE',
  durationDays: 90,
  phases: [
    {
      name: 'Discovery',
      offsetDays: 0,
      durationDays: 30,
      milestones: [{ name: 'Blueprint', offsetDays: 29, percentOfFee: 3_333 }],
    },
    {
      name: 'Build',
      offsetDays: 30,
      durationDays: 60,
      milestones: [
        { name: 'Build done', offsetDays: 74, percentOfFee: 3_333 },
        { name: 'Go-live', offsetDays: 89, percentOfFee: 3_334 },
      ],
    },
  ],
};

const rateCardDe: RateCardRecord = {
  rateCardId: 'RC-DE',
  legalEntityId: 'LE-DE',
  currency: 'EUR',
  effectiveFrom: '2026-01-01',
  effectiveTo: null,
  rates: [
    { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
    { role: 'Architect', rateMinor: 20_000, costRateMinor: null },
  ],
};

const rateCardUk: RateCardRecord = {
  rateCardId: 'RC-UK',
  legalEntityId: 'LE-UK',
  currency: 'GBP',
  effectiveFrom: '2026-01-01',
  effectiveTo: null,
  rates: [{ role: 'Architect', rateMinor: 18_000, costRateMinor: null }],
};

const contract: ContractApproved = {
  contractId: 'CTR-1',
  dealId: 'D-1',
  customerId: 'C-1',
  templateId: 'TPL-FF',
  billingType: 'FIXED_FEE_MILESTONE',
  dealName: 'Finance transformation',
  startDate: '2026-12-01',
  deliveries: [
    {
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      country: 'DE',
      rateCardId: 'RC-DE',
      budgetMinor: 10_001,
      lines: [
        { lineId: 'l1', role: 'Consultant', hoursHundredths: 40_000, amountMinor: 6_000 },
        { lineId: 'l2', role: 'Architect', hoursHundredths: 1_050, amountMinor: 2_001 },
        { lineId: 'l3', role: 'Consultant', hoursHundredths: 150, amountMinor: 2_000 },
      ],
    },
    {
      legalEntityId: 'LE-UK',
      currency: 'GBP',
      country: 'GB',
      rateCardId: 'RC-UK',
      budgetMinor: 3_000_000,
      lines: [{ lineId: 'l4', role: 'Architect', hoursHundredths: 10_000, amountMinor: 3_000_000 }],
    },
  ],
};

const reference: ReferenceData = {
  template,
  rateCards: new Map([
    ['RC-DE', rateCardDe],
    ['RC-UK', rateCardUk],
  ]),
};

function ready(plan: ProjectPlan) {
  if (plan.kind !== 'ready') throw new Error(`expected a ready plan, got ${JSON.stringify(plan)}`);
  return plan.projects;
}

describe('planProjects', () => {
  it('plans one project per delivering legal entity, scheduled from the template', () => {
    const [de, uk] = ready(planProjects(contract, '2026-11-15', reference));
    expect(de).toEqual({
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
      budgetMinor: 10_001,
      phases: [
        {
          phaseId: 'PRJ-D-1-LE-DE-PH1',
          name: 'Discovery',
          startDate: '2026-12-01',
          endDate: '2026-12-30',
          milestones: [
            {
              milestoneId: 'PRJ-D-1-LE-DE-PH1-MS1',
              name: 'Blueprint',
              dueDate: '2026-12-30',
              amountMinor: 3_333,
              percentOfFee: 3_333,
            },
          ],
        },
        {
          phaseId: 'PRJ-D-1-LE-DE-PH2',
          name: 'Build',
          startDate: '2026-12-31',
          endDate: '2027-02-28',
          milestones: [
            {
              milestoneId: 'PRJ-D-1-LE-DE-PH2-MS1',
              name: 'Build done',
              dueDate: '2027-02-13',
              amountMinor: 3_333,
              percentOfFee: 3_333,
            },
            {
              milestoneId: 'PRJ-D-1-LE-DE-PH2-MS2',
              name: 'Go-live',
              dueDate: '2027-02-28',
              amountMinor: 3_335,
              percentOfFee: 3_334,
            },
          ],
        },
      ],
      roles: [
        { role: 'Consultant', hoursHundredths: 40_150, rateMinor: 15_000, skills: [] },
        { role: 'Architect', hoursHundredths: 1_050, rateMinor: 20_000, skills: [] },
      ],
      rateCardId: 'RC-DE',
    });
    expect(uk).toMatchObject({
      projectId: 'PRJ-D-1-LE-UK',
      rateCardId: 'RC-UK',
      name: 'Finance transformation (GB)',
      currency: 'GBP',
      budgetMinor: 3_000_000,
      roles: [{ role: 'Architect', hoursHundredths: 10_000, rateMinor: 18_000, skills: [] }],
    });
    expect(uk.phases.flatMap((phase) => phase.milestones.map((m) => m.amountMinor))).toEqual([
      999_900, 999_900, 1_000_200,
    ]);
  });

  it('falls back to the approval date and the deal id for v1 contracts', () => {
    const [project] = ready(
      planProjects({ ...contract, startDate: null, dealName: null }, '2028-02-01', reference),
    );
    expect(project).toMatchObject({
      name: 'D-1 (DE)',
      startDate: '2028-02-01',
      endDate: '2028-04-30', // 2028 is a leap year: Feb has 29 days
    });
  });

  it('leaves milestone amounts empty unless the contract is billed by milestone', () => {
    const [project] = ready(
      planProjects({ ...contract, billingType: 'TIME_AND_MATERIALS' }, '2026-12-01', reference),
    );
    expect(project.billingType).toBe('TIME_AND_MATERIALS');
    expect(project.phases[1].milestones[1]).toMatchObject({ amountMinor: null, percentOfFee: 3_334 });
  });

  it('waits for reference data that has not arrived yet', () => {
    expect(planProjects(contract, '2026-12-01', { template: undefined, rateCards: new Map() })).toEqual({
      kind: 'pending',
      waitingFor: ['project template TPL-FF', 'rate card RC-DE', 'rate card RC-UK'],
      problems: [],
    });
  });

  it('reports reference data a person must fix', () => {
    const badTemplate = {
      ...template,
      phases: [{ ...template.phases[0], milestones: [{ name: 'All', offsetDays: 5, percentOfFee: 9_000 }] }],
    };
    const plan = planProjects(contract, '2026-12-01', {
      template: badTemplate,
      rateCards: new Map([
        ['RC-DE', { ...rateCardDe, rates: [rateCardDe.rates[0]] }],
        ['RC-UK', { ...rateCardUk, currency: 'EUR' }],
      ]),
    });
    expect(plan.kind).toBe('pending');
    if (plan.kind !== 'pending') return;
    expect(plan.waitingFor).toEqual([]);
    expect(plan.problems.map((problem) => [problem.key, problem.ownerRole])).toEqual([
      ['INVALID_PROJECT_TEMPLATE:TPL-FF', 'MASTER_DATA'],
      ['INCOMPLETE_RATE_CARD:RC-DE', 'MASTER_DATA'],
      ['INCOMPLETE_RATE_CARD:RC-UK', 'MASTER_DATA'],
    ]);
    expect(plan.problems[0].message).toMatch(/sums to 9000 basis points, not 10000/);
    expect(plan.problems[1].message).toMatch(/no rate for Architect/);
    expect(plan.problems[1].details).toMatchObject({ missingRoles: 'Architect' });
    expect(plan.problems[2].message).toMatch(/rates are in EUR, the deliveries in GBP/);
  });

  it('rejects contracts that cannot become projects', () => {
    const plan = planProjects(
      { ...contract, startDate: '2026-02-30', deliveries: [contract.deliveries[0], contract.deliveries[0]] },
      '2026-12-01',
      reference,
    );
    expect(plan).toMatchObject({
      kind: 'pending',
      problems: [{ code: 'INVALID_CONTRACT', ownerRole: 'SALES_OPERATIONS' }],
    });
    if (plan.kind === 'pending') {
      expect(plan.problems[0].message).toMatch(/not an ISO date.*LE-DE deliver more than once/);
    }
  });

  it('prices milestones to sum exactly to every budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), (budgetMinor) => {
        const deliveries = [{ ...contract.deliveries[0], budgetMinor }];
        const [project] = ready(planProjects({ ...contract, deliveries }, '2026-12-01', reference));
        const amounts = project.phases.flatMap((phase) => phase.milestones.map((m) => m.amountMinor ?? -1));
        expect(amounts.every((amount) => amount >= 0)).toBe(true);
        expect(amounts.reduce((sum, amount) => sum + amount, 0)).toBe(budgetMinor);
      }),
    );
  });
});
