import { netSuiteTbaProblem, netSuiteTbaSignature, parseOAuthHeader } from './netsuite-tba';

const credentials = {
  accountId: '1234567_SB1',
  consumerKey: 'ck-test',
  consumerSecret: 'consumer-secret',
  tokenId: 'token-id-test',
  tokenSecret: 'token-secret',
};
const url = 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/eid:C-100';
const oauth = {
  realm: '1234567_SB1',
  oauth_consumer_key: 'ck-test',
  oauth_token: 'token-id-test',
  oauth_signature_method: 'HMAC-SHA256',
  oauth_timestamp: '1767225600',
  oauth_nonce: 'n0nce42',
  oauth_version: '1.0',
};
// printf '%s' 'PUT&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Fcustomer%2Feid%3AC-100&oauth_consumer_key%3Dck-test%26oauth_nonce%3Dn0nce42%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1767225600%26oauth_token%3Dtoken-id-test%26oauth_version%3D1.0' \
//   | openssl dgst -sha256 -hmac 'consumer-secret&token-secret' -binary | base64
const SIGNATURE = 'tRAZS8Kuy1kLLEcy4iswm1FXWV9UfHPejheUueEW6fM=';

const header = (params: Record<string, string>) =>
  `OAuth ${Object.entries(params)
    .map(([name, value]) => `${name}="${encodeURIComponent(value)}"`)
    .join(', ')}`;

describe('NetSuite token-based authentication, server side', () => {
  it('computes the signature of the openssl vector', () => {
    expect(netSuiteTbaSignature('PUT', url, oauth, 'consumer-secret', 'token-secret')).toBe(SIGNATURE);
  });

  it('accepts a valid header once and refuses the nonce the second time', () => {
    const authorization = header({ ...oauth, oauth_signature: SIGNATURE });
    expect(parseOAuthHeader(authorization)).toMatchObject({
      oauth_signature: SIGNATURE,
      realm: '1234567_SB1',
    });
    const seenNonces = new Set<string>();
    const check = () =>
      netSuiteTbaProblem({
        credentials,
        method: 'PUT',
        url,
        authorization,
        seenNonces,
        now: 1_767_225_610_000,
      });
    expect(check()).toBeUndefined();
    expect(check()).toBe('nonce already used');
  });

  it.each([
    ['another realm', { realm: '7654321' }, /realm/],
    ['HMAC-SHA1', { oauth_signature_method: 'HMAC-SHA1' }, /HMAC-SHA256/],
    ['a wrong signature', { oauth_signature: SIGNATURE.replace('t', 'u') }, /signature does not match/],
    ['another token', { oauth_token: 'other' }, /token/],
  ])('refuses %s', (_name, change, problem) => {
    const authorization = header({ ...oauth, oauth_signature: SIGNATURE, ...change });
    expect(
      netSuiteTbaProblem({
        credentials,
        method: 'PUT',
        url,
        authorization,
        seenNonces: new Set(),
        now: 1_767_225_610_000,
      }),
    ).toMatch(problem);
  });

  it('refuses an old timestamp', () => {
    const authorization = header({ ...oauth, oauth_signature: SIGNATURE });
    expect(
      netSuiteTbaProblem({ credentials, method: 'PUT', url, authorization, seenNonces: new Set() }),
    ).toBe('timestamp out of range');
  });
});
