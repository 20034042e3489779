/**
 * Revenue recognition at period close, per project and currency. Each rule gives the cumulative
 * exact revenue to the end of the period as a fraction of minor units; the period recognizes
 * floor(cumulative exact) − what was recognized before, and the fractional part is carried (never
 * lost: the sum of all amounts is the floor of the latest exact total, never more).
 */
import { ActualKind, RevenueRule } from '@throughline/contracts';

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

export interface Progress {
  /** fee × costToDate / max(forecast, costToDate), exact, never above the fee. */
  earned: Fraction;
  /** Progress in basis points (10000 = 100 %), rounded down; null without a forecast. */
  basisPoints: number | null;
}

/**
 * Cost-to-cost progress of a fixed fee. Without a cost forecast there is no basis to measure
 * progress against, so nothing is earned yet (the conservative choice; it catches up once the
 * forecast arrives).
 */
export function costToCostProgress(
  feeMinor: number,
  costToDateMinor: number,
  forecastTotalCostMinor: number | null,
): Progress {
  if (forecastTotalCostMinor === null) return { earned: ZERO, basisPoints: null };
  const denominator = BigInt(Math.max(forecastTotalCostMinor, costToDateMinor));
  if (denominator === 0n) return { earned: ZERO, basisPoints: 0 };
  const cost = BigInt(costToDateMinor);
  const earned = min(fraction(BigInt(feeMinor) * cost, denominator), fraction(feeMinor));
  const basisPoints = (cost * FULL_BASIS_POINTS) / denominator;
  return { earned, basisPoints: Number(basisPoints > FULL_BASIS_POINTS ? FULL_BASIS_POINTS : basisPoints) };
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

export interface CumulativeRevenue {
  exact: Fraction;
  percentCompleteBasisPoints: number | null;
}

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
      return { exact: deliveredValue(basis.delivered), percentCompleteBasisPoints: null };
    case 'PERCENT_COMPLETE_COST_TO_COST': {
      const progress = costToCostProgress(
        basis.feeMinor,
        basis.costToDateMinor,
        basis.forecastTotalCostMinor,
      );
      return { exact: add(progress.earned, expenses), percentCompleteBasisPoints: progress.basisPoints };
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
      };
    case 'RETAINER_USAGE':
      return {
        exact: add(min(deliveredValue(time), fraction(basis.retainerBilledMinor)), expenses),
        percentCompleteBasisPoints: null,
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
