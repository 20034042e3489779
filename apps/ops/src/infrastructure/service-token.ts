/**
 * The ops CLI's credential for the services' HTTP APIs (deny by default): an API key
 * (OPS_API_KEY), or an OAuth 2.0 client-credentials token from the issuer (AUTH_ISSUER, token
 * endpoint OIDC_TOKEN_URL default `<issuer>/token`) for OIDC_CLIENT_ID / OIDC_CLIENT_SECRET
 * (the `throughline-ops` client of tools/oidc/clients.json locally).
 */
export type Authorization = () => Promise<string | undefined>;

export const OPS_SCOPES = ['contract:read', 'project:read', 'finance:read', 'reports:read'];

export function authorizationFrom(env: NodeJS.ProcessEnv): Authorization {
  const apiKey = env['OPS_API_KEY'];
  if (apiKey) return async () => `ApiKey ${apiKey}`;
  const issuer = env['AUTH_ISSUER']?.replace(/\/$/, '');
  const clientId = env['OIDC_CLIENT_ID'] ?? 'throughline-ops';
  const secret = env['OIDC_CLIENT_SECRET'];
  if (!issuer || !secret) return async () => undefined;
  const tokenUrl = env['OIDC_TOKEN_URL'] ?? `${issuer}/token`;
  let token: Promise<string> | undefined;
  return () =>
    (token ??= (async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: OPS_SCOPES.join(' '),
        }).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await response.json().catch(() => ({}))) as {
        access_token?: string;
        error_description?: string;
      };
      if (!body.access_token)
        throw new Error(`token request refused (${response.status}): ${body.error_description ?? ''}`);
      return `Bearer ${body.access_token}`;
    })());
}
