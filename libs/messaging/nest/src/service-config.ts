import { z } from 'zod';

import { parseBrokers } from '@throughline/messaging';
import { databaseUrlFor, serviceDatabaseName } from '@throughline/persistence';
import { commonConfigShape, loadConfig } from '@throughline/platform';

import { BodyLimit, LOCAL_HOSTS } from './request-guard';

export const serviceConfigShape = {
  ...commonConfigShape,
  /** Isolates topics, subjects and consumer groups, e.g. per environment or test run. */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only')
    .default(''),
  HOST: z.string().default('127.0.0.1'),
  /** Host names answered besides localhost, 127.0.0.1, ::1 and HOST (comma-separated): the public ones. */
  HTTP_ALLOWED_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]*(,[A-Za-z0-9.:[\]-]+)*$/, 'comma-separated host names')
    .default(''),
  /** Overrides the service's database name (default `throughline_<service>`), e.g. for test runs. */
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and "_" only')
    .optional(),
};

export interface ServiceConfig {
  service: string;
  brokers: string[];
  registryUrl: string;
  databaseName: string;
  databaseUrl: string;
  topicPrefix: string;
  logLevel: string;
  host: string;
  port: number;
  /** Host names (and origins) HTTP requests may name; others are answered 421 / 403. */
  allowedHosts?: readonly string[];
  /** Larger body limits for path prefixes (default 100 kB everywhere), set by the service's module. */
  bodyLimits?: readonly BodyLimit[];
}

/**
 * Reads a service's configuration from the environment, failing fast with every bad variable named.
 * DATABASE_URL names the PostgreSQL server; each service uses its own database on it.
 */
export function loadServiceConfig(service: string, defaultPort: number, env = process.env): ServiceConfig {
  const portVariable = `${service.toUpperCase()}_PORT`;
  const config = loadConfig(
    { ...serviceConfigShape, [portVariable]: z.coerce.number().int().min(0).max(65535).default(defaultPort) },
    env,
  );
  const databaseName = config.DATABASE_NAME ?? serviceDatabaseName(service);
  return {
    service,
    brokers: parseBrokers(config.KAFKA_BROKERS),
    registryUrl: config.SCHEMA_REGISTRY_URL,
    databaseName,
    databaseUrl: databaseUrlFor(databaseName, config.DATABASE_URL),
    topicPrefix: config.TOPIC_PREFIX,
    logLevel: config.LOG_LEVEL,
    host: config.HOST,
    allowedHosts: [
      ...LOCAL_HOSTS,
      ...(['0.0.0.0', '::'].includes(config.HOST) ? [] : [config.HOST]),
      ...config.HTTP_ALLOWED_HOSTS.split(',').filter(Boolean),
    ],
    port: (config as Record<string, unknown>)[portVariable] as number,
  };
}
