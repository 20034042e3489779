import { createHash } from 'node:crypto';

/** What is kept of a refused request's body: enough to diagnose it, never the whole of it. */
export interface KeptBody {
  bodyPrefix: Uint8Array<ArrayBuffer> | null;
  bodyBytes: number | null;
  bodySha256: string | null;
}

/** The first `prefixBytes` bytes of `body`, its size and hex SHA-256 (to match a resend). */
export function keepBody(body: Buffer | null, prefixBytes: number): KeptBody {
  if (body === null) return { bodyPrefix: null, bodyBytes: null, bodySha256: null };
  return {
    bodyPrefix: Uint8Array.from(body.subarray(0, prefixBytes)),
    bodyBytes: body.length,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
}
