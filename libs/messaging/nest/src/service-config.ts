import { z } from 'zod';

import {
  KafkaSecurity,
  messagingConnectionShape,
  readMessagingConnection,
  RegistrySecurity,
} from '@throughline/messaging';
import { databaseUrlFor, readDatabaseUrl, serviceDatabaseName } from '@throughline/persistence';
import { commonConfigShape, loadConfig } from '@throughline/platform';

import { BodyLimit, LOCAL_HOSTS } from './request-guard';

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { requestMs: 30_000, keepAliveMs: 5_000 };

export const serviceConfigShape = {
  ...commonConfigShape,
  ...messagingConnectionShape,
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
  /** Time a client has to send a request's headers and its whole body (a slow sender gets 408). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(DEFAULT_HTTP_TIMEOUTS.requestMs),
  /** How long an idle keep-alive connection stays open. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(DEFAULT_HTTP_TIMEOUTS.keepAliveMs),
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
  /** TLS and SASL for Kafka (KAFKA_TLS*, KAFKA_SASL_*); plaintext when absent. */
  kafkaSecurity?: KafkaSecurity;
  /** Basic auth and CA for the schema registry (SCHEMA_REGISTRY_*). */
  registrySecurity?: RegistrySecurity;
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
  /** Headers and body must arrive within this (408 after); idle keep-alive connections close after. */
  httpTimeouts?: HttpTimeouts;
}

export interface HttpTimeouts {
  requestMs: number;
  keepAliveMs: number;
}

/**
 * Reads a service's configuration from the environment, failing fast with every bad variable named.
 * DATABASE_URL names the PostgreSQL server; each service uses its own database on it.
 */
export function loadServiceConfig(service: string, defaultPort: number, env = process.env): ServiceConfig {
  const portVariable = `${service.toUpperCase()}_PORT`;
  const problems: string[] = [];
  const { kafka, registry } = readMessagingConnection(env, problems);
  const serverUrl = readDatabaseUrl(env, problems);
  const config = loadConfig(
    { ...serviceConfigShape, [portVariable]: z.coerce.number().int().min(0).max(65535).default(defaultPort) },
    env,
    problems,
  );
  const databaseName = config.DATABASE_NAME ?? serviceDatabaseName(service);
  const { brokers, ...kafkaSecurity } = kafka;
  const { url: registryUrl, ...registrySecurity } = registry;
  return {
    service,
    brokers,
    registryUrl,
    kafkaSecurity,
    registrySecurity,
    databaseName,
    databaseUrl: databaseUrlFor(databaseName, serverUrl),
    topicPrefix: config.TOPIC_PREFIX,
    logLevel: config.LOG_LEVEL,
    host: config.HOST,
    allowedHosts: [
      ...LOCAL_HOSTS,
      ...(['0.0.0.0', '::'].includes(config.HOST) ? [] : [config.HOST]),
      ...config.HTTP_ALLOWED_HOSTS.split(',').filter(Boolean),
    ],
    port: (config as Record<string, unknown>)[portVariable] as number,
    httpTimeouts: {
      requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
  };
}
