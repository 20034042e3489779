import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { sendTestCredentialsTo, startTestIdentityProvider } from '@throughline/messaging-nest/testing';

import { REPO_ROOT, STACK_DIR } from '../stack/config';

export const SERVICE_PORTS = {
  ingress: 3001,
  contract: 3002,
  project: 3003,
  staffing: 3004,
  billing: 3005,
  reporting: 3006,
  sla: 3007,
} as const;

/**
 * Services run from TypeScript through swc, which (unlike esbuild/tsx) emits the decorator
 * metadata NestJS dependency injection reads.
 */
export const SERVICE_NODE_ARGS = ['-r', '@swc-node/register'];

export type ServiceName = keyof typeof SERVICE_PORTS;
export const ALL_SERVICES = Object.keys(SERVICE_PORTS) as ServiceName[];

export interface RunningService {
  name: ServiceName;
  url: string;
  logFile: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Extra environment for every service (e.g. TOPIC_PREFIX) and per service. */
  env?: NodeJS.ProcessEnv;
  envFor?: (service: ServiceName) => NodeJS.ProcessEnv;
  /** Pick free ports instead of the defaults (tests). */
  freePorts?: boolean;
  logDir?: string;
  readyTimeoutMs?: number;
  /** Extra Node.js flags per service (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  nodeArgsFor?: (service: ServiceName) => string[];
}

/**
 * Fails naming the ports something already listens on: a service left running by an earlier run
 * that was killed would answer the new one's readiness check and hide that the new one cannot bind.
 */
export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  if (busy.length > 0) {
    throw new Error(
      `port ${busy.join(', ')} already in use (a service of an earlier run still running? see ss -ltnp)`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs each service as its own process (as in production), waiting until it reports ready. */
export async function startServices(
  names: readonly ServiceName[],
  options: StartOptions = {},
): Promise<RunningService[]> {
  const logDir = options.logDir ?? join(STACK_DIR, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started: RunningService[] = [];
  try {
    for (const name of names) started.push(await startService(name, logDir, options));
    return started;
  } catch (error) {
    await stopServices(started);
    throw error;
  }
}

export async function stopServices(services: readonly RunningService[]): Promise<void> {
  await Promise.all(services.map((service) => service.stop()));
}

async function startService(
  name: ServiceName,
  logDir: string,
  options: StartOptions,
): Promise<RunningService> {
  // Services verify real tokens (deny by default): the demo's own provider, or AUTH_ISSUER's.
  const identity = await startTestIdentityProvider({ useConfiguredIssuer: true });
  const port = options.freePorts ? await freePort() : SERVICE_PORTS[name];
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_ARGS, ...(options.nodeArgsFor?.(name) ?? []), join('apps', name, 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        // The demo and the benchmarks sign CRM webhooks with the repository's development secrets.
        NODE_ENV: 'development',
        ...process.env,
        ...options.env,
        ...options.envFor?.(name),
        [`${name.toUpperCase()}_PORT`]: String(port),
      },
      stdio: ['ignore', log, log],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // This process's requests to the service carry the demo client's token.
  sendTestCredentialsTo(url, identity);
  const service: RunningService = {
    name,
    url,
    logFile,
    process: child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with code ${child.exitCode} during start:\n${tail(logFile)}`);
    }
    if (await isReady(url)) return service;
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`${name} was not ready on ${url} in time:\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
