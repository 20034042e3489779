import { oidcConfig, startTestIdentityProvider } from '@throughline/messaging-nest/testing';

import { authorizationFrom, OPS_SCOPES } from './service-token';

jest.setTimeout(30_000);

describe('the ops CLI credential for the services', () => {
  it('sends an API key when OPS_API_KEY is set', async () => {
    expect(await authorizationFrom({ OPS_API_KEY: 'tlk_x_y' })()).toBe('ApiKey tlk_x_y');
  });

  it('sends nothing without a key or client secret (the services then answer 401)', async () => {
    expect(await authorizationFrom({ AUTH_ISSUER: 'http://127.0.0.1:1' })()).toBeUndefined();
  });

  it('gets a client-credentials token with the lookup scopes from the issuer', async () => {
    const { issuer } = await startTestIdentityProvider();
    const ops = oidcConfig().clients.find((client) => client.client_id === 'throughline-ops');
    const authorization = await authorizationFrom({
      AUTH_ISSUER: issuer,
      OIDC_CLIENT_SECRET: ops?.client_secret,
    })();
    expect(authorization).toMatch(/^Bearer /);
    const claims = JSON.parse(
      Buffer.from((authorization as string).split('.')[1] as string, 'base64url').toString(),
    ) as { sub: string; scope: string };
    expect(claims.sub).toBe('throughline-ops');
    expect(claims.scope.split(' ').sort()).toEqual([...OPS_SCOPES].sort());
  });

  it('says why when the issuer refuses the client', async () => {
    const { issuer } = await startTestIdentityProvider();
    await expect(authorizationFrom({ AUTH_ISSUER: issuer, OIDC_CLIENT_SECRET: 'wrong' })()).rejects.toThrow(
      /token request refused \(401\)/,
    );
  });
});
