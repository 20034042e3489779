import { apicurio } from './apicurio';
import {
  componentStatus,
  startComponent,
  stopComponent,
  type JavaComponent,
  type StatusRow,
} from './component';
import { ensurePostgres, postgresAddress, postgresHealthy } from './databases';
import { kafka } from './kafka';
import { oidc } from './oidc';

export { KAFKA_BROKERS, OIDC_ISSUER, REGISTRY_URL } from './config';
export { SERVICES } from './databases';
export type { StatusRow } from './component';

/** Start order; `down` goes in reverse. */
const COMPONENTS: readonly JavaComponent[] = [kafka, apicurio, oidc];

/**
 * Brings up postgres databases, Kafka, the schema registry and the local OpenID Connect provider;
 * returns once all of them answer. Idempotent.
 */
export async function up(): Promise<void> {
  await ensurePostgres();
  for (const component of COMPONENTS) await startComponent(component);
}

export const ensureStack = up;

/** Stops Kafka, the registry and the OpenID Connect provider. PostgreSQL is a system service and is left alone. */
export async function down(): Promise<void> {
  for (const component of [...COMPONENTS].reverse()) await stopComponent(component);
}

export async function status(): Promise<StatusRow[]> {
  const postgres: StatusRow = {
    component: 'postgres',
    address: postgresAddress(),
    pid: '-',
    healthy: await postgresHealthy(),
  };
  return [postgres, ...(await Promise.all(COMPONENTS.map(componentStatus)))];
}

export function logFiles(): Record<string, string> {
  return Object.fromEntries(COMPONENTS.map((component) => [component.name, component.logFile]));
}

function componentNamed(name: string): JavaComponent {
  const component = COMPONENTS.find((candidate) => candidate.name === name);
  if (!component)
    throw new Error(`unknown component "${name}"; expected ${COMPONENTS.map((c) => c.name).join(', ')}`);
  return component;
}

/** Stops one component (e.g. `kafka`) — fault tests restart the broker under load with this. */
export function stopOne(name: 'kafka' | 'apicurio'): Promise<void> {
  return stopComponent(componentNamed(name));
}

export function startOne(name: 'kafka' | 'apicurio'): Promise<void> {
  return startComponent(componentNamed(name));
}
