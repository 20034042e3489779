import { ExceptionOwnerRole } from '@throughline/contracts';

/** One record to write to a target system. */
export interface OutboundRequest {
  /** Kind of record, e.g. Deal (HubSpot) or the event type (webhook). */
  entityType: string;
  /** Throughline's id of the record, e.g. the dealId `HS-123` or an eventId. */
  externalId: string;
  /**
   * The record's id in the target, e.g. the HubSpot deal id, or the key it is addressed by until the
   * target names it (NetSuite `eid:<external id>`).
   */
  targetRecordId: string;
  payload: unknown;
  /** The target's idempotency key for a create, where it has one (NetSuite); stable per record. */
  idempotencyKey?: string;
}

/** The call reached the target: it took the data, or refused it as it is (a 4xx data problem). */
export type DeliveryOutcome =
  /** `targetRecordId`: the id the target gave the record, when it answers with one. */
  { kind: 'delivered'; targetRecordId?: string } | { kind: 'rejected'; status: number; message: string };

/**
 * A target system (HubSpot, a webhook subscriber; NetSuite and Certinia implement the same port).
 * `send` resolves with the outcome when the target answered with a verdict on the data, and throws
 * a retriable error (TransientError) when it could not be reached, throttled beyond the wait the
 * client allows, or failed itself, so the consumer's retry tiers and dead-letter topic apply.
 */
export interface OutboundConnector {
  /** Stable name of the target, e.g. `hubspot` or `webhook:<subscriber>`. */
  readonly target: string;
  /** Who must fix data the target rejects. */
  readonly ownerRole: ExceptionOwnerRole;
  send(request: OutboundRequest): Promise<DeliveryOutcome>;
}
