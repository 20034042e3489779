import { TimeFacts } from './time-to-cash';
import { StaffingFacts, utilisation } from './utilisation';

const time = (
  personId: string,
  role: string,
  workDate: string,
  hoursHundredths: number,
  billable = true,
): TimeFacts => ({ personId, role, workDate, hoursHundredths, billable });

const assignment = (
  assignmentId: string,
  personId: string,
  role: string,
  startDate: string,
  endDate: string,
  status: StaffingFacts['status'] = 'CONFIRMED',
): StaffingFacts => ({ assignmentId, personId, role, startDate, endDate, status });

describe('utilisation', () => {
  // February 2024 (leap year) has 21 weekdays: capacity 21 × 8 h = 168 h per person.
  const entries = [
    time('P-1', 'Architect', '2024-02-01', 6_000),
    time('P-1', 'Architect', '2024-02-29', 6_600), // the leap day counts
    time('P-1', 'Developer', '2024-02-15', 1_000, false), // not billable
    time('P-2', 'Developer', '2024-02-05', 10_050),
    time('P-2', 'Developer', '2024-03-01', 800), // next period
    time('P-2', 'Developer', '2024-01-31', 700), // previous period
  ];
  const assignments = [
    assignment('A1', 'P-3', 'Tester', '2024-01-15', '2024-02-10'), // overlaps: idle capacity shows
    assignment('A2', 'P-4', 'Tester', '2024-03-01', '2024-03-31'), // after the period
    assignment('A3', 'P-5', 'Tester', '2024-02-01', '2024-02-29', 'PROPOSED'), // not confirmed
  ];

  it('divides billable hours by weekday capacity per person, in basis points', () => {
    const report = utilisation('2024-02', 800, entries, assignments);
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
    const report = utilisation('2024-02', 800, entries, assignments, 'role');
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
    const report = utilisation('2023-02', 750, [time('P-1', 'Architect', '2023-02-10', 12_600)], []);
    expect(report.rows[0]).toMatchObject({ capacityHoursHundredths: 15_000, utilisationBasisPoints: 8_400 });
    // 8 h × 22 weekdays (October 2026) = 176 h; 180 h billable → 102.27 % (overbooked shows above 100 %).
    const october = utilisation('2026-10', 800, [time('P-1', 'Architect', '2026-10-30', 18_000)], []);
    expect(october.rows[0]).toMatchObject({
      capacityHoursHundredths: 17_600,
      utilisationBasisPoints: 10_227,
    });
  });

  describe('with public holidays', () => {
    // December 2026 has 23 weekdays (Tuesday 1st to Thursday 31st): 184 h at 8 h a day.
    const december = [
      time('P-1', 'Architect', '2026-12-14', 12_000),
      time('P-2', 'Developer', '2026-12-15', 8_000),
      time('P-2', 'Developer', '2026-12-16', 2_000, false),
    ];
    const christmas = ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01', '2026-12-25'];

    it('removes holidays on weekdays of the month from every person’s capacity', () => {
      const report = utilisation('2026-12', 800, december, [], 'person', christmas);
      // 24, 25 and 31 December are weekdays; the 26th is a Saturday, 1 January is next month, the
      // repeated 25th counts once: 20 days × 8 h = 160 h.
      expect(report).toMatchObject({ weekdays: 20, capacityHoursPerDayHundredths: 800 });
      expect(
        report.rows.map((row) => [
          row.personId,
          row.billableHoursHundredths,
          row.capacityHoursHundredths,
          row.utilisationBasisPoints,
          row.capacityHours,
        ]),
      ).toEqual([
        ['P-1', 12_000, 16_000, 7_500, '160 h'], // 120 / 160
        ['P-2', 8_000, 16_000, 5_000, '160 h'], // 80 / 160
      ]);
    });

    it('changes nothing without holidays (the default) or with holidays only on weekends', () => {
      const plain = utilisation('2026-12', 800, december, []);
      expect(plain.weekdays).toBe(23);
      expect(
        plain.rows.map((row) => [row.personId, row.capacityHoursHundredths, row.utilisationBasisPoints]),
      ).toEqual([
        ['P-1', 18_400, 6_522], // 120 / 184 = 65.217…%
        ['P-2', 18_400, 4_348], // 80 / 184 = 43.478…%
      ]);
      expect(utilisation('2026-12', 800, december, [], 'person', [])).toEqual(plain);
      // 3 October 2026 (German Unity Day) is a Saturday.
      const october = utilisation(
        '2026-10',
        800,
        [time('P-1', 'Architect', '2026-10-30', 18_000)],
        [],
        'person',
        ['2026-10-03'],
      );
      expect(october.rows[0]).toMatchObject({
        capacityHoursHundredths: 17_600,
        utilisationBasisPoints: 10_227,
      });
    });

    it('uses the reduced capacity per role as well, and the configured hours per day', () => {
      // Monday 26 October 2026 a holiday: 21 days × 7.5 h = 157.5 h per person.
      const report = utilisation(
        '2026-10',
        750,
        [time('P-1', 'Architect', '2026-10-30', 18_000), time('P-2', 'Architect', '2026-10-29', 4_000)],
        [],
        'role',
        ['2026-10-26'],
      );
      expect(report.weekdays).toBe(21);
      expect(report.rows).toEqual([
        expect.objectContaining({
          role: 'Architect',
          people: 2,
          billableHoursHundredths: 22_000,
          capacityHoursHundredths: 31_500,
          utilisationBasisPoints: 6_984, // 220 / 315 = 69.841…%
          capacityHours: '315 h',
        }),
      ]);
    });

    it('reports 0 rather than dividing by zero when every weekday is a holiday', () => {
      const everyDay = Array.from({ length: 28 }, (_, day) => `2026-02-${String(day + 1).padStart(2, '0')}`);
      const report = utilisation(
        '2026-02',
        800,
        [time('P-1', 'Architect', '2026-02-02', 800)],
        [],
        'person',
        everyDay,
      );
      expect(report.weekdays).toBe(0);
      expect(report.rows[0]).toMatchObject({ capacityHoursHundredths: 0, utilisationBasisPoints: 0 });
    });
  });

  it('reports nobody for a period without time or assignments', () => {
    expect(utilisation('2025-06', 800, entries, assignments).rows).toEqual([]);
  });

  it('counts the hours the timesheet flags billable and nothing else', () => {
    // 8 h × 22 weekdays (October 2026) = 176 h. P-1 books 44 h billable (fixed-fee work: billing prices
    // it as cost only, but the timesheet says client work) and 6 h internal: 44 / 176 = 25 %.
    const report = utilisation(
      '2026-10',
      800,
      [
        time('P-1', 'Consultant', '2026-10-05', 4_000),
        time('P-1', 'Consultant', '2026-10-06', 400),
        time('P-1', 'Consultant', '2026-10-07', 600, false),
      ],
      [],
    );
    expect(report.rows).toEqual([
      expect.objectContaining({
        personId: 'P-1',
        billableHoursHundredths: 4_400,
        totalHoursHundredths: 5_000,
        utilisationBasisPoints: 2_500,
        billableHours: '44 h',
        totalHours: '50 h',
      }),
    ]);
  });

  it('leaves out entries that are not a calendar date or not whole non-negative hundredths', () => {
    const report = utilisation(
      '2026-10',
      800,
      [
        time('P-1', 'Consultant', '2026-10-05', 800),
        time('P-1', 'Consultant', '2026-10-32', 800), // no such day, though it sorts inside the month
        time('P-1', 'Consultant', '2026-10-06', -400),
        time('P-1', 'Consultant', '2026-10-07', 12.5),
        time('P-2', 'Consultant', '2026-10-33', 800), // P-2 has no valid time: not reported
      ],
      [],
    );
    expect(
      report.rows.map((row) => [row.personId, row.totalHoursHundredths, row.billableHoursHundredths]),
    ).toEqual([['P-1', 800, 800]]);
  });

  it('takes the confirmed assignment’s role for time booked without one', () => {
    const report = utilisation(
      '2024-02',
      800,
      [time('P-3', '', '2024-02-12', 800)],
      [
        assignment('A2', 'P-3', 'Tester', '2024-02-01', '2024-02-29'),
        assignment('A1', 'P-3', 'Analyst', '2024-02-01', '2024-02-29'), // the lower id wins
      ],
    );
    expect(report.rows).toEqual([
      expect.objectContaining({ personId: 'P-3', role: 'Analyst', billableHoursHundredths: 800 }),
    ]);
  });
});
