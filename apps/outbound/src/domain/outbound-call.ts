/** How the last call for one record in one target ended. */
export const OUTBOUND_CALL_STATUSES = ['SENT', 'FAILED', 'REJECTED'] as const;
export type OutboundCallStatus = (typeof OUTBOUND_CALL_STATUSES)[number];

export interface OutboundCallRecord {
  payloadSha256: string;
  status: OutboundCallStatus | string;
}

/**
 * A call is made again only when the target may not hold this payload yet: never sent, sent with a
 * different payload, or the last attempt failed or was rejected (a replay after the data was fixed
 * resumes it).
 */
export function needsCall(last: OutboundCallRecord | null | undefined, payloadSha256: string): boolean {
  return !last || last.status !== 'SENT' || last.payloadSha256 !== payloadSha256;
}
