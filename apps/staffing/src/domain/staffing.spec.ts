import { sampleEventRecord } from '@throughline/contracts/testing';

import { AssignmentRejected, planAssignment } from './assignment';
import { demandForProject } from './demand';

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
