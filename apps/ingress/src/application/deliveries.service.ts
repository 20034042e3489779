import { Inject, Injectable } from '@nestjs/common';

import { BusinessRuleViolation, NotFoundError } from '@throughline/platform';

import { IngressDb } from '../infrastructure/ingress-db';
import { IngressConfig } from '../ingress-config';
import { HubSpotDealWorker } from './hubspot-deal.worker';
import { INGRESS_CONFIG, INGRESS_DB } from './tokens';

export const DELIVERY_STATUSES = ['PENDING', 'PROCESSED', 'IGNORED', 'DUPLICATE', 'REJECTED'] as const;
export const CRMS = ['HUBSPOT', 'SALESFORCE'] as const;

export interface DeliveryQuery {
  status?: (typeof DELIVERY_STATUSES)[number];
  crm?: (typeof CRMS)[number];
  limit: number;
}

const summary = {
  crm: true,
  deliveryId: true,
  crmDealId: true,
  dealId: true,
  eventKind: true,
  status: true,
  reason: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  correlationId: true,
  occurredAt: true,
  receivedAt: true,
  processedAt: true,
} as const;

/** Inspection (and re-driving) of recorded and refused deliveries, for operators. */
@Injectable()
export class DeliveriesService {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(HubSpotDealWorker) private readonly worker: HubSpotDealWorker,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  list(query: DeliveryQuery) {
    return this.db.crmDelivery.findMany({
      where: { status: query.status, crm: query.crm },
      orderBy: { receivedAt: 'desc' },
      take: query.limit,
      select: summary,
    });
  }

  async get(crm: (typeof CRMS)[number], deliveryId: string) {
    const delivery = await this.db.crmDelivery.findUnique({ where: { crm_deliveryId: { crm, deliveryId } } });
    if (!delivery) throw new NotFoundError(`No ${crm} delivery ${deliveryId}`);
    return delivery;
  }

  /**
   * Puts a REJECTED HubSpot delivery back in the queue, e.g. after the deal was fixed in HubSpot
   * (HubSpot does not resend a delivery that was acknowledged).
   */
  async retryHubSpot(deliveryId: string) {
    const delivery = await this.get('HUBSPOT', deliveryId);
    if (delivery.status !== 'REJECTED') {
      throw new BusinessRuleViolation(
        'DELIVERY_NOT_REJECTED',
        `HubSpot delivery ${deliveryId} is ${delivery.status}; only REJECTED deliveries are retried`,
        'SALES_OPERATIONS',
        'Nothing to do: the delivery is processed or still being processed.',
      );
    }
    const updated = await this.db.crmDelivery.update({
      where: { crm_deliveryId: { crm: 'HUBSPOT', deliveryId } },
      data: { status: 'PENDING', reason: null, attempts: 0, nextAttemptAt: new Date(), processedAt: null },
      select: summary,
    });
    this.worker.wake();
    return updated;
  }

  /** Newest first; the body as its prefix (UTF-8, lossy), with the whole body's size and SHA-256. */
  async listRefused(query: { source?: string; limit: number }) {
    const rows = await this.db.rejectedDelivery.findMany({
      where: { source: query.source },
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return rows.map((row) => ({
      id: row.id.toString(),
      source: row.source,
      httpStatus: row.httpStatus,
      reason: row.reason,
      contentType: row.contentType,
      bodyPrefix: row.bodyPrefix ? Buffer.from(row.bodyPrefix).toString('utf8') : null,
      bodyBytes: row.bodyBytes,
      bodySha256: row.bodySha256,
      bodyTruncated:
        row.bodyPrefix !== null && row.bodyBytes !== null && row.bodyPrefix.length < row.bodyBytes,
      receivedAt: row.receivedAt,
    }));
  }

  /** Deletes refused requests older than the retention period; returns how many. */
  async purgeRefused(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.rejected.retentionDays * 86_400_000);
    const { count } = await this.db.rejectedDelivery.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return count;
  }
}
