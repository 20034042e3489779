import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

import { commonConfigShape, configurationError, loadConfig } from '@throughline/platform';

import { parseBrokers } from './kafka';

export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** PEM text, read from the files the variables name. */
export interface TlsMaterial {
  /** CAs that signed the server's certificate; the system's CAs when absent. */
  ca?: string;
  /** Client certificate and key, for servers that require mutual TLS. */
  cert?: string;
  key?: string;
}

/** How a client proves who it is to Kafka and protects the connection; empty means plaintext. */
export interface KafkaSecurity {
  tls?: TlsMaterial;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export interface KafkaConnection extends KafkaSecurity {
  brokers: string[];
}

export interface RegistrySecurity {
  /** HTTP basic authentication (Confluent Cloud API keys, Apicurio behind a proxy, Karapace). */
  auth?: { username: string; password: string };
  /** For an https registry whose certificate a private CA signed. */
  ca?: string;
}

export interface RegistryConnection extends RegistrySecurity {
  url: string;
}

export interface MessagingConnection {
  kafka: KafkaConnection;
  registry: RegistryConnection;
}

/** Unset and empty are the same (compose passes `${VAR:-}` as an empty string). */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const onOff = z
  .enum(['on', 'off', 'true', 'false'], { message: 'on or off' })
  .transform((value) => value === 'on' || value === 'true');

/**
 * The variables every service, the ops CLI and the tools read to reach Kafka and the schema
 * registry. Defaults: plaintext, no SASL, no registry credentials (the local stack).
 */
export const messagingConnectionShape = {
  KAFKA_BROKERS: commonConfigShape.KAFKA_BROKERS,
  KAFKA_SASL_MECHANISM: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.toLowerCase() : value),
      z.enum(SASL_MECHANISMS, { message: SASL_MECHANISMS.join(', ') }),
    ),
  ),
  KAFKA_SASL_USERNAME: optional(z.string()),
  KAFKA_SASL_PASSWORD: optional(z.string()),
  KAFKA_SASL_PASSWORD_FILE: optional(z.string()),
  /** SASL PLAIN sends the password as it is: refused on a connection without TLS unless this says so. */
  KAFKA_SASL_PLAIN_WITHOUT_TLS: optional(z.enum(['allow'], { message: 'allow, or unset' })),
  KAFKA_TLS: optional(onOff).transform((value) => value ?? false),
  KAFKA_TLS_CA_FILE: optional(z.string()),
  KAFKA_TLS_CERT_FILE: optional(z.string()),
  KAFKA_TLS_KEY_FILE: optional(z.string()),
  SCHEMA_REGISTRY_URL: commonConfigShape.SCHEMA_REGISTRY_URL,
  SCHEMA_REGISTRY_USERNAME: optional(z.string()),
  SCHEMA_REGISTRY_PASSWORD: optional(z.string()),
  SCHEMA_REGISTRY_PASSWORD_FILE: optional(z.string()),
  SCHEMA_REGISTRY_CA_FILE: optional(z.string()),
};

type Values = z.infer<z.ZodObject<typeof messagingConnectionShape>>;

/**
 * Reads the Kafka and schema registry connection from the environment. Every problem (a bad
 * value, a contradiction between variables, a file that cannot be read) is added to `problems`
 * instead of thrown, so a service reports them together with its other variables; the result is
 * meaningful only when no problem was added.
 */
export function readMessagingConnection(env: NodeJS.ProcessEnv, problems: string[]): MessagingConnection {
  const parsed = z.object(messagingConnectionShape).safeParse(env);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
    return { kafka: { brokers: [] }, registry: { url: '' } };
  }
  const values = parsed.data;
  return { kafka: kafkaConnection(values, problems), registry: registryConnection(values, problems) };
}

/** readMessagingConnection for tools and tests: throws ConfigurationError naming every problem. */
export function loadMessagingConnection(env: NodeJS.ProcessEnv = process.env): MessagingConnection {
  const problems: string[] = [];
  const connection = readMessagingConnection(env, problems);
  if (problems.length > 0) throw configurationError(problems);
  return connection;
}

function kafkaConnection(values: Values, problems: string[]): KafkaConnection {
  const connection: KafkaConnection = { brokers: parseBrokers(values.KAFKA_BROKERS) };
  if (connection.brokers.length === 0) problems.push('KAFKA_BROKERS: no broker listed');

  const tlsFiles = (['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'] as const).filter(
    (name) => values[name] !== undefined,
  );
  if (!values.KAFKA_TLS && tlsFiles.length > 0) {
    problems.push(`${tlsFiles.join(', ')}: set, but KAFKA_TLS is off; set KAFKA_TLS=on to use TLS`);
  }
  if (values.KAFKA_TLS) {
    const material = tlsMaterial(
      { ca: 'KAFKA_TLS_CA_FILE', cert: 'KAFKA_TLS_CERT_FILE', key: 'KAFKA_TLS_KEY_FILE' },
      values,
      problems,
    );
    if (material) connection.tls = material;
  }

  const mechanism = values.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    const stray = (
      ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const
    ).filter((name) => values[name] !== undefined);
    if (stray.length > 0) {
      problems.push(
        `${stray.join(', ')}: set, but KAFKA_SASL_MECHANISM is not (${SASL_MECHANISMS.join(', ')}); without it the client would connect unauthenticated`,
      );
    }
    return connection;
  }
  const username = values.KAFKA_SASL_USERNAME;
  if (username === undefined)
    problems.push(`KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=${mechanism}`);
  const password = secret(
    'KAFKA_SASL_PASSWORD',
    values.KAFKA_SASL_PASSWORD,
    values.KAFKA_SASL_PASSWORD_FILE,
    problems,
  );
  if (password === undefined && values.KAFKA_SASL_PASSWORD_FILE === undefined) {
    problems.push(
      `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with KAFKA_SASL_MECHANISM=${mechanism}`,
    );
  }
  if (mechanism === 'plain' && !values.KAFKA_TLS && values.KAFKA_SASL_PLAIN_WITHOUT_TLS !== 'allow') {
    problems.push(
      'KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_TLS=on (or KAFKA_SASL_PLAIN_WITHOUT_TLS=allow on a network you trust)',
    );
  }
  if (username !== undefined && password !== undefined) connection.sasl = { mechanism, username, password };
  return connection;
}

