import { Agent, request } from 'node:http';

import { signHubSpotRequest, signSalesforceRequest } from '@throughline/crm-sandbox';

import { FuzzRequest } from './mutations';

export const FUZZ_PUBLIC_URL = 'https://hooks.fuzz.test/ingress';
export const FUZZ_HUBSPOT_SECRET = 'fuzz-hubspot-app-secret';
export const FUZZ_SALESFORCE_SECRET = 'fuzz-salesforce-webhook-secret';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const FIVE_MINUTES = 5 * 60_000;

/** The CRM signature headers of `request` as its mode says (valid, missing, stale, tampered...). */
function signatureHeaders(fuzz: FuzzRequest): Record<string, string> {
  const signature = fuzz.signature;
  if (!signature || signature.mode === 'missing') return {};
  const secret =
    signature.mode === 'wrong-secret'
      ? 'not-the-secret'
      : signature.kind === 'hubspot'
        ? FUZZ_HUBSPOT_SECRET
        : FUZZ_SALESFORCE_SECRET;
  const timestamp =
    signature.mode === 'stale'
      ? Date.now() - 2 * FIVE_MINUTES
      : signature.mode === 'future'
        ? Date.now() + 2 * FIVE_MINUTES
        : Date.now();
  const body = signature.mode === 'tampered' ? `${fuzz.body} ` : fuzz.body;
  const headers: Record<string, string> =
    signature.kind === 'hubspot'
      ? signHubSpotRequest({ secret, uri: `${FUZZ_PUBLIC_URL}${fuzz.path}`, body, timestamp })
      : signSalesforceRequest({ secret, body, timestamp });
  // The fuzzed request's own Content-Type stands.
  delete headers['content-type'];
  for (const name of Object.keys(headers)) {
    if (signature.mode === 'garbage-signature' && /signature/i.test(name)) headers[name] = 'sha256=zz$(id)';
    if (signature.mode === 'garbage-timestamp' && /timestamp/i.test(name)) headers[name] = '1e400';
  }
  return headers;
}

/**
 * Sends fuzzed requests over raw HTTP (fetch cannot send a bogus Content-Encoding, nor a path
 * with a bare `%`), on keep-alive connections, with a credential holding every scope.
 */
export class FuzzClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly authorization: string) {}

  send(baseUrl: string, fuzz: FuzzRequest): Promise<Answer> {
    const url = new URL(baseUrl);
    const body = Buffer.from(fuzz.body, 'utf8');
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          method: fuzz.method,
          path: fuzz.path,
          headers: {
            authorization: this.authorization,
            ...(body.length > 0 ? { 'content-length': body.length } : {}),
            ...fuzz.headers,
            ...signatureHeaders(fuzz),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end(body.length > 0 ? body : undefined);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
