import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository's local OpenID Connect provider and its clients (tools/oidc). */
export const OIDC_DIR = join(__dirname, '../../../../../tools/oidc');

interface OidcClient {
  client_id: string;
  client_secret: string;
  scopes: string[] | '*';
}
interface OidcConfig {
  audience: string;
  scopes: string[];
  clients: OidcClient[];
}

export function oidcConfig(): OidcConfig {
  return JSON.parse(readFileSync(join(OIDC_DIR, 'clients.json'), 'utf8')) as OidcConfig;
}

export interface IdentityProvider {
  issuer: string;
  /** A real access token from the provider's token endpoint (client credentials), cached until near expiry. */
  token(scopes?: readonly string[], clientId?: string): Promise<string>;
}

let started: Promise<IdentityProvider> | undefined;
let child: ChildProcess | undefined;

/** Providers still running in this process, across Jest's per-file module registries: one exit hook. */
const RUNNING = Symbol.for('throughline.testIdentityProviders');
function killOnExit(provider: ChildProcess): void {
  const global = globalThis as { [RUNNING]?: Set<ChildProcess> };
  if (!global[RUNNING]) {
    const running = new Set<ChildProcess>();
    global[RUNNING] = running;
    process.once('exit', () => running.forEach((p) => p.kill()));
  }
  const running = global[RUNNING];
  running.add(provider);
  provider.once('exit', () => running.delete(provider));
}

/**
 * Starts the real provider (tools/oidc/provider.mjs) once per process on a free port and points this
 * process's services (and the child processes it starts) at it (AUTH_ISSUER, AUTH_AUDIENCE). Services
 * verify its tokens against its JWKS: no bypass. Used by the tests, the demo, the e2e and fault
 * suites and the benches.
 *
 * With `useConfiguredIssuer` and AUTH_ISSUER set (the stack's provider, or an external IdP), that
 * issuer is used instead, with the client OIDC_CLIENT_ID / OIDC_CLIENT_SECRET (default: the demo
 * client of tools/oidc/clients.json) and token endpoint OIDC_TOKEN_URL (default `<issuer>/token`).
 */
export function startTestIdentityProvider(
  options: { useConfiguredIssuer?: boolean } = {},
): Promise<IdentityProvider> {
  started ??= (async () => {
    const configured = process.env['AUTH_ISSUER'];
    if (options.useConfiguredIssuer && configured) {
      const clientId = process.env['OIDC_CLIENT_ID'] ?? 'throughline-demo';
      const secret = process.env['OIDC_CLIENT_SECRET'];
      const tokenUrl = process.env['OIDC_TOKEN_URL'];
      return {
        issuer: configured,
        token: (scopes, client) => fetchToken(configured, scopes, client ?? clientId, { secret, tokenUrl }),
      };
    }
    const process_ = spawn(process.execPath, [join(OIDC_DIR, 'provider.mjs'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = process_;
    killOnExit(process_);
    const issuer = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      process_.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      process_.once('exit', (code) => reject(new Error(`oidc provider exited ${code}: ${stderr}`)));
      createInterface({ input: process_.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.startsWith('{')) resolve((JSON.parse(line) as { issuer: string }).issuer);
      });
    });
    process_.unref();
    (process_.stdout as unknown as { unref?: () => void }).unref?.();
    (process_.stderr as unknown as { unref?: () => void }).unref?.();
    process.env['AUTH_ISSUER'] = issuer;
    process.env['AUTH_AUDIENCE'] = oidcConfig().audience;
    delete process.env['AUTH_JWKS_URL'];
    return { issuer, token: (scopes, clientId) => fetchToken(issuer, scopes, clientId) };
  })();
  return started;
}

/**
 * Stops the provider this process started, if any (the shared Jest setup calls it after each test
 * file, so a long run does not collect one provider process per file).
 */
export async function stopTestIdentityProvider(): Promise<void> {
  const running = child;
  child = undefined;
  started = undefined;
  tokens.clear();
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
  running.kill('SIGTERM');
  await exited;
}

const tokens = new Map<string, { token: string; expiresAt: number }>();

export async function fetchToken(
  issuer: string,
  scopes?: readonly string[],
  clientId = 'throughline-tests',
  external: { secret?: string; tokenUrl?: string } = {},
): Promise<string> {
  const config = oidcConfig();
  const client = config.clients.find((c) => c.client_id === clientId) ?? {
    client_id: clientId,
    client_secret: external.secret ?? '',
    scopes: '*',
  };
  if (external.secret) client.client_secret = external.secret;
  const wanted = scopes ?? (client.scopes === '*' ? config.scopes : client.scopes);
  const key = `${issuer} ${clientId} ${wanted.join(' ')}`;
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
  const response = await ORIGINAL_FETCH(external.tokenUrl ?? `${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: wanted.join(' ') }).toString(),
  });
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error_description?: string;
  };
  if (!response.ok || !body.access_token)
    throw new Error(`token request refused: ${body.error_description ?? response.status}`);
  tokens.set(key, { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 });
  return body.access_token;
}

/** fetch as it was before test services were registered: sends no credential of its own. */
export const ORIGINAL_FETCH: typeof fetch = globalThis.fetch.bind(globalThis);

/** Alias for tests that check what an anonymous caller gets. */
export const anonymousFetch = ORIGINAL_FETCH;

const serviceOrigins = new Set<string>();

/**
 * Requests from this test process to a registered test service carry a real token with every scope
 * (unless the request already names a credential), so each service's HTTP tests keep working under
 * deny-by-default without each test fetching tokens. The services still verify the token.
 */
export function sendTestCredentialsTo(url: string, provider: IdentityProvider): void {
  serviceOrigins.add(new URL(url).origin);
  if ((globalThis.fetch as { throughlineTestCredentials?: boolean }).throughlineTestCredentials) return;
  const authenticated = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let origin: string | undefined;
    try {
      origin = new URL(target).origin;
    } catch {
      origin = undefined;
    }
    if (origin && serviceOrigins.has(origin)) {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (!headers.has('authorization') && !headers.has('x-api-key')) {
        headers.set('authorization', `Bearer ${await provider.token()}`);
        return ORIGINAL_FETCH(input, { ...init, headers });
      }
    }
    return ORIGINAL_FETCH(input, init);
  };
  globalThis.fetch = Object.assign(authenticated, { throughlineTestCredentials: true }) as typeof fetch;
}

/** `Bearer <token>` for raw node:http requests in tests (fetch to a test service gets one on its own). */
export async function testAuthorization(scopes?: readonly string[], clientId?: string): Promise<string> {
  return `Bearer ${await (await startTestIdentityProvider()).token(scopes, clientId)}`;
}

/**
 * The subject (`sub`) of the token tests send as `clientId` (default: the one fetch to a test
 * service adds), i.e. the actor a state change made with it records.
 */
export async function testSubject(clientId?: string): Promise<string> {
  const token = await (await startTestIdentityProvider()).token(undefined, clientId);
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sub?: unknown;
  };
  if (typeof payload.sub !== 'string') throw new Error('the test token carries no sub');
  return payload.sub;
}
