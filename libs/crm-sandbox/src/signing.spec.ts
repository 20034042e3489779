import { hubSpotSenderSignature, salesforceRelaySignature } from './signing';

// Vectors computed with openssl (`openssl dgst -sha256 -hmac secret`), independently of this code.
describe('sender signatures', () => {
  it('signs like HubSpot v3', () => {
    expect(
      hubSpotSenderSignature({
        secret: 'secret',
        method: 'post',
        uri: 'https://example.com/webhooks/hubspot',
        body: '[{"a":1}]',
        timestamp: 1_700_000_000_000,
      }),
    ).toBe('qjej7Ai5+0lS9vy/hOXXcGQKvLgsnvSECETVB1j/83g=');
  });

  it('signs like the Salesforce relay', () => {
    expect(salesforceRelaySignature({ secret: 'secret', timestamp: '1700000000000', body: '{"b":2}' })).toBe(
      'sha256=5eccab1370c1819f3a6aa3d198e930c9df5555e86f530748045abc169020870b',
    );
  });
});
