import { z } from 'zod';

import { loadConfig } from '@throughline/platform';

import { ApiKeyStore, Authenticator } from './authenticator';
import { RateLimiter } from './rate-limiter';

export const authConfigShape = {
  /** The OpenID Connect issuer whose tokens are accepted, e.g. http://127.0.0.1:8090 (local provider). */
  AUTH_ISSUER: z.string().url().optional(),
  /** The `aud` every token must carry. */
  AUTH_AUDIENCE: z.string().min(1).default('urn:throughline:api'),
  /** The issuer's key set; default `<AUTH_ISSUER>/jwks` (the local provider's path). */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** API keys, inline JSON `{ "keys": [...] }` (see README). */
  AUTH_API_KEYS: z.string().optional(),
  /** API keys file, same format. */
  AUTH_API_KEYS_FILE: z.string().optional(),
  /** `public`: /metrics needs no credential (default); `scope`: it needs metrics:read. */
  METRICS_AUTH: z.enum(['public', 'scope']).default('public'),
  /** Requests per second each client (credential subject) may send to one service instance... */
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(200),
  /** ...and how many at once after a quiet spell; beyond them: 429 with Retry-After. */
  RATE_LIMIT_BURST: z.coerce.number().int().positive().default(2_000),
};

export interface AuthConfig {
  authenticator: Authenticator;
  metricsPublic: boolean;
  rateLimiter: RateLimiter;
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const config = loadConfig(authConfigShape, env);
  const issuer = config.AUTH_ISSUER?.replace(/\/$/, '');
  return {
    authenticator: new Authenticator({
      jwt: issuer
        ? { issuer, audience: config.AUTH_AUDIENCE, jwksUrl: config.AUTH_JWKS_URL ?? `${issuer}/jwks` }
        : undefined,
      apiKeys: ApiKeyStore.fromConfig(config.AUTH_API_KEYS, config.AUTH_API_KEYS_FILE),
    }),
    metricsPublic: config.METRICS_AUTH === 'public',
    rateLimiter: new RateLimiter({ perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST }),
  };
}
