import { z } from 'zod';

import { parseBrokers } from '@throughline/messaging';
import { commonConfigShape, loadConfig } from '@throughline/platform';

export interface OpsConfig {
  brokers: string[];
  registryUrl: string;
  /** The PostgreSQL server (any database); the audit log lives in `databaseName` on it. */
  serverUrl: string;
  databaseName: string;
  topicPrefix: string;
}

const opsConfigShape = {
  KAFKA_BROKERS: commonConfigShape.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: commonConfigShape.SCHEMA_REGISTRY_URL,
  DATABASE_URL: commonConfigShape.DATABASE_URL,
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and "_" only')
    .default('throughline_ops'),
  TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only')
    .default(''),
};

/** Reads and validates the CLI's environment; throws `ConfigurationError` naming every bad variable. */
export function loadOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const config = loadConfig(opsConfigShape, env);
  return {
    brokers: parseBrokers(config.KAFKA_BROKERS),
    registryUrl: config.SCHEMA_REGISTRY_URL,
    serverUrl: config.DATABASE_URL,
    databaseName: config.DATABASE_NAME,
    topicPrefix: config.TOPIC_PREFIX,
  };
}
