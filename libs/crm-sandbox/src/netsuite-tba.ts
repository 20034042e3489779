import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * NetSuite token-based authentication as the server checks it (OAuth 1.0a, RFC 5849, HMAC-SHA256),
 * written independently of outbound's signer so a mistake in one shows up as a test failure.
 */

export interface NetSuiteTbaCredentials {
  accountId: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

/** The parameters of an `Authorization: OAuth k="v", ...` header, percent-decoded. */
export function parseOAuthHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(6).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) params[name] = decodeURIComponent(value);
  }
  return params;
}

const rfc3986 = (value: string) =>
  Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/** base64 HMAC-SHA256 over the RFC 5849 base string of a request with a JSON (non-form) body. */
export function netSuiteTbaSignature(
  method: string,
  url: string,
  oauth: Record<string, string>,
  consumerSecret: string,
  tokenSecret: string,
): string {
  const parsed = new URL(url);
  const pairs: string[][] = [];
  parsed.searchParams.forEach((value, name) => pairs.push([rfc3986(name), rfc3986(value)]));
  for (const [name, value] of Object.entries(oauth)) {
    if (name.startsWith('oauth_') && name !== 'oauth_signature') pairs.push([rfc3986(name), rfc3986(value)]);
  }
  // By encoded name, then by encoded value (RFC 5849 3.4.1.3.2).
  pairs.sort(
    (a, b) =>
      Buffer.compare(Buffer.from(a[0] ?? ''), Buffer.from(b[0] ?? '')) ||
      Buffer.compare(Buffer.from(a[1] ?? ''), Buffer.from(b[1] ?? '')),
  );
  const base = [
    method.toUpperCase(),
    rfc3986(`${parsed.protocol}//${parsed.host}${parsed.pathname}`),
    rfc3986(pairs.map((pair) => pair.join('=')).join('&')),
  ].join('&');
  return createHmac('sha256', `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

/**
 * Why NetSuite would refuse the request's credentials, or undefined when they are valid: realm,
 * consumer key, token, signature method and version, a timestamp within 5 minutes, a nonce not
 * seen before (`seenNonces` is updated) and the signature.
 */
export function netSuiteTbaProblem(input: {
  credentials: NetSuiteTbaCredentials;
  method: string;
  url: string;
  authorization: string | undefined;
  seenNonces: Set<string>;
  now?: number;
}): string | undefined {
  const { credentials } = input;
  const oauth = parseOAuthHeader(input.authorization);
  if (!oauth) return 'no OAuth Authorization header';
  if (oauth['realm'] !== credentials.accountId) return `realm ${oauth['realm']} is not the account id`;
  if (oauth['oauth_consumer_key'] !== credentials.consumerKey) return 'unknown consumer key';
  if (oauth['oauth_token'] !== credentials.tokenId) return 'unknown token';
  if (oauth['oauth_signature_method'] !== 'HMAC-SHA256') return 'signature method is not HMAC-SHA256';
  if (oauth['oauth_version'] !== undefined && oauth['oauth_version'] !== '1.0') return 'version is not 1.0';
  const timestamp = Number(oauth['oauth_timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(timestamp - (input.now ?? Date.now()) / 1_000) > 300)
    return 'timestamp out of range';
  const nonce = oauth['oauth_nonce'];
  if (!nonce) return 'no nonce';
  if (input.seenNonces.has(`${timestamp}:${nonce}`)) return 'nonce already used';
  const expected = netSuiteTbaSignature(
    input.method,
    input.url,
    oauth,
    credentials.consumerSecret,
    credentials.tokenSecret,
  );
  const given = Buffer.from(oauth['oauth_signature'] ?? '');
  if (given.length !== Buffer.byteLength(expected) || !timingSafeEqual(given, Buffer.from(expected)))
    return 'signature does not match';
  input.seenNonces.add(`${timestamp}:${nonce}`);
  return undefined;
}
