import { z } from 'zod';

import { KafkaConnection, readMessagingConnection, RegistryConnection } from '@throughline/messaging';
import { readDatabaseUrl } from '@throughline/persistence';
import { commonConfigShape, loadConfig } from '@throughline/platform';

export interface OpsConfig {
  /** Brokers, TLS and SASL: the same variables as the services (README "Kafka, registry and PostgreSQL security"). */
  kafka: KafkaConnection;
  registry: RegistryConnection;
  /** The PostgreSQL server (any database); the audit log lives in `databaseName` on it. */
  serverUrl: string;
  databaseName: string;
  topicPrefix: string;
}

const opsConfigShape = {
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
  const problems: string[] = [];
  const { kafka, registry } = readMessagingConnection(env, problems);
  const serverUrl = readDatabaseUrl(env, problems);
  const config = loadConfig(opsConfigShape, env, problems);
  return {
    kafka,
    registry,
    serverUrl,
    databaseName: config.DATABASE_NAME,
    topicPrefix: config.TOPIC_PREFIX,
  };
}
