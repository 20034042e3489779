import { ConfigurationError } from '@throughline/platform';

import { DEV_SECRETS, loadIngressConfig } from './ingress-config';

describe('loadIngressConfig', () => {
  it('runs in development with documented defaults', () => {
    const config = loadIngressConfig({ NODE_ENV: 'development' });
    expect(config.publicUrl).toBe('http://127.0.0.1:3001');
    expect(config.hubspot).toMatchObject({
      appSecret: DEV_SECRETS.HUBSPOT_APP_SECRET,
      apiUrl: 'https://api.hubapi.com',
      closedWonStage: 'closedwon',
      requestsPerSecond: 10,
      defaultCurrency: null,
    });
    expect(config.salesforce.closedWonStage).toBe('Closed Won');
  });

  it('reads overrides and trims a trailing slash from the public URL', () => {
    const config = loadIngressConfig({
      INGRESS_PUBLIC_URL: 'https://hooks.example.com/ingress/',
      HUBSPOT_CLOSED_WON_STAGE: '123456',
      HUBSPOT_REQUESTS_PER_SECOND: '4',
      NODE_ENV: 'test',
    });
    expect(config.publicUrl).toBe('https://hooks.example.com/ingress');
    expect(config.hubspot.closedWonStage).toBe('123456');
    expect(config.hubspot.requestsPerSecond).toBe(4);
  });

  const refused = (name: string) =>
    `  ${name}: required (the development default is accepted only with NODE_ENV=development or NODE_ENV=test)`;

  it.each([
    ['production', { NODE_ENV: 'production' }],
    ['NODE_ENV unset', {}],
    ['any other NODE_ENV', { NODE_ENV: 'staging' }],
  ])('requires real secrets unless in development mode (%s), naming each missing one', (_, mode) => {
    expect(() => loadIngressConfig({ ...mode, HUBSPOT_APP_SECRET: DEV_SECRETS.HUBSPOT_APP_SECRET })).toThrow(
      new ConfigurationError(
        [
          'Invalid configuration:',
          refused('HUBSPOT_APP_SECRET'),
          refused('HUBSPOT_ACCESS_TOKEN'),
          refused('SALESFORCE_WEBHOOK_SECRET'),
        ].join('\n'),
      ),
    );
    expect(
      loadIngressConfig({
        ...mode,
        HUBSPOT_APP_SECRET: 'a',
        HUBSPOT_ACCESS_TOKEN: 'b',
        SALESFORCE_WEBHOOK_SECRET: 'c',
      }).hubspot.accessToken,
    ).toBe('b');
  });

  it('fails fast naming a malformed variable', () => {
    expect(() => loadIngressConfig({ NODE_ENV: 'test', HUBSPOT_DEFAULT_CURRENCY: 'euro' })).toThrow(/HUBSPOT_DEFAULT_CURRENCY/);
  });
});
