import { z } from 'zod';

import { ConfigurationError } from './errors';

/**
 * Validates environment variables at boot and fails fast with every offending variable named.
 * `problems` found by checks made before (across variables, reading files) are reported in the
 * same error, so an operator sees every mistake at once.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
  problems: readonly string[] = [],
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  const all = [
    ...(result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...problems,
  ].filter((problem, index, list) => list.indexOf(problem) === index);
  if (all.length > 0 || !result.success) throw configurationError(all);
  return result.data;
}

export function configurationError(problems: readonly string[]): ConfigurationError {
  return new ConfigurationError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** Variables every service reads; services extend this shape. */
export const commonConfigShape = {
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: z.string().url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/postgres'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/**
 * Development defaults (the repository's webhook secrets, say) are accepted only in an explicit
 * development or test run: NODE_ENV=development or NODE_ENV=test (Jest sets the latter). Anything
 * else, NODE_ENV unset included, gets production rules, so a deployment that forgets NODE_ENV
 * cannot run on secrets everyone can read in the repository.
 */
export function isDevelopmentMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['NODE_ENV'] === 'development' || env['NODE_ENV'] === 'test';
}
