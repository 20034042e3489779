import {
  hubSpotSignatureV3,
  hubSpotSignedUri,
  SIGNATURE_TOLERANCE_MS,
  throughlineSignature,
  verifyHubSpotSignatureV3,
  verifyThroughlineSignature,
} from './signatures';

// Fixed vectors computed independently with
//   printf '%s' 'POSThttps://ingress.example.com/webhooks/hubspot[{"eventId":1,"objectId":123}]1700000000000' \
//     | openssl dgst -sha256 -hmac example-client-secret -binary | base64
//   printf '%s' '1700000000000.[{"eventId":1,"objectId":123}]' | openssl dgst -sha256 -hmac sf-secret
const BODY = '[{"eventId":1,"objectId":123}]';
const TIMESTAMP = '1700000000000';
const URI = 'https://ingress.example.com/webhooks/hubspot';
const HUBSPOT_VECTOR = 'PxnnX5ugUyx246oyv006PRZUDIDTPZc+OLaozFxZHO8=';
const THROUGHLINE_VECTOR = 'sha256=972d5cae3ee3c5e7ea8de5b26824c8b3e26e04c47c048552264758d8b7dc46e4';
const NOW = Number(TIMESTAMP) + 1_000;

describe('HubSpot v3 signatures', () => {
  const request = {
    secret: 'example-client-secret',
    method: 'POST',
    uri: URI,
    body: BODY,
    timestamp: TIMESTAMP,
  };

  it('computes base64(HMAC-SHA256(secret, method + uri + body + timestamp))', () => {
    expect(hubSpotSignatureV3(request)).toBe(HUBSPOT_VECTOR);
    expect(hubSpotSignatureV3({ ...request, body: Buffer.from(BODY) })).toBe(HUBSPOT_VECTOR);
  });

  it('accepts the right signature within the time window', () => {
    expect(verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, now: NOW })).toEqual({
      valid: true,
    });
    expect(
      verifyHubSpotSignatureV3({
        ...request,
        signature: HUBSPOT_VECTOR,
        now: NOW - 2_000 + SIGNATURE_TOLERANCE_MS,
      }),
    ).toEqual({ valid: true });
  });

  it('refuses a tampered body, another secret, another URI or a truncated signature', () => {
    const verify = (overrides: Partial<typeof request> & { signature?: string }) =>
      verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, now: NOW, ...overrides });
    const mismatch = { valid: false, reason: 'signature mismatch' };
    expect(verify({ body: BODY.replace('123', '124') })).toEqual(mismatch);
    expect(verify({ secret: 'other-secret' })).toEqual(mismatch);
    expect(verify({ uri: 'http://ingress.example.com/webhooks/hubspot' })).toEqual(mismatch);
    expect(verify({ signature: HUBSPOT_VECTOR.slice(0, 20) })).toEqual(mismatch);
    expect(verify({ signature: 'not base64 at all' })).toEqual(mismatch);
  });

  it('names a missing header and refuses stale or future timestamps', () => {
    expect(verifyHubSpotSignatureV3({ ...request, signature: undefined, now: NOW })).toEqual({
      valid: false,
      reason: 'missing X-HubSpot-Signature-v3 header',
    });
    expect(
      verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, timestamp: undefined, now: NOW }),
    ).toEqual({ valid: false, reason: 'missing X-HubSpot-Request-Timestamp header' });
    const stale = { valid: false, reason: 'stale timestamp' };
    expect(
      verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, now: Number(TIMESTAMP) + 300_001 }),
    ).toEqual(stale);
    expect(
      verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, now: Number(TIMESTAMP) - 300_001 }),
    ).toEqual(stale);
    expect(
      verifyHubSpotSignatureV3({ ...request, signature: HUBSPOT_VECTOR, timestamp: '17e11', now: NOW }),
    ).toEqual({ valid: false, reason: 'X-HubSpot-Request-Timestamp is not epoch milliseconds' });
  });

  it('decodes only the escapes HubSpot decodes before signing', () => {
    expect(
      hubSpotSignedUri(
        'https://h.example/hook?next=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&n=%28a%29%2A%2C%3B%21%24%27%40',
      ),
    ).toBe("https://h.example/hook?next=https://a.example/x?y%3D1&n=(a)*,;!$'@");
    expect(hubSpotSignedUri('https://h.example/a%20b%2fc')).toBe('https://h.example/a%20b/c');
  });
});

describe('Throughline relay signatures', () => {
  const request = { secret: 'sf-secret', body: BODY, timestamp: TIMESTAMP };

  it('computes sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))', () => {
    expect(throughlineSignature(request)).toBe(THROUGHLINE_VECTOR);
  });

  it('verifies, and says why when it does not', () => {
    expect(verifyThroughlineSignature({ ...request, signature: THROUGHLINE_VECTOR, now: NOW })).toEqual({
      valid: true,
    });
    expect(
      verifyThroughlineSignature({
        ...request,
        signature: THROUGHLINE_VECTOR.toUpperCase().replace('SHA256', 'sha256'),
        now: NOW,
      }),
    ).toEqual({ valid: true });
    expect(
      verifyThroughlineSignature({ ...request, body: `${BODY} `, signature: THROUGHLINE_VECTOR, now: NOW }),
    ).toEqual({
      valid: false,
      reason: 'signature mismatch',
    });
    expect(verifyThroughlineSignature({ ...request, signature: 'abc', now: NOW })).toEqual({
      valid: false,
      reason: 'malformed X-Throughline-Signature header (expected sha256=<64 hex digits>)',
    });
    expect(verifyThroughlineSignature({ ...request, signature: undefined, now: NOW })).toEqual({
      valid: false,
      reason: 'missing X-Throughline-Signature header',
    });
    expect(
      verifyThroughlineSignature({
        ...request,
        signature: THROUGHLINE_VECTOR,
        now: NOW + SIGNATURE_TOLERANCE_MS,
      }),
    ).toEqual({ valid: false, reason: 'stale timestamp' });
  });
});
