import { createHmac } from 'node:crypto';

/**
 * The signatures a CRM computes when it sends a webhook, written from the senders' documentation
 * independently of ingress's verifiers, so a mistake in one shows up as a test failure.
 */

/** HubSpot v3: base64(HMAC-SHA256(app secret, METHOD + uri + body + timestamp)). */
export function hubSpotSenderSignature(input: {
  secret: string;
  method: string;
  uri: string;
  body: string | Buffer;
  timestamp: string | number;
}): string {
  const payload = Buffer.concat([
    Buffer.from(`${input.method.toUpperCase()}${input.uri}`),
    Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body),
    Buffer.from(String(input.timestamp)),
  ]);
  return createHmac('sha256', input.secret).update(payload).digest('base64');
}

/** The Salesforce Flow relay: `sha256=` + hex(HMAC-SHA256(secret, timestamp + "." + body)). */
export function salesforceRelaySignature(input: {
  secret: string;
  timestamp: string | number;
  body: string | Buffer;
}): string {
  const payload = Buffer.concat([
    Buffer.from(`${input.timestamp}.`),
    Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body),
  ]);
  return `sha256=${createHmac('sha256', input.secret).update(payload).digest('hex')}`;
}

/** Name of the platform event the Salesforce Flow relays. */
export const SALESFORCE_CLOSED_WON_EVENT = 'Opportunity_Closed_Won__e';
