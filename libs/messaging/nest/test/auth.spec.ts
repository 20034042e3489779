import { Body, Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT } from 'jose';

import { createLogger, TransientError } from '@throughline/platform';

import {
  ALL_SCOPES,
  ApiKeyStore,
  assertActor,
  AuthenticationError,
  Caller,
  createAuthGuard,
  generateApiKey,
  HttpErrorFilter,
  JwtVerifier,
  MetricsAccess,
  Principal,
  PublicProbe,
  RequireScope,
  SignatureAuthenticated,
} from '../src';
import { anonymousFetch, IdentityProvider, oidcConfig, startTestIdentityProvider } from '../src/testing';

jest.setTimeout(60_000);

@Controller('probe')
@PublicProbe('test probe')
class ProbeController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller('signed')
@SignatureAuthenticated('checked by the handler')
class SignedController {
  @Post()
  post() {
    return { ok: true };
  }
}

@Controller('things')
class ThingsController {
  @RequireScope('billing:close')
  @Post('close')
  close(@Body() body: { closedBy: string }, @Caller() caller: Principal | undefined) {
    assertActor(caller, body.closedBy, 'closedBy');
    return { closedBy: body.closedBy, caller: caller?.subject };
  }

  @RequireScope('reports:read')
  @Get()
  list(@Caller() caller: Principal | undefined) {
    return { caller: caller?.subject, kind: caller?.kind };
  }

  /** Declares nothing: refused. */
  @Get('undeclared')
  undeclared() {
    return { leaked: true };
  }
}

@Module({ controllers: [ProbeController, SignedController, ThingsController] })
class TestModule {}

describe('authentication and scopes (real OpenID Connect provider)', () => {
  let provider: IdentityProvider;
  let app: INestApplication;
  let url: string;
  const reportsKey = generateApiKey('netsuite', ['reports:read']);
  const rotatedKey = generateApiKey('netsuite', ['reports:read']);
  const expiredKey = generateApiKey('legacy', ['reports:read'], '2020-01-01T00:00:00Z');

  beforeAll(async () => {
    provider = await startTestIdentityProvider();
    const env = {
      ...process.env,
      AUTH_API_KEYS: JSON.stringify({ keys: [reportsKey.entry, rotatedKey.entry, expiredKey.entry] }),
    };
    app = await NestFactory.create(TestModule, { logger: false });
    const logger = createLogger('auth-test', 'silent');
    app.useGlobalFilters(new HttpErrorFilter(logger));
    app.useGlobalGuards(createAuthGuard(app, logger, env));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app?.close());

  const call = (path: string, headers: Record<string, string> = {}, body?: unknown) =>
    anonymousFetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const bearer = async (scopes: string[], client?: string) => ({
    authorization: `Bearer ${await provider.token(scopes, client)}`,
  });

  it('answers 401 with WWW-Authenticate: Bearer and problem+json when no credential is sent', async () => {
    const response = await call('/things');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="throughline", error="invalid_request"/,
    );
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      type: 'urn:throughline:problem:unauthenticated',
      status: 401,
    });
  });

  it('answers 401 for a malformed token and an unknown scheme', async () => {
    expect((await call('/things', { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
    expect((await call('/things', { authorization: 'Basic dXNlcjpwdw==' })).status).toBe(401);
  });

  it('accepts a real token with the scope and exposes the caller', async () => {
    const response = await call('/things', await bearer(['reports:read']));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ caller: 'throughline-tests', kind: 'jwt' });
  });

  it('answers 403 naming the scope when the token lacks it', async () => {
    const response = await call('/things', await bearer(['finance:read']));
    expect(response.status).toBe(403);
    const problem = (await response.json()) as { detail: string; requiredScopes: string[] };
    expect(problem.detail).toBe('this route needs the scope reports:read');
    expect(problem.requiredScopes).toEqual(['reports:read']);
  });

  it('refuses a route that declares no scope, even with every scope (deny by default)', async () => {
    const response = await call('/things/undeclared', await bearer(['reports:read', 'billing:close']));
    expect(response.status).toBe(403);
  });

  it('lets probes and signature-authenticated routes through without a bearer token', async () => {
    expect((await call('/probe')).status).toBe(200);
    expect((await call('/signed', {}, {})).status).toBe(201);
  });

  it('takes the actor from the credential: closedBy must be the caller or someone it acts for', async () => {
    // throughline-ops has no on_behalf_of claim: it may only name itself.
    const ops = await bearer(['billing:close'], 'throughline-tests').catch(() => undefined);
    expect(ops).toBeDefined();
    const opsOnly = { authorization: `Bearer ${await provider.token(['ops:read'], 'throughline-ops')}` };
    expect((await call('/things', opsOnly)).status).toBe(403);
    const refused = () => assertActor(principal('throughline-ops', []), 'alice', 'closedBy');
    expect(refused).toThrow(
      'closedBy "alice" is neither the caller (throughline-ops) nor someone it may act for',
    );
    expect(() => assertActor(principal('svc', ['alice']), 'alice', 'closedBy')).not.toThrow();
    expect(() => assertActor(principal('alice', []), 'alice', 'closedBy')).not.toThrow();
    // The tests client acts for anyone ("*" in tools/oidc/clients.json).
    const response = await call('/things/close', await bearer(['billing:close']), {
      closedBy: 'controller-7',
    });
    expect(response.status).toBe(201);
  });

  it('accepts per-integration API keys (rotated ones too) with their own scopes; refuses unknown and expired keys', async () => {
    for (const { key } of [reportsKey, rotatedKey]) {
      const response = await call('/things', { authorization: `ApiKey ${key}` });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ caller: 'api-key:netsuite', kind: 'api-key' });
      expect((await call('/things', { 'x-api-key': key })).status).toBe(200);
    }
    expect((await call('/things/close', { 'x-api-key': reportsKey.key }, { closedBy: 'x' })).status).toBe(
      403,
    );
    expect((await call('/things', { 'x-api-key': `${reportsKey.key}x` })).status).toBe(401);
    const expired = await call('/things', { 'x-api-key': expiredKey.key });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toBe('API key refused: expired');
  });
});

