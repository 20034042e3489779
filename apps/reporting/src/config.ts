import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { loadConfig } from '@throughline/platform';

export interface FiguresConfig {
  /** Standard working hours per Monday–Friday day, × 100 (800 = 8 h). */
  capacityHoursPerDayHundredths: number;
  /** How far budget burn may run ahead of percent complete before a project is at risk, in basis points. */
  riskThresholdBasisPoints: number;
  /** Public holidays (`YYYY-MM-DD`, sorted, once each): weekdays among them are not capacity days. Default none. */
  holidays?: readonly string[];
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

/** Comma-separated ISO dates ("2026-12-25,2026-12-28"; empty = none), each a real calendar date. */
const isoDates = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((date) => date.trim())
      .filter((date) => date !== ''),
  )
  .superRefine((dates, context) => {
    for (const date of dates)
      if (!isIsoDate(date))
        context.addIssue({
          code: z.ZodIssueCode.custom,
          message: `"${date}" is not a calendar date YYYY-MM-DD (comma-separated dates expected)`,
        });
  })
  .transform((dates) => [...new Set(dates)].sort());

/** Reads the report settings, failing fast with the offending variable named. */
export function loadFiguresConfig(env: NodeJS.ProcessEnv = process.env): FiguresConfig {
  const config = loadConfig(
    {
      REPORTING_CAPACITY_HOURS_PER_DAY: hundredths(24).default('8'),
      REPORTING_RISK_THRESHOLD_POINTS: hundredths(100).default('10'),
      REPORTING_HOLIDAYS: isoDates.default(''),
    },
    env,
  );
  return {
    capacityHoursPerDayHundredths: config.REPORTING_CAPACITY_HOURS_PER_DAY,
    // Percentage points × 100 = basis points: 10 points → 1000 bp.
    riskThresholdBasisPoints: config.REPORTING_RISK_THRESHOLD_POINTS,
    holidays: config.REPORTING_HOLIDAYS,
  };
}
