import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

import { traceHeaders } from '@throughline/observability';
import { commit, createEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { DealNotMappable } from '../domain/deal-draft';
import { classifyHubSpotEvent, hubSpotDealId, hubSpotWebhookBatchSchema } from '../domain/hubspot';
import {
  mapSalesforceEvent,
  salesforceDealId,
  salesforceEventSchema,
  SalesforceOutcome,
} from '../domain/salesforce';
import { SignatureCheck, verifyHubSpotSignatureV3, verifyThroughlineSignature } from '../domain/signatures';
import { IngressDb, Prisma } from '../infrastructure/ingress-db';
import { IngressConfig } from '../ingress-config';
import { HubSpotDealWorker } from './hubspot-deal.worker';
import { INGRESS_CONFIG, INGRESS_DB, SOURCE } from './tokens';

export type WebhookSource = 'hubspot' | 'salesforce';

/** What the HTTP layer hands over: the exact bytes, never a re-serialised body. */
export interface WebhookRequest {
  method: string;
  /** Path and query as received (they are part of the HubSpot signature). */
  pathAndQuery: string;
  rawBody: Buffer;
  headers: IncomingHttpHeaders;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

type DeliveryStatus = 'PENDING' | 'PROCESSED' | 'IGNORED' | 'DUPLICATE' | 'REJECTED';

/**
 * Verifies and durably records CRM webhook deliveries before they are acknowledged. HubSpot
 * deliveries are only recorded here (the worker reads the deal from the API later); Salesforce
 * events carry the whole opportunity and become DealWon in the recording transaction. Anything
 * refused is kept verbatim in rejected_delivery with the reason.
 */
@Injectable()
export class WebhookIntake {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HubSpotDealWorker) private readonly worker: HubSpotDealWorker,
  ) {}

  receive(source: WebhookSource, request: WebhookRequest): Promise<WebhookAnswer> {
    return source === 'hubspot' ? this.receiveHubSpot(request) : this.receiveSalesforce(request);
  }

  async receiveHubSpot(request: WebhookRequest): Promise<WebhookAnswer> {
    const signature = verifyHubSpotSignatureV3({
      secret: this.config.hubspot.appSecret,
      method: request.method,
      uri: `${this.config.publicUrl}${request.pathAndQuery}`,
      body: request.rawBody,
      signature: header(request, 'x-hubspot-signature-v3'),
      timestamp: header(request, 'x-hubspot-request-timestamp'),
      now: Date.now(),
    });
    const parsed = this.parse('hubspot', request, signature, hubSpotWebhookBatchSchema);
    if ('refused' in parsed) return parsed.refused;
    const raw = parsed.json as unknown[];

    const rows = parsed.value.map((event, index) => {
      const disposition = classifyHubSpotEvent(event, this.config.hubspot.closedWonStage);
      const isDeal = event.subscriptionType.startsWith('deal.');
      return {
        crm: 'HUBSPOT',
        deliveryId: String(event.eventId),
        crmDealId: isDeal ? String(event.objectId) : null,
        dealId: isDeal ? hubSpotDealId(event.objectId) : null,
        eventKind: event.subscriptionType,
        payload: raw[index] as Prisma.InputJsonObject,
        occurredAt: new Date(event.occurredAt),
        status: disposition.status,
        reason: disposition.status === 'IGNORED' ? disposition.reason : null,
        correlationId: randomUUID(),
        traceparent: traceHeaders()['traceparent'] ?? null,
      };
    });
    const recorded = await this.db.crmDelivery.createManyAndReturn({
      data: rows,
      skipDuplicates: true,
      select: { deliveryId: true, status: true, correlationId: true },
    });
    const recordedIds = new Set(recorded.map((row) => row.deliveryId));
    const earlier = await this.db.crmDelivery.findMany({
      where: {
        crm: 'HUBSPOT',
        deliveryId: { in: rows.map((row) => row.deliveryId).filter((id) => !recordedIds.has(id)) },
      },
      select: { deliveryId: true, status: true, correlationId: true },
    });
    const pending = recorded.filter((row) => row.status === 'PENDING').length;
    if (pending > 0) this.worker.wake();
    this.logger.info(
      {
        crm: 'HUBSPOT',
        received: rows.length,
        recorded: recorded.length,
        pending,
        redelivered: earlier.length,
      },
      'HubSpot webhook recorded',
    );
    return {
      status: 202,
      body: {
        received: rows.length,
        deliveries: [
          ...recorded.map((row) => ({ ...row, redelivered: false })),
          ...earlier.map((row) => ({ ...row, redelivered: true })),
        ],
      },
    };
  }

  async receiveSalesforce(request: WebhookRequest): Promise<WebhookAnswer> {
    const signature = verifyThroughlineSignature({
      secret: this.config.salesforce.webhookSecret,
      body: request.rawBody,
      signature: header(request, 'x-throughline-signature'),
      timestamp: header(request, 'x-throughline-timestamp'),
      now: Date.now(),
    });
    const parsed = this.parse('salesforce', request, signature, salesforceEventSchema);
    if ('refused' in parsed) return parsed.refused;
    const event = parsed.value;
    const dealId = salesforceDealId(event.payload.OpportunityId__c);

    let outcome: SalesforceOutcome | { status: 'REJECTED'; reason: string };
    try {
      outcome = mapSalesforceEvent(event, this.config.salesforce.closedWonStage);
    } catch (error) {
      if (!(error instanceof DealNotMappable)) throw error;
      outcome = { status: 'REJECTED', reason: error.message };
    }
    // Settled inside the transaction; an object, so the compiler does not narrow it away.
    const result: {
      status: DeliveryStatus;
      reason: string | null;
      correlationId: string;
      redelivered: boolean;
      eventId?: string;
    } = {
      status: outcome.status === 'WON' ? 'PROCESSED' : outcome.status,
      reason: outcome.status === 'WON' ? null : outcome.reason,
      correlationId: randomUUID(),
      redelivered: false,
    };

    await commit(this.db, async (tx) => {
      const inserted = await tx.crmDelivery.createMany({
        data: [
          {
            crm: 'SALESFORCE',
            deliveryId: event.eventUuid,
            crmDealId: event.payload.OpportunityId__c,
            dealId,
            eventKind: event.schema,
            payload: parsed.json as Prisma.InputJsonObject,
            occurredAt: occurredAtOf(event.createdDate),
            status: result.status,
            reason: result.reason,
            correlationId: result.correlationId,
            processedAt: new Date(),
          },
        ],
        skipDuplicates: true,
      });
      if (inserted.count === 0) {
        const earlier = await tx.crmDelivery.findUniqueOrThrow({
          where: { crm_deliveryId: { crm: 'SALESFORCE', deliveryId: event.eventUuid } },
          select: { status: true, reason: true, correlationId: true },
        });
        Object.assign(result, earlier, { redelivered: true });
        return [];
      }
      if (outcome.status !== 'WON') return [];
      const dealWon = createEvent('DealWon', outcome.dealWon, {
        source: SOURCE,
        correlationId: result.correlationId,
      });
      const won = await tx.wonDeal.createMany({
        data: [
          {
            crm: 'SALESFORCE',
            crmDealId: event.payload.OpportunityId__c,
            dealId,
            deliveryId: event.eventUuid,
            eventId: dealWon.envelope.eventId,
            dealWon: outcome.dealWon as unknown as Prisma.InputJsonObject,
          },
        ],
        skipDuplicates: true,
      });
      if (won.count === 0) {
        const first = await tx.wonDeal.findUniqueOrThrow({ where: { dealId } });
        result.status = 'DUPLICATE';
        result.reason = `deal ${dealId} was already won (DealWon from delivery ${first.deliveryId})`;
        await tx.crmDelivery.update({
          where: { crm_deliveryId: { crm: 'SALESFORCE', deliveryId: event.eventUuid } },
          data: { status: result.status, reason: result.reason },
        });
        return [];
      }
      result.eventId = dealWon.envelope.eventId;
      return [dealWon];
    });

    this.logger.info(
      {
        crm: 'SALESFORCE',
        deliveryId: event.eventUuid,
        correlationId: result.correlationId,
        dealId,
        status: result.status,
        redelivered: result.redelivered,
        ...(result.eventId ? { eventId: result.eventId } : {}),
      },
      result.eventId ? 'DealWon published' : 'Salesforce delivery recorded',
    );
    return {
      // A deal Throughline cannot take is answered 422 so the relay surfaces it in Salesforce.
      status: result.status === 'REJECTED' ? 422 : 200,
      body: {
        deliveryId: event.eventUuid,
        dealId,
        status: result.status,
        ...(result.status === 'REJECTED'
          ? { error: result.reason }
          : result.reason
            ? { reason: result.reason }
            : {}),
        correlationId: result.correlationId,
        redelivered: result.redelivered,
      },
    };
  }

  /**
   * Refuses a request whose body could not even be read (too large, bad encoding), keeping what
   * there is of it.
   */
  refuseUnreadable(
    source: WebhookSource,
    request: Omit<WebhookRequest, 'rawBody'>,
    status: number,
    reason: string,
  ) {
    return this.refuse(source, { ...request, rawBody: null }, status, reason);
  }

  /** Signature first (an unverified body is never interpreted), then JSON, then shape. */
  private parse<S extends z.ZodTypeAny>(
    source: WebhookSource,
    request: WebhookRequest,
    signature: SignatureCheck,
    schema: S,
  ): { value: z.infer<S>; json: unknown } | { refused: Promise<WebhookAnswer> } {
    if (!signature.valid) return { refused: this.refuse(source, request, 401, signature.reason) };
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody.toString('utf8'));
    } catch (error) {
      return { refused: this.refuse(source, request, 400, `malformed JSON: ${(error as Error).message}`) };
    }
    const result = schema.safeParse(json);
    if (!result.success) return { refused: this.refuse(source, request, 400, describeIssues(result.error)) };
    return { value: result.data, json };
  }

  private async refuse(
    source: WebhookSource,
    request: Omit<WebhookRequest, 'rawBody'> & { rawBody: Buffer | null },
    status: number,
    reason: string,
  ): Promise<WebhookAnswer> {
    const contentType = request.headers['content-type'] ?? null;
    const row = await this.db.rejectedDelivery.create({
      data: {
        source,
        httpStatus: status,
        reason,
        rawBody: request.rawBody ? new Uint8Array(request.rawBody) : null,
        contentType,
      },
      select: { id: true },
    });
    this.logger.warn(
      { source, status, reason, rejectedId: row.id.toString(), bytes: request.rawBody?.length ?? null },
      'webhook request refused',
    );
    return { status, body: { error: reason, rejectedId: row.id.toString() } };
  }
}

function header(request: Pick<WebhookRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function occurredAtOf(createdDate: string | undefined): Date {
  const parsed = createdDate ? Date.parse(createdDate) : Number.NaN;
  return Number.isNaN(parsed) ? new Date() : new Date(parsed);
}

/** `[1].objectId: Expected number, received string; payload.Amount__c: …` */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
        .join('');
      return `${path || '(body)'}: ${issue.message}`;
    })
    .join('; ');
}
