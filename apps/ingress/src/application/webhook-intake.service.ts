import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

import { traceHeaders } from '@throughline/observability';
import { commit, createEvent } from '@throughline/messaging';
import { Logger, LOGGER, problem, ProblemFieldError, unsafeJsonProblems } from '@throughline/messaging-nest';

import { EARLIEST_INSTANT, LATEST_INSTANT } from '../domain/calendar';
import { DealNotMappable } from '../domain/deal-draft';
import {
  classifyHubSpotEvent,
  hubSpotDealId,
  hubSpotWebhookBatchSchema,
  hubSpotWebhookEventSchema,
  HubSpotWebhookEvent,
} from '../domain/hubspot';
import { keepBody } from '../domain/rejected-body';
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
  /** True when `body` is RFC 9457 problem details (a refusal). */
  problem?: boolean;
}

/** An event of a batch that was refused on its own, the others being recorded. */
interface RefusedEvent {
  index: number;
  eventId: string | null;
  reason: string;
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

    // Each event on its own: one bad event is refused with its reason, the others are recorded.
    const events: { event: HubSpotWebhookEvent; raw: unknown }[] = [];
    const refused: RefusedEvent[] = [];
    parsed.value.forEach((raw, index) => {
      const eventId = eventIdOf(raw);
      const unsafe = unsafeJsonProblems(raw, `[${index}]`);
      const result = unsafe.length === 0 ? hubSpotWebhookEventSchema.safeParse(raw) : undefined;
      if (result?.success) events.push({ event: result.data, raw });
      else {
        const problems = result ? issuesOf(result.error, `[${index}]`) : unsafe;
        refused.push({ index, eventId, reason: problems.map((p) => `${p.field}: ${p.detail}`).join('; ') });
      }
    });
    const refusal =
      refused.length > 0
        ? await this.refuse(
            'hubspot',
            request,
            400,
            `${refused.length} of ${parsed.value.length} events refused: ` +
              refused.map((event) => event.reason).join('; '),
            refused.map((event) => ({ field: `[${event.index}]`, detail: event.reason })),
          )
        : undefined;
    if (events.length === 0 && refusal) return refusal;

    const rows = events.map(({ event, raw }) => {
      const disposition = classifyHubSpotEvent(event, this.config.hubspot.closedWonStage);
      const isDeal = event.subscriptionType.startsWith('deal.');
      return {
        crm: 'HUBSPOT',
        deliveryId: String(event.eventId),
        crmDealId: isDeal ? String(event.objectId) : null,
        dealId: isDeal ? hubSpotDealId(event.objectId) : null,
        eventKind: event.subscriptionType,
        payload: raw as Prisma.InputJsonObject,
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
        refused: refused.length,
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
        ...(refusal ? { refused, rejectedId: refusal.body['rejectedId'] } : {}),
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
      const reason = `malformed JSON: ${(error as Error).message}`;
      return { refused: this.refuse(source, request, 400, reason, [{ field: '(body)', detail: reason }]) };
    }
    // Batches are checked event by event by the caller; a single event is checked whole here.
    const unsafe = source === 'salesforce' ? unsafeJsonProblems(json) : [];
    if (unsafe.length > 0) {
      const reason = unsafe.map((p) => `${p.field}: ${p.detail}`).join('; ');
      return { refused: this.refuse(source, request, 400, reason, unsafe) };
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      return {
        refused: this.refuse(source, request, 400, describeIssues(result.error), issuesOf(result.error)),
      };
    }
    return { value: result.data, json };
  }

  private async refuse(
    source: WebhookSource,
    request: Omit<WebhookRequest, 'rawBody'> & { rawBody: Buffer | null },
    status: number,
    reason: string,
    errors: readonly ProblemFieldError[] = [],
  ): Promise<WebhookAnswer> {
    const contentType = request.headers['content-type']?.slice(0, 200) ?? null;
    const kept = keepBody(request.rawBody, this.config.rejected.bodyPrefixBytes);
    const row = await this.db.rejectedDelivery.create({
      data: { source, httpStatus: status, reason: reason.slice(0, 10_000), contentType, ...kept },
      select: { id: true },
    });
    this.logger.warn(
      { source, status, reason, rejectedId: row.id.toString(), bytes: kept.bodyBytes },
      'webhook request refused',
    );
    const slug =
      status === 401
        ? 'invalid-signature'
        : status === 413
          ? 'payload-too-large'
          : status === 415
            ? 'unsupported-media-type'
            : 'invalid-request';
    return {
      status,
      problem: true,
      body: problem(status, slug, reason, errors, { rejectedId: row.id.toString() }),
    };
  }
}

function header(request: Pick<WebhookRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The event's creation time, or now when it is missing or implausible (outside 2000–2100). */
function occurredAtOf(createdDate: string | undefined): Date {
  const parsed = createdDate ? Date.parse(createdDate) : Number.NaN;
  return parsed >= EARLIEST_INSTANT && parsed < LATEST_INSTANT ? new Date(parsed) : new Date();
}

/** The eventId of a batch entry, when it has a usable one (for the refusal's report). */
function eventIdOf(raw: unknown): string | null {
  const value = (raw as { eventId?: unknown } | null)?.eventId;
  return (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^\d{1,19}$/.test(value))
    ? String(value)
    : null;
}

/** zod issues as problem field errors, paths in the `[1].objectId` notation of describeIssues. */
function issuesOf(error: z.ZodError, prefix = ''): ProblemFieldError[] {
  return error.issues.map((issue) => {
    const path = pathOf(issue.path);
    const field = prefix && path && !path.startsWith('[') ? `${prefix}.${path}` : `${prefix}${path}`;
    return { field: field || '(body)', detail: issue.message };
  });
}

function pathOf(path: readonly (string | number)[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

/** `[1].objectId: Expected number, received string; payload.Amount__c: …` */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${pathOf(issue.path) || '(body)'}: ${issue.message}`).join('; ');
}
