import { ActualFacts, AssignmentFacts } from './time-to-cash';
import { utilisation } from './utilisation';

const time = (
  actualId: string,
  personId: string,
  role: string | null,
  workDate: string,
  hoursHundredths: number,
  billable = true,
): ActualFacts => ({
  actualId,
  kind: 'TIME',
  projectId: 'PRJ-1',
  dealId: 'D-1',
  customerId: 'C-1',
  personId,
  role,
  workDate,
  hoursHundredths,
  billable,
  currency: 'EUR',
  billAmountMinor: 0,
  costAmountMinor: 0,
  billingPeriod: workDate.slice(0, 7),
  status: 'UNBILLED',
  invoiceId: null,
  changedAt: 0,
});

const assignment = (
  assignmentId: string,
  personId: string,
  role: string,
  startDate: string,
  endDate: string,
  status: AssignmentFacts['status'] = 'CONFIRMED',
): AssignmentFacts => ({
  assignmentId,
  projectId: 'PRJ-1',
  personId,
  role,
  hoursHundredths: 10_000,
  startDate,
  endDate,
  currency: 'EUR',
  forecastCostMinor: 0,
  status,
});

describe('utilisation', () => {
  // February 2024 (leap year) has 21 weekdays: capacity 21 × 8 h = 168 h per person.
  const actuals = [
    time('T1', 'P-1', 'Architect', '2024-02-01', 6_000),
    time('T2', 'P-1', 'Architect', '2024-02-29', 6_600), // the leap day counts
    time('T3', 'P-1', 'Developer', '2024-02-15', 1_000, false), // not billable
    time('T4', 'P-2', 'Developer', '2024-02-05', 10_050),
    time('T5', 'P-2', 'Developer', '2024-03-01', 800), // next period
    { ...time('E1', 'P-2', null, '2024-02-05', 0), kind: 'EXPENSE' as const },
  ];
  const assignments = [
    assignment('A1', 'P-3', 'Tester', '2024-01-15', '2024-02-10'), // overlaps: idle capacity shows
    assignment('A2', 'P-4', 'Tester', '2024-03-01', '2024-03-31'), // after the period
    assignment('A3', 'P-5', 'Tester', '2024-02-01', '2024-02-29', 'PROPOSED'), // not confirmed
  ];

  it('divides billable hours by weekday capacity per person, in basis points', () => {
    const report = utilisation('2024-02', 800, actuals, assignments);
    expect(report).toMatchObject({
      period: '2024-02',
      groupBy: 'person',
      weekdays: 21,
      capacityHoursPerDayHundredths: 800,
    });
    expect(report.rows).toEqual([
      {
        personId: 'P-1',
        role: 'Architect',
        people: 1,
        billableHoursHundredths: 12_600,
        totalHoursHundredths: 13_600,
        capacityHoursHundredths: 16_800,
        utilisationBasisPoints: 7_500, // 126 / 168
        billableHours: '126 h',
        totalHours: '136 h',
        capacityHours: '168 h',
      },
      {
        personId: 'P-2',
        role: 'Developer',
        people: 1,
        billableHoursHundredths: 10_050,
        totalHoursHundredths: 10_050,
        capacityHoursHundredths: 16_800,
        utilisationBasisPoints: 5_982, // 100.5 / 168 = 59.821…%
        billableHours: '100.5 h',
        totalHours: '100.5 h',
        capacityHours: '168 h',
      },
      expect.objectContaining({
        personId: 'P-3',
        role: 'Tester',
        billableHoursHundredths: 0,
        utilisationBasisPoints: 0,
      }),
    ]);
  });

  it('groups by each person’s main role, so role capacities add up', () => {
    const report = utilisation('2024-02', 800, actuals, assignments, 'role');
    expect(
      report.rows.map((row) => [
        row.role,
        row.people,
        row.billableHoursHundredths,
        row.capacityHoursHundredths,
        row.utilisationBasisPoints,
      ]),
    ).toEqual([
      ['Architect', 1, 12_600, 16_800, 7_500],
      ['Developer', 1, 10_050, 16_800, 5_982],
      ['Tester', 1, 0, 16_800, 0],
    ]);
    expect(report.rows.every((row) => row.personId === undefined)).toBe(true);
  });

  it('uses the configured hours per day and the month length', () => {
    // 7.5 h × 20 weekdays (February 2023) = 150 h; 126 h billable → 84 %.
    const report = utilisation('2023-02', 750, [time('T1', 'P-1', 'Architect', '2023-02-10', 12_600)], []);
    expect(report.rows[0]).toMatchObject({ capacityHoursHundredths: 15_000, utilisationBasisPoints: 8_400 });
    // 8 h × 22 weekdays (October 2026) = 176 h; 180 h billable → 102.27 % (overbooked shows above 100 %).
    const october = utilisation('2026-10', 800, [time('T2', 'P-1', 'Architect', '2026-10-30', 18_000)], []);
    expect(october.rows[0]).toMatchObject({
      capacityHoursHundredths: 17_600,
      utilisationBasisPoints: 10_227,
    });
  });

  it('reports nobody for a period without time or assignments', () => {
    expect(utilisation('2025-06', 800, actuals, assignments).rows).toEqual([]);
  });
});
