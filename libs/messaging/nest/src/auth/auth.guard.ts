import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';

import { Logger } from '@throughline/platform';

import { HttpProblem } from '../problem';
import { AuthenticationError, Authenticator, Principal } from './authenticator';
import { RateLimiter } from './rate-limiter';
import { Scope } from './scopes';

/** How a route is authorised; every HTTP route must declare one (deny by default). */
export type RouteAccess =
  | { kind: 'scope'; scopes: readonly Scope[] }
  | { kind: 'public'; reason: string }
  | { kind: 'signature'; reason: string }
  | { kind: 'metrics' };

export const ROUTE_ACCESS = 'throughline:route-access';

/** The route needs a credential carrying every scope named (usually one). On a class: every route of it. */
export const RequireScope = (...scopes: [Scope, ...Scope[]]) =>
  SetMetadata(ROUTE_ACCESS, { kind: 'scope', scopes } satisfies RouteAccess);

/** No credential: only for health and readiness probes. */
export const PublicProbe = (reason: string) =>
  SetMetadata(ROUTE_ACCESS, { kind: 'public', reason } satisfies RouteAccess);

/** Authenticated by the request's signature (checked in the handler), not by a bearer token. */
export const SignatureAuthenticated = (reason: string) =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'signature', reason } satisfies RouteAccess));

/** `/metrics`: public or `metrics:read`, as METRICS_AUTH says. */
export const MetricsAccess = () => SetMetadata(ROUTE_ACCESS, { kind: 'metrics' } satisfies RouteAccess);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The verified caller of a scoped route (undefined on public and signature routes). */
export const Caller = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

/**
 * An actor named in a body (approvedBy, closedBy, …) must be the caller's subject or one it acts
 * for (the token's `on_behalf_of` claim); else 403.
 */
export function assertActor(principal: Principal | undefined, actor: string, field: string): void {
  if (!principal) throw new HttpProblem(401, 'unauthenticated', 'no credential');
  if (actor === principal.subject || principal.onBehalfOf.includes(actor)) return;
  // "*": a system client the issuer trusts to act for any user (the demo, the test suite).
  if (principal.onBehalfOf.includes('*')) return;
  throw new HttpProblem(
    403,
    'actor-mismatch',
    `${field} "${actor}" is neither the caller (${principal.subject}) nor someone it may act for (on_behalf_of)`,
    [{ field, detail: 'must match the credential' }],
  );
}

/**
 * Who makes a state change through the API, as its events record it (`recordedBy`, `upsertedBy`,
 * `issuedBy`, `changedBy`, …): the verified caller's subject. Where the body names the actor
 * instead (approvedBy, closedBy, completedBy), check it with assertActor and record that value.
 */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) throw new HttpProblem(401, 'unauthenticated', 'no credential');
  return principal.subject;
}

export function routeAccessOf(reflector: Reflector, context: ExecutionContext): RouteAccess | undefined {
  return reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
    context.getHandler(),
    context.getClass(),
  ]);
}

export interface AuthGuardOptions {
  authenticator: Authenticator;
  metricsPublic: boolean;
  /** Per verified client; unauthenticated requests are refused before it. */
  rateLimiter?: RateLimiter;
  logger: Logger;
}

/**
 * Global guard: authenticates the caller and checks the route's scope. Deny by default: a route
 * without a declaration is refused (and the architecture test fails).
 */
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly options: AuthGuardOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers: authenticated by the broker.
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const access = routeAccessOf(this.reflector, context);
    if (!access) {
      this.options.logger.error({ path: request.path }, 'route declares no scope: refused');
      throw new HttpProblem(
        403,
        'insufficient-scope',
        'this route declares no scope and is refused (deny by default)',
      );
    }
    if (access.kind === 'public' || access.kind === 'signature') return true;
    if (access.kind === 'metrics' && this.options.metricsPublic) return true;
    const scopes: readonly string[] = access.kind === 'metrics' ? ['metrics:read'] : access.scopes;
    let principal: Principal;
    try {
      principal = await this.options.authenticator.authenticate(request.headers as Record<string, string>);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      response.setHeader(
        'www-authenticate',
        `Bearer realm="throughline", error="${error.code}", error_description="${error.message.replace(/["\\]/g, "'")}"`,
      );
      throw new HttpProblem(401, 'unauthenticated', error.message);
    }
    const missing = scopes.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      response.setHeader(
        'www-authenticate',
        `Bearer realm="throughline", error="insufficient_scope", scope="${scopes.join(' ')}"`,
      );
      throw new HttpProblem(
        403,
        'insufficient-scope',
        `this route needs the scope ${missing.join(' ')}`,
        [],
        {
          requiredScopes: scopes,
        },
      );
    }
    const rate = this.options.rateLimiter?.take(principal.subject);
    if (rate && !rate.allowed) {
      response.setHeader('retry-after', String(rate.retryAfterSeconds));
      throw new HttpProblem(
        429,
        'too-many-requests',
        `${principal.subject} sent more requests than this service takes from one client; retry after ${rate.retryAfterSeconds} s`,
      );
    }
    request.principal = principal;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.options.logger.info(
        {
          actor: principal.subject,
          onBehalfOf: principal.onBehalfOf,
          credential: principal.kind,
          method: request.method,
          path: request.path,
        },
        'authorised state change',
      );
    }
    return true;
  }
}