function registryConnection(values: Values, problems: string[]): RegistryConnection {
  const connection: RegistryConnection = { url: values.SCHEMA_REGISTRY_URL };
  const https = new URL(values.SCHEMA_REGISTRY_URL).protocol === 'https:';
  if (values.SCHEMA_REGISTRY_CA_FILE !== undefined) {
    if (!https) {
      problems.push('SCHEMA_REGISTRY_CA_FILE: set, but SCHEMA_REGISTRY_URL is not https');
    } else {
      const material = tlsMaterial({ ca: 'SCHEMA_REGISTRY_CA_FILE' }, values, problems);
      if (material?.ca) connection.ca = material.ca;
    }
  }
  const username = values.SCHEMA_REGISTRY_USERNAME;
  const password = secret(
    'SCHEMA_REGISTRY_PASSWORD',
    values.SCHEMA_REGISTRY_PASSWORD,
    values.SCHEMA_REGISTRY_PASSWORD_FILE,
    problems,
  );
  const hasPassword =
    values.SCHEMA_REGISTRY_PASSWORD !== undefined || values.SCHEMA_REGISTRY_PASSWORD_FILE !== undefined;
  if (username === undefined && hasPassword) {
    problems.push('SCHEMA_REGISTRY_USERNAME: required with a registry password');
  }
  if (username !== undefined && !hasPassword) {
    problems.push(
      'SCHEMA_REGISTRY_PASSWORD or SCHEMA_REGISTRY_PASSWORD_FILE: required with SCHEMA_REGISTRY_USERNAME',
    );
  }
  if (username !== undefined && hasPassword && !https) {
    problems.push(
      'SCHEMA_REGISTRY_USERNAME: basic authentication over http sends the password in clear text; use an https SCHEMA_REGISTRY_URL',
    );
  }
  if (username !== undefined && password !== undefined) connection.auth = { username, password };
  return connection;
}

/** A secret given inline (`NAME`) or as a mounted file (`NAME_FILE`), never both. */
function secret(
  name: string,
  inline: string | undefined,
  file: string | undefined,
  problems: string[],
): string | undefined {
  if (inline !== undefined && file !== undefined) {
    problems.push(`${name}, ${name}_FILE: set only one of them`);
    return undefined;
  }
  if (file === undefined) return inline;
  const text = readText(`${name}_FILE`, file, problems);
  if (text === undefined) return undefined;
  // Files written with `echo` end in a newline that is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    problems.push(`${name}_FILE: ${file} is empty`);
    return undefined;
  }
  return value;
}

/**
 * Reads PEM files and checks that Node can use them together (a key that does not match its
 * certificate, say), so a mistake is named at boot rather than in a TLS handshake later.
 */
function tlsMaterial(
  names: { ca?: string; cert?: string; key?: string },
  values: Record<string, unknown>,
  problems: string[],
): TlsMaterial | undefined {
  const before = problems.length;
  const material: TlsMaterial = {};
  for (const part of ['ca', 'cert', 'key'] as const) {
    const name = names[part];
    const file = name === undefined ? undefined : (values[name] as string | undefined);
    if (name === undefined || file === undefined) continue;
    const text = readText(name, file, problems);
    if (text === undefined) continue;
    if (!text.includes('-----BEGIN ')) {
      problems.push(`${name}: ${file} is not PEM (no "-----BEGIN" line)`);
      continue;
    }
    material[part] = text;
  }
  if (names.cert && names.key && (values[names.cert] === undefined) !== (values[names.key] === undefined)) {
    problems.push(`${names.cert}, ${names.key}: set both (mutual TLS) or neither`);
  }
  if (problems.length > before) return undefined;
  try {
    createSecureContext(material);
  } catch (error) {
    const parts = Object.entries(names)
      .filter(([, name]) => values[name] !== undefined)
      .map(([, name]) => name);
    problems.push(`${parts.join(', ')}: not usable together: ${(error as Error).message}`);
    return undefined;
  }
  return material;
}

function readText(name: string, file: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`${name}: cannot read ${file} (${code ?? (error as Error).message})`);
    return undefined;
  }
}

/** The common variables as loadConfig reads them, with the connection's problems reported alongside. */
export function loadConfigWithConnection<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): { values: z.infer<z.ZodObject<S>>; connection: MessagingConnection } {
  const problems: string[] = [];
  const connection = readMessagingConnection(env, problems);
  return { values: loadConfig(shape, env, problems), connection };
}