function principal(subject: string, onBehalfOf: string[]): Principal {
  return { kind: 'jwt', subject, onBehalfOf, scopes: new Set() };
}

describe('JwtVerifier', () => {
  let server: Server;
  let jwksUrl: string;
  let sign: (claims: Record<string, unknown>, options?: { expiresIn?: string | number }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_, response) => response.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    void other;
    signWithOther = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setExpirationTime('5m')
        .sign(other.privateKey);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  let signWithOther: (claims: Record<string, unknown>) => Promise<string>;

  const verifier = () =>
    new JwtVerifier({
      issuer: 'https://idp.example',
      audience: 'urn:throughline:api',
      jwksUrl,
      clockToleranceSeconds: 0,
    });
  const good = { iss: 'https://idp.example', aud: 'urn:throughline:api', sub: 'svc-1' };

  it('reads scopes from scope (space-separated) and scp (array), and on_behalf_of', async () => {
    const principal = await verifier().verify(
      await sign({ ...good, scope: 'a:b c:d', scp: ['e:f'], client_id: 'svc-1', on_behalf_of: 'alice' }),
    );
    expect([...principal.scopes].sort()).toEqual(['a:b', 'c:d', 'e:f']);
    expect(principal).toMatchObject({ subject: 'svc-1', clientId: 'svc-1', onBehalfOf: ['alice'] });
  });

  it.each([
    ['another issuer', { ...good, iss: 'https://evil.example' }, /claim "iss"/],
    ['another audience', { ...good, aud: 'urn:other' }, /claim "aud"/],
    ['no subject', { iss: good.iss, aud: good.aud }, /claim "sub"/],
  ])('refuses a token of %s', async (_, claims, message) => {
    await expect(verifier().verify(await sign(claims))).rejects.toThrow(message);
  });

  it('refuses an expired token and one signed by another key', async () => {
    await expect(
      verifier().verify(await sign(good, { expiresIn: Math.floor(Date.now() / 1000) - 10 })),
    ).rejects.toThrow('the token has expired');
    const forged = verifier().verify(await signWithOther(good));
    await expect(forged).rejects.toBeInstanceOf(AuthenticationError);
    await expect(verifier().verify(await signWithOther(good))).rejects.toThrow(
      'the signature does not verify',
    );
  });
});

@Controller('metrics')
@MetricsAccess()
class FakeMetricsController {
  @Get()
  get() {
    return 'up 1';
  }
}

