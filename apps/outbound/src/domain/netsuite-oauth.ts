import { createHmac, randomBytes } from 'node:crypto';

/** NetSuite token-based authentication: OAuth 1.0a credentials of one integration and one token. */
export interface NetSuiteTokenCredentials {
  /** The account id, e.g. `1234567` or `1234567_SB1`; NetSuite wants it as the OAuth realm. */
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export interface OAuthRequest {
  method: string;
  /** Full URL as sent, query included. */
  url: string;
  /** Form-encoded body parameters (RFC 5849 3.4.1.3.1); a JSON body has none. */
  formParams?: readonly (readonly [string, string])[];
}

/** Percent-encoding of RFC 5849 section 3.6: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~`. */
export function oauthPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The signature base string of RFC 5849 section 3.4.1: method, base string URI (scheme and host
 * lower case, default port dropped, no query) and the normalized parameters (query, form body and
 * oauth_* parameters except realm and oauth_signature; encoded, then sorted by name and value).
 */
export function signatureBaseString(request: OAuthRequest, oauthParams: Record<string, string>): string {
  const url = new URL(request.url);
  const baseUri = `${url.protocol}//${url.host}${url.pathname}`;
  const params = [...url.searchParams, ...(request.formParams ?? []), ...Object.entries(oauthParams)]
    .filter(([name]) => name !== 'realm' && name !== 'oauth_signature')
    .map(([name, value]) => [oauthPercentEncode(name), oauthPercentEncode(value)] as const)
    .sort(([aName, aValue], [bName, bValue]) =>
      aName === bName ? compare(aValue, bValue) : compare(aName, bName),
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [request.method.toUpperCase(), oauthPercentEncode(baseUri), oauthPercentEncode(params)].join('&');
}

/** HMAC-SHA256 of the base string keyed with `<consumer secret>&<token secret>` (RFC 5849 3.4.2), base64. */
export function hmacSha256Signature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  const key = `${oauthPercentEncode(consumerSecret)}&${oauthPercentEncode(tokenSecret)}`;
  return createHmac('sha256', key).update(baseString).digest('base64');
}

/**
 * The `Authorization: OAuth ...` header NetSuite's token-based authentication expects: realm = the
 * account id, HMAC-SHA256, a fresh nonce and timestamp per request (NetSuite refuses a reused nonce,
 * so a retried call must be signed again).
 */
export function netSuiteAuthorization(
  credentials: NetSuiteTokenCredentials,
  request: OAuthRequest,
  nonce: string = randomBytes(16).toString('hex'),
  timestampSeconds: number = Math.floor(Date.now() / 1_000),
): string {
  const oauthParams: Record<string, string> = {
    oauth_consumer_key: credentials.consumerKey,
    oauth_token: credentials.tokenId,
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: String(timestampSeconds),
    oauth_nonce: nonce,
    oauth_version: '1.0',
  };
  const signature = hmacSha256Signature(
    signatureBaseString(request, oauthParams),
    credentials.consumerSecret,
    credentials.tokenSecret,
  );
  const fields = Object.entries({ ...oauthParams, oauth_signature: signature }).map(
    ([name, value]) => `${name}="${oauthPercentEncode(value)}"`,
  );
  return `OAuth realm="${credentials.accountId}", ${fields.join(', ')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
