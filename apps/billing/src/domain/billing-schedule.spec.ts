import fc from 'fast-check';

import { BillingType, ProjectCreated, ProjectMilestone } from '@throughline/contracts';

import { BillingRejected, provisionBilling } from './billing-schedule';

function project(billingType: BillingType, overrides: Partial<ProjectCreated> = {}): ProjectCreated {
  return {
    projectId: 'PRJ-1',
    contractId: 'CTR-1',
    dealId: 'D-1',
    customerId: 'C-1',
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    billingType,
    templateId: 'TPL-1',
    name: 'Finance transformation (DE)',
    startDate: '2027-11-15',
    endDate: '2028-02-10',
    budgetMinor: 1_000_003,
    phases: [],
    roles: [],
    // As created before ProjectCreated v2: priced from the legal entity's rate cards.
    rateCardId: null,
    ...overrides,
  };
}

function milestone(id: string, amountMinor: number | null, percentOfFee: number | null): ProjectMilestone {
  return { milestoneId: id, name: `Milestone ${id}`, dueDate: '2028-01-31', amountMinor, percentOfFee };
}

function withMilestones(milestones: ProjectMilestone[], budgetMinor = 1_000_003): ProjectCreated {
  return project('FIXED_FEE_MILESTONE', {
    budgetMinor,
    phases: [{ phaseId: 'PH1', name: 'All', startDate: '2027-11-15', endDate: '2028-02-10', milestones }],
  });
}

const amountsOf = (p: ProjectCreated) => provisionBilling(p).scheduleItems.map((item) => item.amountMinor);

