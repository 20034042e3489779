import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { createRemoteJWKSet, errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import { z } from 'zod';

import { TransientError } from '@throughline/platform';

/** Who is calling, taken from a verified credential only. */
export interface Principal {
  kind: 'jwt' | 'api-key';
  /** `sub` of the token (client credentials: the client id), or `api-key:<integration>`. */
  subject: string;
  clientId?: string;
  /** Subjects the caller may act for (the token's `on_behalf_of` claim: a string or a list). */
  onBehalfOf: readonly string[];
  scopes: ReadonlySet<string>;
  /** API keys: which key (rotation); JWT: the token id if any. */
  credentialId?: string;
}

/** Why a credential was refused: answered 401 with WWW-Authenticate. */
export class AuthenticationError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid_request' | 'invalid_token' = 'invalid_token',
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface JwtOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  clockToleranceSeconds?: number;
}

/** Scopes of a token: the `scope` claim (space-separated) and the `scp` claim (array or string). */
export function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string')
      value
        .split(' ')
        .filter(Boolean)
        .forEach((s) => scopes.add(s));
    else if (Array.isArray(value)) value.filter((s) => typeof s === 'string').forEach((s) => add(s));
  };
  add(payload['scope']);
  add(payload['scp']);
  return scopes;
}

function onBehalfOfOf(payload: JWTPayload): string[] {
  const value = payload['on_behalf_of'];
  if (typeof value === 'string' && value) return [value];
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/** Verifies OAuth 2.0 bearer JWTs against the issuer's JWKS (fetched and cached, refreshed on an unknown key id). */
export class JwtVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: JwtOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000 });
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      if (keySetUnavailable(error)) {
        // The issuer's key set could not be fetched: not the caller's fault (503, retry later).
        throw new TransientError(`the issuer's key set (${this.options.jwksUrl}) is unavailable`, {
          cause: error,
        });
      }
      if (error instanceof joseErrors.JOSEError) {
        throw new AuthenticationError(`bearer token refused: ${describeJoseError(error)}`);
      }
      throw error;
    }
    const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
    return {
      kind: 'jwt',
      subject: payload.sub as string,
      clientId,
      onBehalfOf: onBehalfOfOf(payload),
      scopes: scopesOf(payload),
      credentialId: payload.jti,
    };
  }
}

function keySetUnavailable(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout) return true;
  // fetch failed (a TypeError, possibly of another realm)
  if (!(error instanceof joseErrors.JOSEError)) return (error as Error | undefined)?.name === 'TypeError';
  // Not JSON or not 200 from the JWKS URL: jose reports these as plain JOSEError.
  return error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(error.message);
}

function describeJoseError(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim "${error.claim}" ${error.reason}`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  return 'the token is malformed or not signed by the issuer';
}

/**
 * Per-integration API keys, for systems that cannot do OAuth. A key is `tlk_<id>_<secret>`; only the
 * SHA-256 (hex) of the whole key is configured. Several keys may be active per integration
 * (rotation: add the new one, move the client, remove the old), each with its own scopes and an
 * optional expiry.
 */
export const apiKeyEntry = z.object({
  integration: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  id: z.string().regex(/^[A-Za-z0-9]{1,32}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  scopes: z.array(z.string().min(1)).min(1),
  expiresAt: z.string().datetime({ offset: true }).optional(),
});
export const apiKeysFile = z.object({ keys: z.array(apiKeyEntry) });
export type ApiKeyEntry = z.infer<typeof apiKeyEntry>;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key and the entry to configure for it (`npm run ops -- ...` is not needed: see README). */
export function generateApiKey(
  integration: string,
  scopes: string[],
  expiresAt?: string,
): { key: string; entry: ApiKeyEntry } {
  const id = randomBytes(6).toString('hex');
  const key = `tlk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, entry: apiKeyEntry.parse({ integration, id, sha256: hashApiKey(key), scopes, expiresAt }) };
}

export class ApiKeyStore {
  constructor(
    private readonly entries: readonly ApiKeyEntry[],
    private readonly now: () => number = Date.now,
  ) {}

  /** From AUTH_API_KEYS (inline JSON) and/or AUTH_API_KEYS_FILE (a JSON file), both `{ "keys": [...] }`. */
  static fromConfig(inline: string | undefined, file: string | undefined): ApiKeyStore {
    const entries: ApiKeyEntry[] = [];
    const load = (text: string, where: string) => {
      const parsed = apiKeysFile.safeParse(JSON.parse(text));
      if (!parsed.success) {
        throw new Error(
          `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      entries.push(...parsed.data.keys);
    };
    if (inline) load(inline, 'AUTH_API_KEYS');
    if (file) load(readFileSync(file, 'utf8'), `AUTH_API_KEYS_FILE ${file}`);
    return new ApiKeyStore(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  verify(key: string): Principal {
    const presented = Buffer.from(hashApiKey(key), 'hex');
    let match: ApiKeyEntry | undefined;
    // Compare against every entry, in constant time each, so timing does not tell which one is close.
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, Buffer.from(entry.sha256, 'hex')) && !match) match = entry;
    }
    if (!match) throw new AuthenticationError('API key refused: unknown or revoked');
    if (match.expiresAt && Date.parse(match.expiresAt) <= this.now()) {
      throw new AuthenticationError('API key refused: expired');
    }
    return {
      kind: 'api-key',
      subject: `api-key:${match.integration}`,
      clientId: match.integration,
      onBehalfOf: [],
      scopes: new Set(match.scopes),
      credentialId: match.id,
    };
  }
}

export interface AuthenticatorOptions {
  jwt?: JwtOptions;
  apiKeys?: ApiKeyStore;
}

/** Reads `Authorization: Bearer <jwt>` or `Authorization: ApiKey <key>` (also `X-Api-Key: <key>`). */
export class Authenticator {
  private readonly jwt?: JwtVerifier;

  constructor(private readonly options: AuthenticatorOptions) {
    if (options.jwt) this.jwt = new JwtVerifier(options.jwt);
  }

  async authenticate(headers: {
    authorization?: string;
    'x-api-key'?: string | string[];
  }): Promise<Principal> {
    const authorization = headers.authorization?.trim();
    const apiKeyHeader = headers['x-api-key'];
    if (!authorization && !apiKeyHeader)
      throw new AuthenticationError('no credential: send a bearer token', 'invalid_request');
    if (authorization) {
      const [scheme, credential, ...rest] = authorization.split(/\s+/);
      if (!credential || rest.length > 0)
        throw new AuthenticationError('malformed Authorization header', 'invalid_request');
      if (/^bearer$/i.test(scheme ?? '')) {
        if (!this.jwt) throw new AuthenticationError('bearer tokens are not configured (AUTH_ISSUER)');
        return this.jwt.verify(credential);
      }
      if (/^apikey$/i.test(scheme ?? '')) return this.verifyApiKey(credential);
      throw new AuthenticationError(`unsupported authorization scheme "${scheme}"`, 'invalid_request');
    }
    if (Array.isArray(apiKeyHeader))
      throw new AuthenticationError('several X-Api-Key headers', 'invalid_request');
    return this.verifyApiKey(apiKeyHeader as string);
  }

  private verifyApiKey(key: string): Principal {
    if (!this.options.apiKeys || this.options.apiKeys.size === 0)
      throw new AuthenticationError('API key refused: unknown or revoked');
    return this.options.apiKeys.verify(key);
  }
}
