import {
  hmacSha256Signature,
  netSuiteAuthorization,
  oauthPercentEncode,
  signatureBaseString,
} from './netsuite-oauth';

describe('OAuth 1.0a signature (RFC 5849) for NetSuite token-based authentication', () => {
  it('builds the signature base string of RFC 5849 section 3.4.1.1', () => {
    // The RFC's example request: query with encoded and repeated names, form body `c2&a3=2+q`.
    const base = signatureBaseString(
      {
        method: 'post',
        url: 'http://EXAMPLE.com:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
        formParams: [
          ['c2', ''],
          ['a3', '2 q'],
        ],
      },
      {
        realm: 'Example',
        oauth_consumer_key: '9djdj82h48djs9d2',
        oauth_token: 'kkk9d7dh3k39sjv7',
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131201',
        oauth_nonce: '7d8f3e4a',
      },
    );
    expect(base).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('percent-encodes as RFC 5849 section 3.6 says', () => {
    expect(oauthPercentEncode("a b!'()*~-._/:=&+é")).toBe('a%20b%21%27%28%29%2A~-._%2F%3A%3D%26%2B%C3%A9');
  });

  // Computed independently of this code:
  //   printf '%s' '<the base string below>' | openssl dgst -sha256 -hmac 'consumer-secret&token-secret' -binary | base64
  const NETSUITE_BASE =
    'PUT&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Fcustomer%2Feid%3AC-100&oauth_consumer_key%3Dck-test%26oauth_nonce%3Dn0nce42%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1767225600%26oauth_token%3Dtoken-id-test%26oauth_version%3D1.0';
  const NETSUITE_SIGNATURE = 'tRAZS8Kuy1kLLEcy4iswm1FXWV9UfHPejheUueEW6fM=';
  const credentials = {
    accountId: '1234567_SB1',
    consumerKey: 'ck-test',
    consumerSecret: 'consumer-secret',
    tokenId: 'token-id-test',
    tokenSecret: 'token-secret',
  };
  const url = 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/eid:C-100';

  it('signs with HMAC-SHA256 keyed by consumer and token secret (vector computed with openssl)', () => {
    expect(hmacSha256Signature(NETSUITE_BASE, 'consumer-secret', 'token-secret')).toBe(NETSUITE_SIGNATURE);
  });

  it('builds the Authorization header with the account id as realm', () => {
    const header = netSuiteAuthorization(credentials, { method: 'PUT', url }, 'n0nce42', 1_767_225_600);
    expect(header).toBe(
      'OAuth realm="1234567_SB1", oauth_consumer_key="ck-test", oauth_token="token-id-test", ' +
        'oauth_signature_method="HMAC-SHA256", oauth_timestamp="1767225600", oauth_nonce="n0nce42", ' +
        `oauth_version="1.0", oauth_signature="${oauthPercentEncode(NETSUITE_SIGNATURE)}"`,
    );
  });

  it('uses a fresh nonce for each request', () => {
    const first = netSuiteAuthorization(credentials, { method: 'PUT', url });
    const second = netSuiteAuthorization(credentials, { method: 'PUT', url });
    const nonce = (header: string) => /oauth_nonce="([^"]+)"/.exec(header)?.[1];
    expect(nonce(first)).toMatch(/^[0-9a-f]{32}$/);
    expect(nonce(first)).not.toBe(nonce(second));
  });
});
