import { sampleEventRecord } from '@throughline/contracts/testing';

import { AssignmentRejected, planAssignment } from './assignment';
import { demandForPlan, demandForProject, isNewerPlan } from './demand';

const project = {
  ...sampleEventRecord('ProjectCreated').data,
  projectId: 'PRJ-1',
  startDate: '2026-12-01',
  endDate: '2027-03-31',
  currency: 'EUR',
  roles: [
    { role: 'Architect', hoursHundredths: 10_000, rateMinor: 15_000, skills: ['SAP'] },
    { role: 'Consultant', hoursHundredths: 40_000, rateMinor: 9_500, skills: [] },
  ],
};

describe('demandForProject', () => {
  it('publishes one demand line per role over the project dates', () => {
    const demand = demandForProject(project);
    expect(demand.projectId).toBe('PRJ-1');
    expect(demand.demands).toEqual([
      {
        demandLineId: 'PRJ-1:Architect',
        role: 'Architect',
        skills: ['SAP'],
        hoursHundredths: 10_000,
        startDate: '2026-12-01',
        endDate: '2027-03-31',
      },
      {
        demandLineId: 'PRJ-1:Consultant',
        role: 'Consultant',
        skills: [],
        hoursHundredths: 40_000,
        startDate: '2026-12-01',
        endDate: '2027-03-31',
      },
    ]);
  });
});

describe('planAssignment', () => {
  const window = {
    projectId: 'PRJ-1',
    currency: 'EUR',
    startDate: '2026-12-01',
    endDate: '2027-03-31',
    roles: ['Architect'],
  };
  const request = {
    assignmentId: 'A-1',
    projectId: 'PRJ-1',
    personId: 'P-7',
    role: 'Architect',
    hoursHundredths: 8_000,
    startDate: '2026-12-01',
    endDate: '2027-01-31',
    costRateMinor: 7_000,
    status: 'CONFIRMED' as const,
  };

  it('prices the forecast cost in the project currency', () => {
    expect(planAssignment(request, window)).toMatchObject({ forecastCostMinor: 560_000, currency: 'EUR' });
  });

  it('forecasts no cost for a cancelled assignment', () => {
    expect(planAssignment({ ...request, status: 'CANCELLED' }, window).forecastCostMinor).toBe(0);
  });

  it('rejects a role the project does not need and dates outside the project', () => {
    expect(() => planAssignment({ ...request, role: 'Designer' }, window)).toThrow(AssignmentRejected);
    expect(() => planAssignment({ ...request, endDate: '2027-06-30' }, window)).toThrow(
      /outside the project/,
    );
    expect(() => planAssignment({ ...request, startDate: '2027-02-01' }, window)).toThrow(/after endDate/);
  });
});

describe('demandForPlan', () => {
  const plan = {
    ...sampleEventRecord('ProjectPlanChanged').data,
    projectId: 'PRJ-1',
    dealId: 'D-1',
    planVersion: 2,
    startDate: '2026-12-01',
    endDate: '2027-04-30',
    roles: [
      {
        role: 'Architect',
        hoursHundredths: 0,
        baselineHoursHundredths: 10_000,
        rateMinor: 15_000,
        skills: ['SAP'],
      },
      {
        role: 'Consultant',
        hoursHundredths: 50_000,
        baselineHoursHundredths: 40_000,
        rateMinor: 9_500,
        skills: [],
      },
      {
        role: 'Data engineer',
        hoursHundredths: 8_000,
        baselineHoursHundredths: 0,
        rateMinor: 12_000,
        skills: [],
      },
    ],
  };

  it('re-publishes the demand per role from the current plan under a new demand id per plan version', () => {
    expect(demandForPlan(plan)).toEqual({
      demandId: 'DEM-PRJ-1-v2',
      projectId: 'PRJ-1',
      dealId: 'D-1',
      demands: [
        {
          demandLineId: 'PRJ-1:Architect',
          role: 'Architect',
          skills: ['SAP'],
          hoursHundredths: 0,
          startDate: '2026-12-01',
          endDate: '2027-04-30',
        },
        {
          demandLineId: 'PRJ-1:Consultant',
          role: 'Consultant',
          skills: [],
          hoursHundredths: 50_000,
          startDate: '2026-12-01',
          endDate: '2027-04-30',
        },
        {
          demandLineId: 'PRJ-1:Data engineer',
          role: 'Data engineer',
          skills: [],
          hoursHundredths: 8_000,
          startDate: '2026-12-01',
          endDate: '2027-04-30',
        },
      ],
    });
    expect(demandForPlan({ ...plan, planVersion: 3 }).demandId).toBe('DEM-PRJ-1-v3');
  });

  it('applies only plan versions newer than the stored demand', () => {
    expect(isNewerPlan(undefined, plan)).toBe(true);
    expect(isNewerPlan(1, plan)).toBe(true);
    expect(isNewerPlan(2, plan)).toBe(false);
    expect(isNewerPlan(3, plan)).toBe(false);
  });
});