describe('provisionBilling', () => {
  it('bills time and materials monthly from actuals, due at each month end', () => {
    expect(provisionBilling(project('TIME_AND_MATERIALS'))).toEqual({
      projectId: 'PRJ-1',
      dealId: 'D-1',
      billingScheduleId: 'BS-PRJ-1',
      billingType: 'TIME_AND_MATERIALS',
      currency: 'EUR',
      revenueRule: 'AS_DELIVERED',
      scheduleItems: [
        {
          itemId: 'BS-PRJ-1-01',
          description: 'Time and materials 2027-11',
          dueDate: '2027-11-30',
          amountMinor: null,
          milestoneId: null,
        },
        {
          itemId: 'BS-PRJ-1-02',
          description: 'Time and materials 2027-12',
          dueDate: '2027-12-31',
          amountMinor: null,
          milestoneId: null,
        },
        {
          itemId: 'BS-PRJ-1-03',
          description: 'Time and materials 2028-01',
          dueDate: '2028-01-31',
          amountMinor: null,
          milestoneId: null,
        },
        {
          itemId: 'BS-PRJ-1-04',
          description: 'Time and materials 2028-02',
          dueDate: '2028-02-29',
          amountMinor: null,
          milestoneId: null,
        },
      ],
    });
  });

  it('bills percent-complete projects monthly on progress, recognised cost to cost', () => {
    const billing = provisionBilling(project('FIXED_FEE_PERCENT_COMPLETE'));
    expect(billing.revenueRule).toBe('PERCENT_COMPLETE_COST_TO_COST');
    expect(billing.scheduleItems.map((item) => [item.description, item.dueDate, item.amountMinor])).toEqual([
      ['Progress billing 2027-11', '2027-11-30', null],
      ['Progress billing 2027-12', '2027-12-31', null],
      ['Progress billing 2028-01', '2028-01-31', null],
      ['Progress billing 2028-02', '2028-02-29', null],
    ]);
  });

  it('bills a retainer in equal monthly shares, the remainder on the first months', () => {
    const billing = provisionBilling(project('RETAINER'));
    expect(billing.revenueRule).toBe('RETAINER_USAGE');
    expect(billing.scheduleItems.map((item) => [item.description, item.dueDate, item.amountMinor])).toEqual([
      ['Retainer 2027-11', '2027-11-30', 250_001],
      ['Retainer 2027-12', '2027-12-31', 250_001],
      ['Retainer 2028-01', '2028-01-31', 250_001],
      ['Retainer 2028-02', '2028-02-29', 250_000],
    ]);
  });

  it('bills fixed fees per milestone with the amounts the project set', () => {
    const billing = provisionBilling(
      withMilestones([milestone('M1', 300_000, 3_000), milestone('M2', 700_003, 7_000)]),
    );
    expect(billing.revenueRule).toBe('ON_MILESTONE');
    expect(billing.scheduleItems).toEqual([
      {
        itemId: 'BS-PRJ-1-01',
        description: 'Milestone M1',
        dueDate: '2028-01-31',
        amountMinor: 300_000,
        milestoneId: 'M1',
      },
      {
        itemId: 'BS-PRJ-1-02',
        description: 'Milestone M2',
        dueDate: '2028-01-31',
        amountMinor: 700_003,
        milestoneId: 'M2',
      },
    ]);
  });

  it('prices milestones without amounts by percentOfFee, the remainder on the last of them', () => {
    expect(
      amountsOf(
        withMilestones(
          [milestone('M1', null, 3_333), milestone('M2', null, 3_333), milestone('M3', null, 3_334)],
          10_001,
        ),
      ),
    ).toEqual([3_333, 3_333, 3_335]);
    // A fixed kick-off fee plus percentages that make up the rest: 600,000 of 6,000,000 is 10 %,
    // so 25 % + 65 % complete it: 6,000,000 × 2500 / 10000 = 1,500,000; × 6500 / 10000 = 3,900,000;
    // 600,000 + 1,500,000 + 3,900,000 = 6,000,000 (nothing left to balance).
    expect(
      amountsOf(
        withMilestones(
          [milestone('M1', null, 2_500), milestone('M2', 600_000, null), milestone('M3', null, 6_500)],
          6_000_000,
        ),
      ),
    ).toEqual([1_500_000, 600_000, 3_900_000]);
  });

  it.each([
    // 30 + 30 + 30 = 90 %: the old rule put the missing 10 % (100,000) on M3.
    [[3_000, 3_000, 3_000], '90.00'],
    // 40 + 40 + 40 = 120 %: the old rule cut M3 to 400,000 − 200,000 = 200,000.
    [[4_000, 4_000, 4_000], '120.00'],
    // 50 + 50 + 50 = 150 %: the old rule billed M3 500,000 − 500,000 = 0.
    [[5_000, 5_000, 5_000], '150.00'],
  ])(
    'refuses milestone percentages %j that do not sum to 100 %% instead of balancing the last one',
    (bps, percent) => {
      const p = withMilestones(
        bps.map((bp, i) => milestone(`M${i + 1}`, null, bp)),
        1_000_000,
      );
      expect(() => provisionBilling(p)).toThrow(BillingRejected);
      expect(() => provisionBilling(p)).toThrow(
        `Project PRJ-1: milestone fees come to 0 EUR minor units plus ${percent} % of the budget 1000000, not 100 % of it`,
      );
    },
  );

  it('refuses a milestone with neither an amount nor a percentage, and fixed fees plus percentages off 100 %', () => {
    // 25 % of 6,000,000 = 1,500,000, + 100,000 fixed: M3 would silently have taken 4,400,000.
    expect(() =>
      provisionBilling(
        withMilestones(
          [milestone('M1', null, 2_500), milestone('M2', 100_000, null), milestone('M3', null, null)],
          6_000_000,
        ),
      ),
    ).toThrow('Project PRJ-1: milestones M3 have neither an amount nor a percentOfFee');
    // 600,000 fixed is 10 %; 25 % + 60 % makes 95 %.
    expect(() =>
      provisionBilling(
        withMilestones(
          [milestone('M1', null, 2_500), milestone('M2', 600_000, null), milestone('M3', null, 6_000)],
          6_000_000,
        ),
      ),
    ).toThrow(
      'milestone fees come to 600000 EUR minor units plus 85.00 % of the budget 6000000, not 100 % of it',
    );
  });

  it('rejects schedules that cannot sum to the budget instead of guessing', () => {
    expect(() =>
      provisionBilling(withMilestones([milestone('M1', 500, null), milestone('M2', 400, null)], 1_000)),
    ).toThrow(/fees come to 900 EUR minor units, the budget is 1000/);
    expect(() =>
      provisionBilling(withMilestones([milestone('M1', 1_100, null), milestone('M2', null, 5_000)], 1_000)),
    ).toThrow(BillingRejected);
    expect(() => provisionBilling(withMilestones([]))).toThrow(/no milestones/);
    expect(() => provisionBilling(project('RETAINER', { endDate: '2027-11-14' }))).toThrow(
      /ends \(2027-11-14\) before it starts/,
    );
    expect(() => provisionBilling(project('RETAINER', { startDate: '2027-02-29' }))).toThrow(
      /not an ISO date/,
    );
  });

  it('makes fixed-fee and retainer schedules sum exactly to any budget, never negative', () => {
    const percents = fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e15 }),
        percents,
        fc.constantFrom<BillingType>('FIXED_FEE_MILESTONE', 'RETAINER'),
        (budgetMinor, bps, billingType) => {
          // Basis points that sum to exactly 10000: the last takes what the others leave.
          const scaled = bps.map((bp) => Math.floor(bp / bps.length));
          scaled[scaled.length - 1] += 10_000 - scaled.reduce((sum, bp) => sum + bp, 0);
          const p =
            billingType === 'RETAINER'
              ? project('RETAINER', { budgetMinor, endDate: '2030-06-30' })
              : withMilestones(
                  scaled.map((bp, i) => milestone(`M${i}`, null, bp)),
                  budgetMinor,
                );
          const amounts = amountsOf(p).map((amount) => amount ?? -1);
          expect(amounts.every((amount) => amount >= 0)).toBe(true);
          expect(amounts.reduce((sum, amount) => sum + amount, 0)).toBe(budgetMinor);
        },
      ),
    );
  });
});
