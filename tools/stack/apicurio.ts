import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JavaComponent } from './component';
import {
  APICURIO_VERSION,
  HOST,
  REGISTRY_MANAGEMENT_PORT,
  REGISTRY_PORT,
  REGISTRY_URL,
  STACK_DIR,
} from './config';
import { postgresEndpoint, REGISTRY_DATABASE } from './databases';
import { maven } from './maven';
import { run, step } from './proc';

const dir = join(STACK_DIR, 'apicurio');
const distDir = join(dir, `apicurio-registry-${APICURIO_VERSION}`);
const ARTIFACT = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;

async function fetchDistribution(): Promise<void> {
  if (existsSync(distDir)) return;
  step(`fetching Apicurio Registry ${APICURIO_VERSION} with mvn (first run only)…`);
  const download = join(dir, 'download');
  mkdirSync(download, { recursive: true });
  await maven(
    ['dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${download}`],
    join(dir, 'mvn.log'),
  );
  const archive = readdirSync(download).find((name) => name.endsWith('.tar.gz'));
  if (!archive) throw new Error(`mvn did not produce the ${ARTIFACT} archive in ${download}`);

  step(`extracting ${archive}…`);
  const staging = `${distDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  run('tar', ['xzf', join(download, archive), '-C', staging], dir);
  renameSync(staging, distDir);
  rmSync(download, { recursive: true, force: true });
}

/** The archive holds a Quarkus fast-jar layout; the runner may sit in a top-level folder. */
function findRunner(root: string, depth = 3): string | undefined {
  const candidate = join(root, 'quarkus-run.jar');
  if (existsSync(candidate)) return candidate;
  if (depth === 0) return undefined;
  for (const entry of readdirSync(root)) {
    const child = join(root, entry);
    if (statSync(child).isDirectory()) {
      const found = findRunner(child, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

function runnerJar(): string {
  const jar = findRunner(distDir);
  if (!jar)
    throw new Error(`quarkus-run.jar not found under ${distDir}; delete that folder and run \`up\` again`);
  return jar;
}

/** Registry configuration, passed as JVM system properties (names as in Apicurio 3.x application.properties). */
function registryProperties(): Record<string, string> {
  const db = postgresEndpoint();
  return {
    'quarkus.http.host': HOST,
    'quarkus.http.port': String(REGISTRY_PORT),
    'quarkus.management.host': HOST,
    'quarkus.management.port': String(REGISTRY_MANAGEMENT_PORT),
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'postgresql',
    'apicurio.datasource.url': `jdbc:postgresql://${db.host}:${db.port}/${REGISTRY_DATABASE}`,
    'apicurio.datasource.username': db.user,
    // The defaults (20 pooled connections) are sized for production.
    'apicurio.datasource.jdbc.initial-size': '2',
    'apicurio.datasource.jdbc.min-size': '2',
    'apicurio.datasource.jdbc.max-size': '20',
    // Default global rule, applied while no global COMPATIBILITY rule has been set through the API.
    'apicurio.rules.global.compatibility': 'BACKWARD',
    // Re-registering a schema that differs only in formatting returns the existing id, as Confluent does.
    'apicurio.ccompat.use-canonical-hash': 'true',
    // GET /subjects returns at most this many, oldest first; tests and benchmarks create many throwaway subjects.
    'apicurio.ccompat.max-subjects': '100000',
  };
}

async function registryAnswers(): Promise<boolean> {
  try {
    // A constant-cost endpoint: listing /subjects grows with every subject ever registered (over 1 s
    // at ~2,000), and a slow list made a healthy registry look down.
    const response = await fetch(`${REGISTRY_URL}/schemas/types`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export const apicurio: JavaComponent = {
  name: 'apicurio',
  address: `http://${HOST}:${REGISTRY_PORT}`,
  logFile: join(dir, 'apicurio.log'),
  pidFile: join(dir, 'pid'),
  marker: distDir,
  startTimeoutMs: 120_000,
  minJava: 21, // 3.3.x classes target Java 21
  install: fetchDistribution,
  launch() {
    const jar = runnerJar();
    const properties = Object.entries(registryProperties()).map(([key, value]) => `-D${key}=${value}`);
    return {
      cwd: dirname(jar),
      args: ['-Xms128m', '-Xmx768m', ...properties, '-jar', jar],
      // Via the environment rather than -D so the password does not show up in `ps`.
      env: { ...process.env, APICURIO_DATASOURCE_PASSWORD: postgresEndpoint().password },
    };
  },
  isHealthy: registryAnswers,
};
