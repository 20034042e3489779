import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { JavaComponent } from './component';
import { HOST, OIDC_ISSUER, OIDC_PORT, REPO_ROOT, STACK_DIR } from './config';

const dir = join(STACK_DIR, 'oidc');
const PROVIDER = join(REPO_ROOT, 'tools', 'oidc', 'provider.mjs');

async function providerAnswers(): Promise<boolean> {
  try {
    const response = await fetch(`${OIDC_ISSUER}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(2000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * The local OpenID Connect provider (oidc-provider, tools/oidc/provider.mjs, clients in
 * tools/oidc/clients.json) on OIDC_PORT (default 8090): services started by hand point AUTH_ISSUER
 * at it. Its signing key is made at start, so tokens do not survive a restart (clients fetch anew).
 */
export const oidc: JavaComponent = {
  name: 'oidc',
  address: OIDC_ISSUER,
  // Per port, so a stack on other ports (tests beside CI) keeps its own provider.
  logFile: join(dir, `oidc-${OIDC_PORT}.log`),
  pidFile: join(dir, `pid-${OIDC_PORT}`),
  marker: PROVIDER,
  startTimeoutMs: 30_000,
  minJava: 0,
  install: async () => void mkdirSync(dir, { recursive: true }),
  launch: () => ({
    command: process.execPath,
    cwd: REPO_ROOT,
    args: [PROVIDER, '--port', String(OIDC_PORT), '--host', HOST],
  }),
  isHealthy: providerAnswers,
};
