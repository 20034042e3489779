// A real OpenID Connect provider (panva/oidc-provider) for the local stack, the demo and the tests:
// client-credentials grant, JWT access tokens for the audience in clients.json, keys at /jwks.
//
//   node tools/oidc/provider.mjs [--port 8090] [--host 127.0.0.1] [--issuer URL] [--config tools/oidc/clients.json]
//
// Port 0 picks a free port. Prints one JSON line {"msg":"oidc provider listening","issuer":...}.
// Development only: the client secrets in clients.json are public.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const host = arg('host', process.env.OIDC_HOST ?? '127.0.0.1');
const port = Number(arg('port', process.env.OIDC_PORT ?? '8090'));
const configPath = arg(
  'config',
  process.env.OIDC_CLIENTS_FILE ?? join(dirname(fileURLToPath(import.meta.url)), 'clients.json'),
);
const config = JSON.parse(readFileSync(configPath, 'utf8'));

const scopesOf = (client) => (client.scopes === '*' ? config.scopes : client.scopes);
for (const client of config.clients) {
  const unknown = scopesOf(client).filter((scope) => !config.scopes.includes(scope));
  if (unknown.length > 0) throw new Error(`${client.client_id}: unknown scopes ${unknown.join(' ')}`);
}
const clientsById = new Map(config.clients.map((client) => [client.client_id, client]));

const server = createServer();
await new Promise((resolve) => server.listen(port, host, resolve));
// OIDC_ISSUER / --issuer: the URL services know the provider by (compose: http://oidc:8090).
const issuer = arg('issuer', process.env.OIDC_ISSUER) ?? `http://${host}:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `k-${Date.now().toString(36)}`,
  use: 'sig',
  alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: scopesOf(client).join(' '),
  })),
  jwks: { keys: [jwk] },
  scopes: config.scopes,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== config.audience) throw new Provider.errors.InvalidTarget();
        return {
          scope: config.scopes.join(' '),
          audience: config.audience,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  // Who the client may act for: the body's actor (approvedBy, closedBy, …) must be the client or one of these.
  extraTokenClaims: (_ctx, token) => {
    const onBehalfOf = clientsById.get(token.clientId)?.on_behalf_of;
    return onBehalfOf ? { on_behalf_of: onBehalfOf } : undefined;
  },
});
provider.proxy = false;
server.on('request', provider.callback());
console.log(
  JSON.stringify({
    msg: 'oidc provider listening',
    issuer,
    jwks: `${issuer}/jwks`,
    token: `${issuer}/token`,
  }),
);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
