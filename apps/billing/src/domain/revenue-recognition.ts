/**
 * Revenue recognition at period close, per project and currency. Each rule gives the cumulative
 * exact revenue to the end of the period as a fraction of minor units; the period recognizes
 * floor(cumulative exact) − what was recognized before, and the fractional part is carried (never
 * lost: the sum of all amounts is the floor of the latest exact total, never more).
 */
import { ActualKind, BusinessExceptionRaised, RevenueRule } from '@throughline/contracts';

import { add, floor, Fraction, fraction, fractionalPart, min, ZERO } from './fraction';
import { toSafeNumber } from './pricing';

export const FULL_BASIS_POINTS = 10_000n;

/** A billable actual as revenue recognition sees it. */
export interface DeliveredActual {
  kind: ActualKind;
  hoursHundredths: number;
  rateMinor: number | null;
  billAmountMinor: number;
}

/**
 * AS_DELIVERED: the exact billable value of what was delivered: hours × rate / 100 for priced time
 * (before the per-entry rounding of pricing), the amount for expenses.
 */
export function deliveredValue(actuals: readonly DeliveredActual[]): Fraction {
  return actuals.reduce<Fraction>((sum, actual) => {
    if (actual.kind === 'TIME' && actual.rateMinor !== null) {
      return add(sum, fraction(BigInt(actual.hoursHundredths) * BigInt(actual.rateMinor), 100n));
    }
    return add(sum, fraction(actual.billAmountMinor));
  }, ZERO);
}

/**
 * Why cost-to-cost progress cannot be measured: there is cost to date but no forecast, a forecast
 * of 0 (a change order before anyone was staffed, every assignment cancelled), or a forecast below
 * the cost to date (an estimate nobody revised after an overrun). Measuring against any of these
 * would jump to 100 % of the fee without the project being complete.
 */
export interface NoCostBasis {
  reason: 'NO_FORECAST' | 'ZERO_FORECAST' | 'COST_ABOVE_FORECAST';
  costToDateMinor: number;
  forecastTotalCostMinor: number | null;
}

export type Progress =
  | {
      /** fee × costToDate / forecast, exact, never above the fee. */
      earned: Fraction;
      /** Progress in basis points (10000 = 100 %), rounded down; null without a forecast. */
      basisPoints: number | null;
      noCostBasis: null;
    }
  | { earned: null; basisPoints: null; noCostBasis: NoCostBasis };

/**
 * Cost-to-cost progress of a fixed fee. Before any cost, nothing is earned (with or without a
 * forecast). With cost but no usable forecast the project is not assessable (`noCostBasis`): the
 * caller bills and recognises nothing more for it and raises an exception for delivery; it catches
 * up at the first close after a forecast covering the cost to date arrives.
 */
export function costToCostProgress(
  feeMinor: number,
  costToDateMinor: number,
  forecastTotalCostMinor: number | null,
): Progress {
  if (costToDateMinor <= 0) {
    return { earned: ZERO, basisPoints: forecastTotalCostMinor === null ? null : 0, noCostBasis: null };
  }
  // With cost to date > 0, a forecast of 0 is one case of a forecast below the cost.
  if (forecastTotalCostMinor === null || costToDateMinor > forecastTotalCostMinor) {
    const reason =
      forecastTotalCostMinor === null
        ? 'NO_FORECAST'
        : forecastTotalCostMinor <= 0
          ? 'ZERO_FORECAST'
          : 'COST_ABOVE_FORECAST';
    return {
      earned: null,
      basisPoints: null,
      noCostBasis: { reason, costToDateMinor, forecastTotalCostMinor },
    };
  }
  const denominator = BigInt(forecastTotalCostMinor);
  const cost = BigInt(costToDateMinor);
  const earned = min(fraction(BigInt(feeMinor) * cost, denominator), fraction(feeMinor));
  return { earned, basisPoints: Number((cost * FULL_BASIS_POINTS) / denominator), noCostBasis: null };
}

/**
 * Cost to date for progress, rounded the way its forecast is: staffing prices each assignment (one
 * person at one cost rate) as hours × cost rate rounded half up once, so cost to date is the exact
 * cost of each person's time at each cost rate (Σ hoursHundredths × costRateMinor, in hundredths
 * of a minor unit), rounded half up once per group — not the per-entry costs, which are rounded
 * down and would end a project delivered exactly on forecast below 100 %.
 */
export function costToDate(exactHundredthsPerPersonAndRate: readonly bigint[]): number {
  return toSafeNumber(exactHundredthsPerPersonAndRate.reduce((sum, exact) => sum + (exact + 50n) / 100n, 0n));
}

export interface RecognitionBasis {
  revenueRule: RevenueRule;
  /** Current fee (after change orders) for the fixed-fee rules. */
  feeMinor: number;
  /**
   * Billable actuals worked up to the period end, in this currency: time counts for AS_DELIVERED
   * and RETAINER_USAGE, expenses under every rule.
   */
  delivered: readonly DeliveredActual[];
  /** PERCENT_COMPLETE_COST_TO_COST. */
  costToDateMinor: number;
  forecastTotalCostMinor: number | null;
  /** ON_MILESTONE: fees of the milestones completed by the period end. */
  completedMilestoneFeesMinor: readonly number[];
  /** RETAINER_USAGE: retainer fees billed to date plus overage billed to date. */
  retainerBilledMinor: number;
}

