import { existsSync, readdirSync } from 'node:fs';
import { Client } from 'pg';

import {
  createDatabaseIfMissing,
  databaseUrlFor,
  DEFAULT_DATABASE_URL,
  serviceDatabaseName,
} from '@throughline/persistence';

import { run, sleep, step } from './proc';

export const SERVICES = ['contract', 'project', 'staffing', 'billing', 'reporting', 'ingress'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const REGISTRY_DATABASE = 'apicurio';

export function baseDatabaseUrl(): string {
  return process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
}

export const STACK_DATABASES = [...SERVICES.map(serviceDatabaseName), REGISTRY_DATABASE];

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function postgresEndpoint(base: string = baseDatabaseUrl()): PostgresEndpoint {
  const url = new URL(base);
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || 'postgres',
    // Trust auth ignores the password, but JDBC clients still want one.
    password: decodeURIComponent(url.password) || 'postgres',
  };
}

export function postgresAddress(): string {
  const { host, port } = postgresEndpoint();
  return `${host}:${port}`;
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrlFor('postgres'), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Undefined when PostgreSQL answers, else the connection error. */
async function probePostgres(): Promise<Error | undefined> {
  try {
    await withAdminClient((client) => client.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

export async function postgresHealthy(): Promise<boolean> {
  return (await probePostgres()) === undefined;
}

function notListening(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ENOENT';
}

function isLocal(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || host.startsWith('/');
}

/** Starts the distribution's PostgreSQL clusters (Debian/Ubuntu `/etc/postgresql/<version>/<cluster>` layout). */
function startLocalClusters(): void {
  const configRoot = '/etc/postgresql';
  const clusters = existsSync(configRoot)
    ? readdirSync(configRoot).flatMap((version) =>
        readdirSync(`${configRoot}/${version}`).map((name) => [version, name]),
      )
    : [];
  if (clusters.length === 0) {
    throw new Error(
      `PostgreSQL is not running at ${postgresAddress()} and no local cluster was found in ${configRoot}`,
    );
  }
  for (const [version, name] of clusters) {
    step(`starting local PostgreSQL cluster ${version}/${name}…`);
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], '/');
  }
}

export async function ensurePostgres(): Promise<void> {
  const address = postgresAddress();
  const problem = await probePostgres();
  if (!problem) {
    console.log(`postgres: reachable at ${address}`);
  } else {
    if (!notListening(problem) || !isLocal(postgresEndpoint().host)) {
      throw new Error(`PostgreSQL at ${address} (DATABASE_URL) is not usable: ${problem.message}`);
    }
    startLocalClusters();
    const deadline = Date.now() + 30_000;
    while (!(await postgresHealthy())) {
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not accept connections at ${address} within 30s`);
      await sleep(500);
    }
    console.log(`postgres: started, reachable at ${address}`);
  }
  await ensureDatabases(STACK_DATABASES);
}

export async function ensureDatabases(names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (await createDatabaseIfMissing(name)) console.log(`postgres: created database ${name}`);
  }
}
