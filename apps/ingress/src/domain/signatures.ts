import { createHmac, timingSafeEqual } from 'node:crypto';

/** Webhook timestamps further than this from now (either way) are refused as replays. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

type Body = string | Buffer;

/**
 * HubSpot decodes these percent-escapes in the request URI before signing (its "Validating
 * requests" guide, v3); every other escape stays as sent.
 */
const HUBSPOT_DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function hubSpotSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => {
    return HUBSPOT_DECODED_ESCAPES[escape.toUpperCase()] ?? escape;
  });
}

/** The X-HubSpot-Signature-v3 value: base64(HMAC-SHA256(secret, method + uri + body + timestamp)). */
export function hubSpotSignatureV3(input: {
  secret: string;
  method: string;
  uri: string;
  body: Body;
  timestamp: string | number;
}): string {
  return createHmac('sha256', input.secret)
    .update(`${input.method.toUpperCase()}${hubSpotSignedUri(input.uri)}`)
    .update(input.body)
    .update(String(input.timestamp))
    .digest('base64');
}

/**
 * Verifies a HubSpot v3 signature. `uri` is the public URL HubSpot called (scheme, host, path and
 * query), which behind a proxy differs from what the process sees.
 */
export function verifyHubSpotSignatureV3(input: {
  secret: string;
  method: string;
  uri: string;
  body: Body;
  signature: string | undefined;
  timestamp: string | undefined;
  now: number;
}): SignatureCheck {
  if (!input.signature) return invalid('missing X-HubSpot-Signature-v3 header');
  const timestampCheck = checkTimestamp(input.timestamp, 'X-HubSpot-Request-Timestamp', input.now);
  if (!timestampCheck.valid) return timestampCheck;
  const expected = Buffer.from(
    hubSpotSignatureV3({ ...input, timestamp: input.timestamp as string }),
    'base64',
  );
  const given = Buffer.from(input.signature, 'base64');
  return equalDigests(expected, given) ? { valid: true } : invalid('signature mismatch');
}

/**
 * The X-Throughline-Signature value for relays Throughline specifies itself (Salesforce):
 * `sha256=` + hex(HMAC-SHA256(secret, timestamp + "." + body)).
 */
export function throughlineSignature(input: {
  secret: string;
  timestamp: string | number;
  body: Body;
}): string {
  const mac = createHmac('sha256', input.secret).update(`${input.timestamp}.`).update(input.body);
  return `sha256=${mac.digest('hex')}`;
}

export function verifyThroughlineSignature(input: {
  secret: string;
  body: Body;
  signature: string | undefined;
  timestamp: string | undefined;
  now: number;
}): SignatureCheck {
  if (!input.signature) return invalid('missing X-Throughline-Signature header');
  const timestampCheck = checkTimestamp(input.timestamp, 'X-Throughline-Timestamp', input.now);
  if (!timestampCheck.valid) return timestampCheck;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(input.signature.trim());
  if (!match?.[1])
    return invalid('malformed X-Throughline-Signature header (expected sha256=<64 hex digits>)');
  const expected = Buffer.from(
    throughlineSignature({ ...input, timestamp: input.timestamp as string }).slice('sha256='.length),
    'hex',
  );
  return equalDigests(expected, Buffer.from(match[1], 'hex'))
    ? { valid: true }
    : invalid('signature mismatch');
}

function checkTimestamp(timestamp: string | undefined, header: string, now: number): SignatureCheck {
  if (!timestamp) return invalid(`missing ${header} header`);
  if (!/^\d{1,16}$/.test(timestamp.trim())) return invalid(`${header} is not epoch milliseconds`);
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_TOLERANCE_MS) return invalid('stale timestamp');
  return { valid: true };
}

/** Constant-time comparison; digests of another length are simply unequal. */
function equalDigests(expected: Buffer, given: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(expected, given);
}

function invalid(reason: string): SignatureCheck {
  return { valid: false, reason };
}