/**
 * The cumulative exact revenue to the period end, or — for a percent-complete project with no cost
 * basis — nothing: the period recognises nothing for the project (expenses included, since they
 * share its cumulative) until it is assessable again, when the cumulative catches up.
 */
export type CumulativeRevenue =
  | { exact: Fraction; percentCompleteBasisPoints: number | null; noCostBasis: null }
  | { exact: null; percentCompleteBasisPoints: null; noCostBasis: NoCostBasis };

/**
 * Billable expenses are passed through to the customer at cost, so they are revenue when incurred
 * under every rule (and invoiced as EXPENSE lines); the fee-based rules apply to the fee only, which
 * is what "never above the fee" bounds.
 */
export function cumulativeRevenue(basis: RecognitionBasis): CumulativeRevenue {
  const expenses = deliveredValue(basis.delivered.filter((actual) => actual.kind === 'EXPENSE'));
  const time = basis.delivered.filter((actual) => actual.kind === 'TIME');
  switch (basis.revenueRule) {
    case 'AS_DELIVERED':
      return { exact: deliveredValue(basis.delivered), percentCompleteBasisPoints: null, noCostBasis: null };
    case 'PERCENT_COMPLETE_COST_TO_COST': {
      const progress = costToCostProgress(
        basis.feeMinor,
        basis.costToDateMinor,
        basis.forecastTotalCostMinor,
      );
      if (progress.noCostBasis !== null) {
        return { exact: null, percentCompleteBasisPoints: null, noCostBasis: progress.noCostBasis };
      }
      return {
        exact: add(progress.earned, expenses),
        percentCompleteBasisPoints: progress.basisPoints,
        noCostBasis: null,
      };
    }
    case 'ON_MILESTONE':
      return {
        exact: add(
          min(
            fraction(basis.completedMilestoneFeesMinor.reduce((sum, fee) => sum + BigInt(fee), 0n)),
            fraction(Math.max(basis.feeMinor, 0)),
          ),
          expenses,
        ),
        percentCompleteBasisPoints: null,
        noCostBasis: null,
      };
    case 'RETAINER_USAGE':
      return {
        exact: add(min(deliveredValue(time), fraction(basis.retainerBilledMinor)), expenses),
        percentCompleteBasisPoints: null,
        noCostBasis: null,
      };
  }
}

export interface Recognition {
  amountMinor: number;
  cumulativeMinor: number;
  carriedRemainder: string;
}

/** This period's amount: floor(cumulative exact) − recognized before; the fraction is carried. */
export function recognize(cumulativeExact: Fraction, previouslyRecognizedMinor: number): Recognition {
  const cumulative = floor(cumulativeExact);
  return {
    amountMinor: toSafeNumber(cumulative - BigInt(previouslyRecognizedMinor)),
    cumulativeMinor: toSafeNumber(cumulative),
    carriedRemainder: fractionalPart(cumulativeExact),
  };
}

export function recognitionIdFor(projectId: string, period: string, currency: string): string {
  return `REV-${projectId}-${period}-${currency}`;
}

export function noCostBasisExceptionId(projectId: string): string {
  return `EXC-PRJ-${projectId}-NO_COST_BASIS`;
}

const NO_COST_BASIS_MESSAGES: Record<NoCostBasis['reason'], string> = {
  NO_FORECAST: 'has no cost forecast',
  ZERO_FORECAST: 'has a cost forecast of 0 (no active assignment)',
  COST_ABOVE_FORECAST: 'has a cost forecast below its cost to date',
};

/**
 * The exception a close raises for a percent-complete project it cannot assess, for delivery: the
 * same id at every close until a forecast covering the cost to date arrives.
 */
export function noCostBasisException(
  project: { projectId: string; dealId: string; currency: string },
  period: string,
  basis: NoCostBasis,
): BusinessExceptionRaised {
  const forecast = basis.forecastTotalCostMinor === null ? 'none' : String(basis.forecastTotalCostMinor);
  return {
    exceptionId: noCostBasisExceptionId(project.projectId),
    ownerRole: 'DELIVERY',
    entityType: 'Project',
    entityId: project.projectId,
    dealId: project.dealId,
    code: 'NO_COST_BASIS',
    message: `Percent-complete project ${project.projectId} ${NO_COST_BASIS_MESSAGES[basis.reason]} (cost to date ${basis.costToDateMinor}, forecast ${forecast} ${project.currency} minor units): the close of ${period} billed and recognised nothing more for it`,
    remediation: `Publish a forecast for project ${project.projectId} of at least its cost to date: staff the project (assignments in staffing) or revise the remaining assignments; the next close bills and recognises the progress it then measures`,
    details: {
      projectId: project.projectId,
      period,
      reason: basis.reason,
      costToDateMinor: String(basis.costToDateMinor),
      forecastTotalCostMinor: forecast,
    },
  };
}
