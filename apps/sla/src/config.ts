import { readFileSync } from 'node:fs';
import { z } from 'zod';

import { ConfigurationError, loadConfig } from '@throughline/platform';

import { SlaSettings } from './application/tokens';
import { InvalidSlaConfig, resolveSlaConfig } from './domain/sla-definition';

/**
 * Reads the SLA settings: SLA_CONFIG_FILE (a JSON file merged over the built-in SLAs, see
 * README.md) and SLA_CHECK_INTERVAL_MS, failing fast with the offending variable named.
 */
export function loadSlaSettings(env: NodeJS.ProcessEnv = process.env): SlaSettings {
  const config = loadConfig(
    {
      SLA_CONFIG_FILE: z.string().min(1).optional(),
      SLA_CHECK_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
    },
    env,
  );
  return { slas: readSlas(config.SLA_CONFIG_FILE), checkIntervalMs: config.SLA_CHECK_INTERVAL_MS };
}

function readSlas(file: string | undefined): SlaSettings['slas'] {
  let input: unknown;
  if (file !== undefined) {
    try {
      input = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigurationError(
        `SLA_CONFIG_FILE: cannot read JSON from ${file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  try {
    return resolveSlaConfig(input);
  } catch (error) {
    if (error instanceof InvalidSlaConfig) {
      throw new ConfigurationError(`SLA_CONFIG_FILE (${file ?? 'built-in defaults'}): ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
