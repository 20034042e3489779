import { isIsoDate, periodBounds, workingDaysOfPeriod } from '@throughline/calendar';

import { formatHours } from './money';
import { basisPoints } from './ratio';
import { AssignmentFacts, TimeFacts } from './time-to-cash';

export type UtilisationGroup = 'person' | 'role';

export interface UtilisationRow {
  personId?: string;
  role: string;
  /** People in the row (1 for a person). */
  people: number;
  billableHoursHundredths: number;
  totalHoursHundredths: number;
  capacityHoursHundredths: number;
  /** Billable hours / capacity hours in basis points (10 000 = 100 %; above when overbooked). */
  utilisationBasisPoints: number;
  billableHours: string;
  totalHours: string;
  capacityHours: string;
}

export interface UtilisationReport {
  period: string;
  groupBy: UtilisationGroup;
  /** Capacity days: Monday–Friday days of the month that are not holidays. */
  weekdays: number;
  capacityHoursPerDayHundredths: number;
  rows: UtilisationRow[];
}

/** A role for people known only from an assignment without hours, or from time booked without a role. */
export const UNKNOWN_ROLE = 'UNASSIGNED';

/** What utilisation needs of an assignment: whose, in which role, when, and whether it is confirmed. */
export type StaffingFacts = Pick<
  AssignmentFacts,
  'assignmentId' | 'personId' | 'role' | 'startDate' | 'endDate' | 'status'
>;

/**
 * Utilisation of people in a calendar-month period.
 *
 * - Hours: approved timesheet entries whose work date is in the period; billable hours are those the
 *   timesheet flags billable, whatever billing made of them (fixed-fee time is billed through the fee,
 *   so its priced actuals are not billable, yet it is client work). An entry that is not a calendar
 *   date or has negative or fractional hundredths is left out (billing routes it to finance).
 * - People: everyone with time in the period, plus everyone with a CONFIRMED assignment overlapping it
 *   (at 0 hours), so idle capacity shows.
 * - Capacity: `capacityHoursPerDayHundredths` × Monday–Friday days of the month that are not one of
 *   the firm's `holidays` (ISO dates; a holiday on a weekend or outside the month changes nothing).
 * - A person's role is the role they booked most hours in during the period (ties: alphabetical),
 *   else the role of their confirmed assignment; by role, each person's hours and capacity count
 *   once, under that role, so role capacities add up to the total.
 */
export function utilisation(
  period: string,
  capacityHoursPerDayHundredths: number,
  time: readonly TimeFacts[],
  assignments: readonly StaffingFacts[],
  groupBy: UtilisationGroup = 'person',
  holidays: readonly string[] = [],
): UtilisationReport {
  const { first, last } = periodBounds(period);
  const weekdays = workingDaysOfPeriod(period, holidays).length;
  const capacity = capacityHoursPerDayHundredths * weekdays;
  interface Person {
    billable: number;
    total: number;
    roleHours: Map<string, number>;
    assignedRole: string | null;
  }
  const people = new Map<string, Person>();
  const person = (personId: string) => {
    let found = people.get(personId);
    if (!found) {
      found = { billable: 0, total: 0, roleHours: new Map(), assignedRole: null };
      people.set(personId, found);
    }
    return found;
  };
  for (const entry of time) {
    if (!wellFormed(entry) || entry.workDate < first || entry.workDate > last) continue;
    const target = person(entry.personId);
    target.total += entry.hoursHundredths;
    if (entry.billable) target.billable += entry.hoursHundredths;
    if (entry.role)
      target.roleHours.set(entry.role, (target.roleHours.get(entry.role) ?? 0) + entry.hoursHundredths);
  }
  for (const assignment of [...assignments].sort((a, b) => a.assignmentId.localeCompare(b.assignmentId))) {
    if (assignment.status !== 'CONFIRMED' || assignment.endDate < first || assignment.startDate > last)
      continue;
    const target = person(assignment.personId);
    target.assignedRole ??= assignment.role;
  }

  const personRows = [...people.entries()].map(([personId, facts]) => ({
    personId,
    role: primaryRole(facts.roleHours) ?? facts.assignedRole ?? UNKNOWN_ROLE,
    billable: facts.billable,
    total: facts.total,
  }));
  const grouped =
    groupBy === 'person'
      ? personRows.map((row) => ({
          key: row.personId,
          personId: row.personId,
          role: row.role,
          people: 1,
          billable: row.billable,
          total: row.total,
        }))
      : [...groupRoles(personRows).values()];
  return {
    period,
    groupBy,
    weekdays,
    capacityHoursPerDayHundredths,
    rows: grouped
      .map((row) => {
        const rowCapacity = capacity * row.people;
        return {
          ...(row.personId === undefined ? {} : { personId: row.personId }),
          role: row.role,
          people: row.people,
          billableHoursHundredths: row.billable,
          totalHoursHundredths: row.total,
          capacityHoursHundredths: rowCapacity,
          // No capacity at all (every weekday a holiday) reports 0, not a division by zero.
          utilisationBasisPoints: rowCapacity === 0 ? 0 : basisPoints(row.billable, rowCapacity),
          billableHours: formatHours(row.billable),
          totalHours: formatHours(row.total),
          capacityHours: formatHours(rowCapacity),
        };
      })
      .sort((a, b) => (a.personId ?? a.role).localeCompare(b.personId ?? b.role)),
  };
}

function wellFormed(entry: TimeFacts): boolean {
  return (
    isIsoDate(entry.workDate) && Number.isSafeInteger(entry.hoursHundredths) && entry.hoursHundredths >= 0
  );
}

function primaryRole(roleHours: ReadonlyMap<string, number>): string | null {
  let best: [string, number] | null = null;
  for (const entry of [...roleHours.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!best || entry[1] > best[1]) best = entry;
  }
  return best?.[0] ?? null;
}

function groupRoles(rows: readonly { role: string; billable: number; total: number }[]) {
  const roles = new Map<
    string,
    { key: string; personId?: string; role: string; people: number; billable: number; total: number }
  >();
  for (const row of rows) {
    const target = roles.get(row.role) ?? { key: row.role, role: row.role, people: 0, billable: 0, total: 0 };
    target.people += 1;
    target.billable += row.billable;
    target.total += row.total;
    roles.set(row.role, target);
  }
  return roles;
}
