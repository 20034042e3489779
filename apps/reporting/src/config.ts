import { z } from 'zod';

import { loadConfig } from '@throughline/platform';

export interface FiguresConfig {
  /** Standard working hours per Monday–Friday day, × 100 (800 = 8 h). */
  capacityHoursPerDayHundredths: number;
  /** How far budget burn may run ahead of percent complete before a project is at risk, in basis points. */
  riskThresholdBasisPoints: number;
}

/** A decimal with at most two places ("8", "7.5", "7.25") as an integer × 100, exactly. */
const hundredths = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d{1,2})?$/, 'a number with at most two decimals')
    .transform((value) => {
      const [whole, fraction = ''] = value.split('.');
      return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    })
    .refine((value) => value > 0 && value <= max * 100, `must be more than 0 and at most ${max}`);

/** Reads the report settings, failing fast with the offending variable named. */
export function loadFiguresConfig(env: NodeJS.ProcessEnv = process.env): FiguresConfig {
  const config = loadConfig(
    {
      REPORTING_CAPACITY_HOURS_PER_DAY: hundredths(24).default('8'),
      REPORTING_RISK_THRESHOLD_POINTS: hundredths(100).default('10'),
    },
    env,
  );
  return {
    capacityHoursPerDayHundredths: config.REPORTING_CAPACITY_HOURS_PER_DAY,
    // Percentage points × 100 = basis points: 10 points → 1000 bp.
    riskThresholdBasisPoints: config.REPORTING_RISK_THRESHOLD_POINTS,
  };
}
