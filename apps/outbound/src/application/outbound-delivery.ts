import { Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { causedBy, commit, createEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';
import { prismaExecutor, takeAdvisoryLocks } from '@throughline/persistence';
import { describeError } from '@throughline/platform';

import { needsCall, OutboundCallStatus } from '../domain/outbound-call';
import { payloadSha256 } from '../domain/payload-hash';
import { OutboundDb, OutboundTx } from '../infrastructure/outbound-db';
import { DeliveryOutcome, OutboundConnector, OutboundRequest } from './outbound-connector';

export const OUTBOUND_DB = Symbol('OUTBOUND_DB');
const SOURCE = 'outbound';

/** What to send for one record, prepared inside the delivery's transaction. */
export interface PreparedCall {
  request: OutboundRequest;
  dealId: string | null;
  /** What the owner should do when the target refuses the data. */
  remediation: string;
  /**
   * Set when the target record must not change once the target holds it (an issued invoice): a
   * changed payload is then not sent; the owner gets a business exception with this remediation.
   */
  immutable?: { remediation: string };
}

export type DeliveryResult = 'sent' | 'unchanged' | 'rejected' | 'changed';

/**
 * Sends records to targets at most once per payload: the local record of what was sent
 * (outbound_call) says whether the target already holds this exact payload; only a new or changed
 * payload, or one whose last call did not go through, is sent. A refusal (4xx) becomes a business
 * exception for the connector's owner; a retriable failure is recorded and thrown to the consumer.
 */
@Injectable()
export class OutboundDelivery {
  constructor(
    @Inject(OUTBOUND_DB) private readonly db: OutboundDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * `prepare` runs in the same transaction, after the record's lock, so it may record the state
   * the payload is built from: a failed call rolls that back with everything else, and the retry
   * records it again.
   */
  async deliver(
    connector: OutboundConnector,
    cause: EventRecord,
    prepare: (tx: OutboundTx) => Promise<PreparedCall>,
    lockKey: string,
  ): Promise<DeliveryResult> {
    let result: DeliveryResult = 'unchanged';
    let failed: { request: OutboundRequest; sha256: string; error: unknown } | undefined;
    try {
      await commit(this.db, async (tx) => {
        await takeAdvisoryLocks(prismaExecutor(tx), [
          { rank: 0, key: `outbound:${connector.target}:${lockKey}`, mode: 'exclusive' },
        ]);
        const prepared = await prepare(tx);
        const { request } = prepared;
        const sha256 = payloadSha256(request.payload);
        const id = {
          target: connector.target,
          entityType: request.entityType,
          externalId: request.externalId,
        };
        const last = await tx.outboundCall.findUnique({ where: { target_entityType_externalId: id } });
        if (!needsCall(last, sha256)) return [];
        if (prepared.immutable && last?.status === 'SENT') {
          result = 'changed';
          this.logger.warn(
            { ...id, targetRecordId: last.targetRecordId, eventId: cause.envelope.eventId },
            'record changed after the target took it; not sent',
          );
          return [changedRecordException(connector, prepared, last, sha256, cause)];
        }
        const outcome = await connector.send(request).catch((error: unknown) => {
          failed = { request, sha256, error };
          throw error;
        });
        const status: OutboundCallStatus = outcome.kind === 'delivered' ? 'SENT' : 'REJECTED';
        const exceptionId = `EXC-OUT-${connector.target}-${request.entityType}-${request.externalId}`;
        const targetRecordId =
          (outcome.kind === 'delivered' ? outcome.targetRecordId : undefined) ?? request.targetRecordId;
        const row = {
          targetRecordId,
          payloadSha256: sha256,
          status,
          lastError: outcome.kind === 'rejected' ? `HTTP ${outcome.status}: ${outcome.message}` : null,
          sentAt: outcome.kind === 'delivered' ? new Date() : null,
          openExceptionId: outcome.kind === 'rejected' ? exceptionId : null,
        };
        await tx.outboundCall.upsert({
          where: { target_entityType_externalId: id },
          create: { ...id, ...row, attempts: 1 },
          update: { ...row, attempts: { increment: 1 } },
        });
        result = outcome.kind === 'delivered' ? 'sent' : 'rejected';
        this.logger.info({ ...id, targetRecordId, status, eventId: cause.envelope.eventId }, 'outbound call');
        const synced =
          outcome.kind === 'delivered'
            ? [
                createEvent(
                  'OutboundRecordSynced',
                  {
                    ...id,
                    targetRecordId,
                    sourceEventType: cause.envelope.eventType,
                    sourceEventId: cause.envelope.eventId,
                    payloadSha256: sha256,
                    syncedAt: (row.sentAt ?? new Date()).getTime(),
                  },
                  causedBy(cause, SOURCE),
                ),
              ]
            : [];
        return [
          ...synced,
          ...exceptionEvents(connector, prepared, outcome, exceptionId, last?.openExceptionId, sha256, cause),
        ];
      });
    } catch (error) {
      if (failed) await this.recordFailure(connector, failed.request, failed.sha256, failed.error);
      throw error;
    }
    return result;
  }

  /** Keeps the failed attempt visible (the transaction that would have recorded it rolled back). */
  private async recordFailure(
    connector: OutboundConnector,
    request: OutboundRequest,
    sha256: string,
    error: unknown,
  ): Promise<void> {
    const id = { target: connector.target, entityType: request.entityType, externalId: request.externalId };
    const row = {
      targetRecordId: request.targetRecordId,
      payloadSha256: sha256,
      status: 'FAILED',
      lastError: describeError(error).message.slice(0, 1_000),
    };
    await this.db.outboundCall
      .upsert({
        where: { target_entityType_externalId: id },
        create: { ...id, ...row, attempts: 1 },
        update: { ...row, attempts: { increment: 1 } },
      })
      .catch((recordError: unknown) =>
        this.logger.warn(
          { ...id, error: describeError(recordError) },
          'could not record failed outbound call',
        ),
      );
  }
}

/**
 * A refusal raises a business exception for the connector's owner (one per record: raising it
 * again reuses its id); the first call that goes through after a refusal resolves it, whatever
 * retriable failures came in between (the row keeps the open exception's id until then).
 */
function exceptionEvents(
  connector: OutboundConnector,
  prepared: PreparedCall,
  outcome: DeliveryOutcome,
  exceptionId: string,
  openExceptionId: string | null | undefined,
  sha256: string,
  cause: EventRecord,
): EventRecord[] {
  const { request } = prepared;
  if (outcome.kind === 'rejected') {
    return [
      createEvent(
        'BusinessExceptionRaised',
        {
          exceptionId,
          ownerRole: connector.ownerRole,
          entityType: request.entityType,
          entityId: request.externalId,
          dealId: prepared.dealId,
          code: 'OUTBOUND_CALL_REJECTED',
          message: `${connector.target} refused ${request.entityType} ${request.externalId} (HTTP ${outcome.status}): ${outcome.message}`,
          remediation: prepared.remediation,
          details: {
            target: connector.target,
            targetRecordId: request.targetRecordId,
            httpStatus: String(outcome.status),
            payloadSha256: sha256,
          },
        },
        causedBy(cause, SOURCE),
      ),
    ];
  }
  if (!openExceptionId) return [];
  return [
    createEvent(
      'BusinessExceptionResolved',
      {
        exceptionId: openExceptionId,
        entityType: request.entityType,
        entityId: request.externalId,
        dealId: prepared.dealId,
        resolution: `${connector.target} accepted ${request.entityType} ${request.externalId}`,
      },
      causedBy(cause, SOURCE),
    ),
  ];
}

/**
 * The target holds the record as first sent and must keep it (e.g. an issued invoice is corrected
 * with a credit note, never edited): the owner decides. One exception per record and changed payload.
 */
function changedRecordException(
  connector: OutboundConnector,
  prepared: PreparedCall,
  sent: { targetRecordId: string; payloadSha256: string },
  sha256: string,
  cause: EventRecord,
): EventRecord {
  const { request } = prepared;
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: `EXC-OUT-${connector.target}-${request.entityType}-${request.externalId}-${sha256.slice(0, 12)}`,
      ownerRole: connector.ownerRole,
      entityType: request.entityType,
      entityId: request.externalId,
      dealId: prepared.dealId,
      code: 'OUTBOUND_RECORD_CHANGED',
      message: `${request.entityType} ${request.externalId} changed after ${connector.target} took it as ${sent.targetRecordId}; the change was not sent`,
      remediation: prepared.immutable?.remediation ?? prepared.remediation,
      details: {
        target: connector.target,
        targetRecordId: sent.targetRecordId,
        sentPayloadSha256: sent.payloadSha256,
        payloadSha256: sha256,
      },
    },
    causedBy(cause, SOURCE),
  );
}
