import { Inject, Injectable } from '@nestjs/common';

import { contextFromHeaders, inSpan, SpanKind } from '@throughline/observability';
import { commit, createEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError, isRetriable } from '@throughline/platform';

import { DealNotMappable } from '../domain/deal-draft';
import {
  associatedIds,
  HubSpotObject,
  hubSpotDealId,
  mapHubSpotDeal,
  primaryCompanyId,
} from '../domain/hubspot';
import { nextRetry } from '../domain/retry';
import { HubSpotApiError, HubSpotCrmClient } from '../infrastructure/hubspot/hubspot-client';
import { IngressDb, Prisma } from '../infrastructure/ingress-db';
import { IngressConfig } from '../ingress-config';
import { INGRESS_CONFIG, INGRESS_DB, SOURCE } from './tokens';

interface ClaimedDelivery {
  deliveryId: string;
  crmDealId: string;
  attempts: number;
  correlationId: string;
  occurredAt: Date | null;
  traceparent: string | null;
}

interface Snapshot {
  deal?: HubSpotObject;
  company?: HubSpotObject;
  lineItems?: HubSpotObject[];
}

type Settled = 'PROCESSED' | 'DUPLICATE' | 'REJECTED';

/**
 * Turns recorded HubSpot closed-won deliveries into DealWon events in the background: claims due
 * deliveries (FOR UPDATE SKIP LOCKED, so several instances share the work), reads the deal, its
 * company and line items from the CRM API, maps them, and publishes DealWon through the outbox in
 * the transaction that marks the delivery processed. API failures that may pass keep the delivery
 * PENDING with a later next attempt; a deal that cannot be mapped is REJECTED with the reason.
 */
