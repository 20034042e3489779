import { Inject, Injectable } from '@nestjs/common';

import { ConsumedEvent } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { DEAL_PROPERTY, dealProperties, hubSpotDealId, SetupStatus } from '../domain/hubspot-deal';
import { OutboundTx } from '../infrastructure/outbound-db';
import { OutboundConnector } from './outbound-connector';
import { OutboundDelivery } from './outbound-delivery';

/** The CRM connector, or null when the write-back is not configured. */
export const CRM_CONNECTOR = Symbol('CRM_CONNECTOR');
const ENTITY_TYPE = 'Deal';

/**
 * Keeps the CRM deal up to date with what Throughline did for it: its project ids, the setup
 * outcome and the amount invoiced so far. Each event records its fact here and the deal gets the
 * whole state, so redeliveries and replays leave the payload, and thus the CRM, unchanged.
 */
@Injectable()
export class DealWriteBack {
  constructor(
    private readonly delivery: OutboundDelivery,
    @Inject(CRM_CONNECTOR) private readonly connector: OutboundConnector | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async projectCreated(event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    const { dealId, projectId } = event.data;
    await this.writeBack(event, dealId, async (tx) => {
      await tx.crmDealProject.createMany({ data: [{ dealId, projectId }], skipDuplicates: true });
    });
  }

  async setupCompleted(event: ConsumedEvent<'ProjectSetupCompleted'>): Promise<void> {
    const { dealId, projectIds, status, completedAt } = event.data;
    await this.writeBack(event, dealId, async (tx) => {
      await tx.crmDealProject.createMany({
        data: projectIds.map((projectId) => ({ dealId, projectId })),
        skipDuplicates: true,
      });
      // The latest outcome wins; an older one arriving late changes nothing.
      const known = await tx.crmDealSetup.findUnique({ where: { dealId } });
      if (known && known.completedAt.getTime() > completedAt) return;
      const row = { status, completedAt: new Date(completedAt) };
      await tx.crmDealSetup.upsert({ where: { dealId }, create: { dealId, ...row }, update: row });
    });
  }

  async invoiceIssued(event: ConsumedEvent<'InvoiceIssued'>): Promise<void> {
    const invoice = event.data;
    const perDeal = new Map<string, bigint>();
    for (const line of invoice.lines) {
      perDeal.set(line.dealId, (perDeal.get(line.dealId) ?? 0n) + BigInt(line.amountMinor));
    }
    for (const [dealId, amountMinor] of perDeal) {
      await this.writeBack(event, dealId, async (tx) => {
        const row = { currency: invoice.currency, amountMinor };
        await tx.crmDealInvoice.upsert({
          where: { invoiceId_dealId: { invoiceId: invoice.invoiceId, dealId } },
          create: { invoiceId: invoice.invoiceId, dealId, ...row },
          update: row,
        });
      });
    }
  }

  private async writeBack(
    event: ConsumedEvent,
    dealId: string,
    record: (tx: OutboundTx) => Promise<void>,
  ): Promise<void> {
    const log = { eventId: event.envelope.eventId, correlationId: event.envelope.correlationId, dealId };
    if (!this.connector) return;
    const recordId = hubSpotDealId(dealId);
    if (!recordId) {
      this.logger.info(log, 'not a HubSpot deal; no CRM write-back');
      return;
    }
    const connector = this.connector;
    await this.delivery.deliver(
      connector,
      event,
      async (tx) => {
        await record(tx);
        return {
          request: {
            entityType: ENTITY_TYPE,
            externalId: dealId,
            targetRecordId: recordId,
            payload: dealProperties(await dealState(tx, dealId)),
          },
          dealId,
          remediation:
            `Check that HubSpot deal ${recordId} exists and that the deal properties ` +
            `${Object.values(DEAL_PROPERTY).join(', ')} are defined in the portal, then replay the ` +
            `event with the ops CLI`,
        };
      },
      dealId,
    );
  }
}

async function dealState(tx: OutboundTx, dealId: string) {
  const [projects, setup, invoices] = await Promise.all([
    tx.crmDealProject.findMany({ where: { dealId } }),
    tx.crmDealSetup.findUnique({ where: { dealId } }),
    tx.crmDealInvoice.findMany({ where: { dealId } }),
  ]);
  return {
    projectIds: projects.map((project) => project.projectId),
    setupStatus: setup?.status as SetupStatus | undefined,
    invoices,
  };
}
