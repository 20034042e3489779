import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const STACK_DIR = join(REPO_ROOT, '.stack');
export const STACK_POM = join(REPO_ROOT, 'deploy', 'stack', 'pom.xml');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port number, got "${raw}"`);
  }
  return port;
}

export const HOST = '127.0.0.1';
export const KAFKA_PORT = portFromEnv('KAFKA_PORT', 9092);
export const KAFKA_CONTROLLER_PORT = portFromEnv('KAFKA_CONTROLLER_PORT', KAFKA_PORT + 1);
export const REGISTRY_PORT = portFromEnv('REGISTRY_PORT', 8081);
/** Quarkus serves health/metrics on a separate port (default 9000); keep it away from common ones. */
export const REGISTRY_MANAGEMENT_PORT = portFromEnv('REGISTRY_MANAGEMENT_PORT', REGISTRY_PORT + 1000);

/** The local OpenID Connect provider (tools/oidc): the issuer services verify tokens of. */
export const OIDC_PORT = portFromEnv('OIDC_PORT', 8090);
export const OIDC_ISSUER = `http://${HOST}:${OIDC_PORT}`;

export const KAFKA_BROKERS = `${HOST}:${KAFKA_PORT}`;
export const REGISTRY_BASE_URL = `http://${HOST}:${REGISTRY_PORT}`;
export const REGISTRY_URL = `${REGISTRY_BASE_URL}/apis/ccompat/v7`;

/** Versions are pinned once, in deploy/stack/pom.xml. */
function pomProperty(name: string): string {
  const pom = readFileSync(STACK_POM, 'utf8');
  const match = new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom);
  if (!match) throw new Error(`property <${name}> not found in ${STACK_POM}`);
  return match[1].trim();
}

export const KAFKA_VERSION = pomProperty('kafka.version');
export const APICURIO_VERSION = pomProperty('apicurio.version');
