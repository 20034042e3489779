import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { relative } from 'node:path';

import { ALL_SCOPES, createAuthGuard, HttpErrorFilter } from '@throughline/messaging-nest';
import {
  anonymousFetch,
  IdentityProvider,
  startTestIdentityProvider,
} from '@throughline/messaging-nest/testing';
import { createLogger } from '@throughline/platform';

import { REPO_ROOT } from '../stack/config';
import { discoverRoutes, Route } from './routes';

jest.setTimeout(300_000);

/** Any dependency a controller asks for: every property is a function answering another such thing. */
function anything(): unknown {
  const target = function () {
    return undefined;
  };
  return new Proxy(target, {
    get: (_, property) => (property === 'then' ? undefined : anything()),
    apply: () => Promise.resolve(anything()),
  });
}

function neededScopes(route: Route): string[] {
  return route.access?.kind === 'scope' ? [...route.access.scopes] : [];
}

const routes = discoverRoutes();
const scoped = routes.filter((route) => route.access?.kind === 'scope');

/**
 * The authorisation matrix of issue #11: every HTTP route of every service (found from the Nest
 * metadata of the controllers under apps/* /src/interface, so a new route cannot escape it) ×
 * {no credential → 401, every scope but the needed one → 403, the needed scope → neither}, with real
 * tokens of the local OpenID Connect provider. Services' dependencies are mocked: the guard runs
 * before them, and "right scope" only has to get past it.
 */
describe('authorisation matrix: every route of every service', () => {
  let provider: IdentityProvider;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    provider = await startTestIdentityProvider();
    const controllers = [...new Set(routes.map((route) => route.controller))];
    const module = await Test.createTestingModule({ controllers })
      .useMocker(() => anything())
      .compile();
    app = module.createNestApplication({ logger: false });
    const logger = createLogger('route-matrix', 'silent');
    app.useGlobalFilters(new HttpErrorFilter(logger));
    app.useGlobalGuards(createAuthGuard(app, logger));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app?.close());

  it('finds the routes of every service with HTTP controllers', () => {
    const apps = new Set(routes.map((route) => route.app));
    for (const app of [
      'billing',
      'contract',
      'ingress',
      'outbound',
      'project',
      'reporting',
      'sla',
      'staffing',
    ]) {
      expect(apps).toContain(app);
    }
    expect(routes.length).toBeGreaterThanOrEqual(50);
  });

  it('every route declares its access (deny by default): a scope, or a signature for the CRM webhooks', () => {
    const undeclared = routes.filter((route) => !route.access).map((r) => `${r.app} ${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
    const unknownScopes = scoped.flatMap((route) =>
      neededScopes(route).filter((scope) => !(ALL_SCOPES as string[]).includes(scope)),
    );
    expect(unknownScopes).toEqual([]);
    const others = routes.filter((route) => route.access && route.access.kind !== 'scope');
    expect(others.map((r) => `${r.app} ${r.method} ${r.path} ${r.access?.kind}`).sort()).toEqual([
      'ingress POST /webhooks/hubspot signature',
      'ingress POST /webhooks/salesforce signature',
    ]);
  });

  const request = (route: Route, authorization?: string) =>
    anonymousFetch(`${url}${route.path.replace(/:[A-Za-z]+/g, 'x1')}`, {
      method: route.method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(route.method === 'GET' || route.method === 'DELETE'
          ? {}
          : { 'content-type': 'application/json' }),
      },
      body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
    });

  it.each(scoped.map((route) => [`${route.app} ${route.method} ${route.path}`, route] as const))(
    '%s: no credential 401, wrong scope 403, right scope passes',
    async (_, route) => {
      const needed = neededScopes(route);
      const anonymous = await request(route);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const others = ALL_SCOPES.filter((scope) => !needed.includes(scope));
      const wrong = await request(route, `Bearer ${await provider.token(others)}`);
      expect(wrong.status).toBe(403);
      expect(((await wrong.json()) as { requiredScopes: string[] }).requiredScopes).toEqual(needed);
      const right = await request(route, `Bearer ${await provider.token(needed)}`);
      expect([401, 403]).not.toContain(right.status);
    },
  );

  afterAll(() => {
    // The figures for the issue's closing note.
    console.log(
      JSON.stringify({
        routes: routes.length,
        scoped: scoped.length,
        signature: routes.length - scoped.length,
        cases: scoped.length * 3,
        file: relative(REPO_ROOT, __filename),
      }),
    );
  });
});
