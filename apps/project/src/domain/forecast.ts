import { AssignmentStatus, ProjectForecastUpdated } from '@throughline/contracts';

/** The latest known state of one assignment of the project (from staffing's AssignmentChanged). */
export interface AssignmentCost {
  assignmentId: string;
  status: AssignmentStatus;
  forecastCostMinor: number;
}

export interface ProjectForecast {
  forecastRevenueMinor: number;
  forecastCostMinor: number;
  forecastMarginMinor: number;
}

/** What caused a forecast refresh: the consumed event's envelope id and type. */
export interface ForecastTrigger {
  eventId: string;
  eventType: string;
}

/**
 * Revenue is the current budget (the fee), cost the sum of the forecast cost of the active
 * (not cancelled) assignments, margin their difference (negative when the project loses money).
 * Sums in BigInt; a total beyond the safe-integer range is a data error, not a rounding.
 */
export function forecastOf(budgetMinor: number, assignments: readonly AssignmentCost[]): ProjectForecast {
  const cost = assignments
    .filter((assignment) => assignment.status !== 'CANCELLED')
    .reduce((sum, assignment) => sum + BigInt(assignment.forecastCostMinor), 0n);
  const margin = BigInt(budgetMinor) - cost;
  return {
    forecastRevenueMinor: budgetMinor,
    forecastCostMinor: safe(cost, 'forecast cost'),
    forecastMarginMinor: safe(margin, 'forecast margin'),
  };
}

export function forecastUpdated(
  project: { projectId: string; dealId: string; currency: string },
  forecast: ProjectForecast,
  trigger: ForecastTrigger,
  refreshedAt: number,
): ProjectForecastUpdated {
  return {
    projectId: project.projectId,
    dealId: project.dealId,
    currency: project.currency,
    ...forecast,
    triggerEventId: trigger.eventId,
    triggerType: trigger.eventType,
    refreshedAt,
  };
}

function safe(value: bigint, name: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`${name} ${value} exceeds the safe integer range`);
  return result;
}
