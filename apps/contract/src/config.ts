import { z } from 'zod';

import { loadConfig } from '@throughline/platform';

import { SetupConfig } from './application/tokens';

/** Reads the project-setup SLA settings, failing fast with the offending variable named. */
export function loadSetupConfig(env: NodeJS.ProcessEnv = process.env): SetupConfig {
  const config = loadConfig(
    {
      SETUP_DEADLINE_MS: z.coerce
        .number()
        .int()
        .positive()
        .default(15 * 60_000),
      SETUP_DEADLINE_CHECK_MS: z.coerce.number().int().positive().default(5_000),
    },
    env,
  );
  return { deadlineMs: config.SETUP_DEADLINE_MS, deadlineCheckMs: config.SETUP_DEADLINE_CHECK_MS };
}