@Injectable()
export class HubSpotDealWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HubSpotCrmClient) private readonly crm: HubSpotCrmClient,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the delivery in hand; claimed ones not started yet are released for the next run. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** New work was recorded: look now instead of at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Claims due deliveries and processes them one by one; returns how many it claimed. */
  async processDue(): Promise<number> {
    const claimed = await this.claim();
    for (const [index, delivery] of claimed.entries()) {
      if (!this.running) {
        await this.release(claimed.slice(index));
        break;
      }
      try {
        await inSpan(
          'process HubSpot delivery',
          {
            kind: SpanKind.CONSUMER,
            parent: contextFromHeaders({ traceparent: delivery.traceparent ?? undefined }),
            attributes: {
              'throughline.delivery_id': delivery.deliveryId,
              'throughline.correlation_id': delivery.correlationId,
            },
          },
          () => this.process(delivery),
        );
      } catch (error) {
        // E.g. the database went away mid-way: the lease expires and any worker retries it.
        this.logger.error(
          {
            deliveryId: delivery.deliveryId,
            correlationId: delivery.correlationId,
            error: describeError(error),
          },
          'HubSpot delivery processing failed; it will be retried after its lease',
        );
      }
    }
    return claimed.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.processDue();
      } catch (error) {
        this.logger.warn({ error: describeError(error) }, 'HubSpot worker poll failed; will retry');
      }
      if (claimed < this.config.worker.batchSize && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, this.config.worker.pollIntervalMs);
      this.wakeUp = done;
    });
  }

  /**
   * Leases due deliveries: the attempt is counted and the next attempt moved past the lease, so a
   * worker that dies mid-way only delays the delivery. One statement, so the lock is brief.
   */
  private claim(): Promise<ClaimedDelivery[]> {
    const { batchSize, leaseMs } = this.config.worker;
    return this.db.$queryRaw<ClaimedDelivery[]>`
      UPDATE crm_delivery AS d
         SET attempts = d.attempts + 1,
             next_attempt_at = now() + ${leaseMs}::double precision * interval '1 millisecond'
        FROM (SELECT crm, delivery_id FROM crm_delivery
               WHERE crm = 'HUBSPOT' AND status = 'PENDING' AND next_attempt_at <= now()
               ORDER BY next_attempt_at
               LIMIT ${batchSize}
               FOR UPDATE SKIP LOCKED) AS due
       WHERE d.crm = due.crm AND d.delivery_id = due.delivery_id
   RETURNING d.delivery_id AS "deliveryId", d.crm_deal_id AS "crmDealId", d.attempts,
             d.correlation_id AS "correlationId", d.occurred_at AS "occurredAt",
             d.traceparent`;
  }

  private async release(deliveries: readonly ClaimedDelivery[]): Promise<void> {
    const ids = deliveries.map((delivery) => delivery.deliveryId);
    await this.db.$executeRaw`
      UPDATE crm_delivery SET attempts = attempts - 1, next_attempt_at = now()
       WHERE crm = 'HUBSPOT' AND status = 'PENDING' AND delivery_id = ANY(${ids})`;
  }

  private async process(delivery: ClaimedDelivery): Promise<void> {
    const dealId = hubSpotDealId(delivery.crmDealId);
    const won = await this.db.wonDeal.findUnique({
      where: { crm_crmDealId: { crm: 'HUBSPOT', crmDealId: delivery.crmDealId } },
    });
    if (won) {
      await this.settle(
        delivery,
        'DUPLICATE',
        `deal ${dealId} was already won (DealWon from delivery ${won.deliveryId})`,
      );
      return;
    }
    const snapshot: Snapshot = {};
    let dealWon;
    try {
      snapshot.deal = await this.crm.getDeal(delivery.crmDealId);
      snapshot.company = await this.crm.getCompany(primaryCompanyId(snapshot.deal));
      const lineItemIds = associatedIds(snapshot.deal, 'line_items');
      snapshot.lineItems = lineItemIds.length > 0 ? await this.crm.batchReadLineItems(lineItemIds) : [];
      dealWon = mapHubSpotDeal(
        { deal: snapshot.deal, company: snapshot.company, lineItems: snapshot.lineItems },
        {
          deliveryId: delivery.deliveryId,
          occurredAt: (delivery.occurredAt ?? new Date()).getTime(),
          closedWonStage: this.config.hubspot.closedWonStage,
          defaultCurrency: this.config.hubspot.defaultCurrency,
        },
      );
    } catch (error) {
      if (error instanceof DealNotMappable || (error instanceof HubSpotApiError && !isRetriable(error))) {
        await this.settle(delivery, 'REJECTED', (error as Error).message, snapshot);
      } else {
        await this.retryLater(delivery, error, snapshot);
      }
      return;
    }

    const event = createEvent('DealWon', dealWon, { source: SOURCE, correlationId: delivery.correlationId });
    let status: Settled = 'PROCESSED';
    let reason: string | null = null;
    await commit(this.db, async (tx) => {
      const [row] = await tx.$queryRaw<{ status: string }[]>`
        SELECT status FROM crm_delivery
         WHERE crm = 'HUBSPOT' AND delivery_id = ${delivery.deliveryId} FOR UPDATE`;
      // Another worker finished it after this one's lease ran out.
      if (row?.status !== 'PENDING') return [];
      const inserted = await tx.wonDeal.createMany({
        data: [
          {
            crm: 'HUBSPOT',
            crmDealId: delivery.crmDealId,
            dealId,
            deliveryId: delivery.deliveryId,
            eventId: event.envelope.eventId,
            dealWon: dealWon as unknown as Prisma.InputJsonObject,
          },
        ],
        skipDuplicates: true,
      });
      if (inserted.count === 0) {
        status = 'DUPLICATE';
        reason = `deal ${dealId} was already won by a concurrent delivery`;
      }
      await tx.crmDelivery.update({
        where: { crm_deliveryId: { crm: 'HUBSPOT', deliveryId: delivery.deliveryId } },
        data: {
          status,
          reason,
          dealId,
          processedAt: new Date(),
          lastError: null,
          crmSnapshot: snapshot as unknown as Prisma.InputJsonObject,
        },
      });
      return status === 'PROCESSED' ? [event] : [];
    });
    this.logger.info(
      {
        deliveryId: delivery.deliveryId,
        correlationId: delivery.correlationId,
        dealId,
        status,
        ...(status === 'PROCESSED' ? { eventId: event.envelope.eventId } : {}),
      },
      status === 'PROCESSED' ? 'DealWon published' : 'HubSpot delivery settled',
    );
  }

  private async settle(
    delivery: ClaimedDelivery,
    status: Settled,
    reason: string,
    snapshot?: Snapshot,
  ): Promise<void> {
    await this.db.crmDelivery.updateMany({
      where: { crm: 'HUBSPOT', deliveryId: delivery.deliveryId, status: 'PENDING' },
      data: {
        status,
        reason,
        dealId: hubSpotDealId(delivery.crmDealId),
        processedAt: new Date(),
        ...(snapshot ? { crmSnapshot: snapshot as unknown as Prisma.InputJsonObject } : {}),
      },
    });
    const log = { deliveryId: delivery.deliveryId, correlationId: delivery.correlationId, status, reason };
    if (status === 'REJECTED') this.logger.warn(log, 'HubSpot delivery rejected');
    else this.logger.info(log, 'HubSpot delivery settled');
  }

  private async retryLater(delivery: ClaimedDelivery, error: unknown, snapshot: Snapshot): Promise<void> {
    const message = (error as Error).message ?? String(error);
    const retryAfterMs = error instanceof HubSpotApiError ? error.retryAfterMs : 0;
    const decision = nextRetry(
      {
        baseDelayMs: this.config.worker.retryBaseMs,
        maxDelayMs: this.config.worker.retryMaxMs,
        maxAttempts: this.config.worker.maxAttempts,
      },
      delivery.attempts,
      retryAfterMs,
    );
    if (!decision.retry) {
      await this.settle(
        delivery,
        'REJECTED',
        `gave up after ${delivery.attempts} attempts: ${message}`,
        snapshot,
      );
      return;
    }
    await this.db.$executeRaw`
      UPDATE crm_delivery
         SET next_attempt_at = now() + ${decision.delayMs}::double precision * interval '1 millisecond',
             last_error = ${message}
       WHERE crm = 'HUBSPOT' AND delivery_id = ${delivery.deliveryId} AND status = 'PENDING'`;
    this.logger.warn(
      {
        deliveryId: delivery.deliveryId,
        correlationId: delivery.correlationId,
        attempt: delivery.attempts,
        delayMs: decision.delayMs,
        error: message,
      },
      'HubSpot API call failed; delivery retried later',
    );
  }
}