@Module({ controllers: [FakeMetricsController] })
class MetricsModule {}

describe('/metrics access (METRICS_AUTH)', () => {
  async function serve(metricsAuth: string): Promise<{ app: INestApplication; url: string }> {
    const app = await NestFactory.create(MetricsModule, { logger: false });
    const logger = createLogger('auth-test', 'silent');
    app.useGlobalFilters(new HttpErrorFilter(logger));
    app.useGlobalGuards(createAuthGuard(app, logger, { ...process.env, METRICS_AUTH: metricsAuth }));
    await app.listen(0, '127.0.0.1');
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  }

  it('is open by default and needs metrics:read with METRICS_AUTH=scope', async () => {
    const provider = await startTestIdentityProvider();
    const open = await serve('public');
    const scoped = await serve('scope');
    try {
      expect((await anonymousFetch(`${open.url}/metrics`)).status).toBe(200);
      expect((await anonymousFetch(`${scoped.url}/metrics`)).status).toBe(401);
      const reports = `Bearer ${await provider.token(['reports:read'])}`;
      expect(
        (await anonymousFetch(`${scoped.url}/metrics`, { headers: { authorization: reports } })).status,
      ).toBe(403);
      const metrics = `Bearer ${await provider.token(['metrics:read'])}`;
      expect(
        (await anonymousFetch(`${scoped.url}/metrics`, { headers: { authorization: metrics } })).status,
      ).toBe(200);
    } finally {
      await open.app.close();
      await scoped.app.close();
    }
  });
});

describe('rate limits per client (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST)', () => {
  it('answers 429 with Retry-After once a client has used its burst, without slowing other clients', async () => {
    const provider = await startTestIdentityProvider();
    const app = await NestFactory.create(TestModule, { logger: false });
    const logger = createLogger('auth-test', 'silent');
    app.useGlobalFilters(new HttpErrorFilter(logger));
    app.useGlobalGuards(
      createAuthGuard(app, logger, { ...process.env, RATE_LIMIT_PER_SECOND: '0.5', RATE_LIMIT_BURST: '2' }),
    );
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    try {
      const get = async (client: string) =>
        anonymousFetch(`${url}/things`, {
          headers: { authorization: `Bearer ${await provider.token(['reports:read'], client)}` },
        });
      expect((await get('throughline-tests')).status).toBe(200);
      expect((await get('throughline-tests')).status).toBe(200);
      const refused = await get('throughline-tests');
      expect(refused.status).toBe(429);
      // The next token comes back in 1 / 0.5 = 2 s.
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await refused.json()).toMatchObject({
        type: 'urn:throughline:problem:too-many-requests',
        status: 429,
        detail: expect.stringContaining('throughline-tests'),
      });
      expect((await get('throughline-tests-delegate')).status).toBe(200);
      // Probes are never limited.
      expect((await anonymousFetch(`${url}/probe`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('JwtVerifier when the key set of the issuer is unavailable', () => {
  it('fails with a TransientError (answered 503), not 401, when the JWKS URL does not answer or answers 500', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ iss: 'https://idp.example', aud: 'a', sub: 's' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const down = new JwtVerifier({
      issuer: 'https://idp.example',
      audience: 'a',
      jwksUrl: 'http://127.0.0.1:1/jwks',
    });
    await expect(down.verify(token)).rejects.toBeInstanceOf(TransientError);
    const server = createServer((_, response) => {
      response.statusCode = 500;
      response.end('oops');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const broken = new JwtVerifier({
        issuer: 'https://idp.example',
        audience: 'a',
        jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
      });
      await expect(broken.verify(token)).rejects.toBeInstanceOf(TransientError);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the scope list', () => {
  it('is the same in SCOPES and in the clients.json of the local provider', () => {
    expect([...oidcConfig().scopes].sort()).toEqual([...ALL_SCOPES].sort());
  });
});

describe('ApiKeyStore', () => {
  it('checks the configured file format and names the bad field', () => {
    expect(() =>
      ApiKeyStore.fromConfig(
        JSON.stringify({ keys: [{ integration: 'x', id: 'k', sha256: 'nothex', scopes: ['a'] }] }),
        undefined,
      ),
    ).toThrow('AUTH_API_KEYS: keys.0.sha256: 64 lower-case hex digits');
  });
});
