import { deliveryTimeoutMs, loadOutboundConfig } from './config';

describe('loadOutboundConfig', () => {
  it('turns the HubSpot write-back and NetSuite off without credentials and has no webhooks by default', () => {
    expect(loadOutboundConfig({})).toEqual({
      hubspot: null,
      netsuite: null,
      webhooks: [],
      webhookConcurrency: 4,
      client: {
        timeoutMs: 10_000,
        maxRetryAfterMs: 10_000,
        maxThrottledRetries: 2,
        breaker: { failureThreshold: 5, openMs: 30_000 },
      },
    });
  });

  it('reads the HubSpot target and the webhook subscribers', () => {
    const config = loadOutboundConfig({
      HUBSPOT_ACCESS_TOKEN: 'token',
      HUBSPOT_API_URL: 'http://127.0.0.1:9999/',
      OUTBOUND_WEBHOOKS: JSON.stringify([
        { name: 'bi', url: 'https://bi.example/hook', secret: 's'.repeat(16), events: ['InvoiceIssued'] },
      ]),
    });
    expect(config.hubspot).toEqual({ apiUrl: 'http://127.0.0.1:9999', accessToken: 'token', concurrency: 4 });
    expect(config.webhooks).toEqual([expect.objectContaining({ name: 'bi', ownerRole: 'DELIVERY' })]);
  });

  it('reads NetSuite token-based authentication and derives the account URL', () => {
    const credentials = {
      NETSUITE_ACCOUNT_ID: '1234567_SB1',
      NETSUITE_CONSUMER_KEY: 'ck',
      NETSUITE_CONSUMER_SECRET: 'cs',
      NETSUITE_TOKEN_ID: 'ti',
      NETSUITE_TOKEN_SECRET: 'ts',
    };
    expect(loadOutboundConfig(credentials).netsuite).toEqual({
      accountId: '1234567_SB1',
      consumerKey: 'ck',
      consumerSecret: 'cs',
      tokenId: 'ti',
      tokenSecret: 'ts',
      apiUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com',
      concurrency: 5,
    });
    expect(
      loadOutboundConfig({ ...credentials, NETSUITE_API_URL: 'http://127.0.0.1:9/' }).netsuite?.apiUrl,
    ).toBe('http://127.0.0.1:9');
    expect(() => loadOutboundConfig({ NETSUITE_ACCOUNT_ID: '123', NETSUITE_CONSUMER_KEY: 'ck' })).toThrow(
      /NETSUITE_CONSUMER_SECRET[\s\S]*NETSUITE_TOKEN_ID[\s\S]*NETSUITE_TOKEN_SECRET/,
    );
  });

  it('names every bad variable', () => {
    expect(() =>
      loadOutboundConfig({ OUTBOUND_WEBHOOKS: '[{', HUBSPOT_CONCURRENCY: '0', HUBSPOT_API_URL: 'not a url' }),
    ).toThrow(
      /OUTBOUND_WEBHOOKS: not valid JSON[\s\S]*HUBSPOT_CONCURRENCY|HUBSPOT_CONCURRENCY[\s\S]*OUTBOUND_WEBHOOKS/,
    );
    expect(() =>
      loadOutboundConfig({
        OUTBOUND_WEBHOOKS: JSON.stringify([{ name: 'bi', url: 'x', secret: 'y', events: [] }]),
      }),
    ).toThrow(/OUTBOUND_WEBHOOKS\.0\.url/);
  });
});

describe('deliveryTimeoutMs', () => {
  it('covers every call attempt and Retry-After wait of one delivery', () => {
    expect(deliveryTimeoutMs({ timeoutMs: 10_000, maxRetryAfterMs: 10_000, maxThrottledRetries: 2 })).toBe(
      65_000,
    );
  });
});
