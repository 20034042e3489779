import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import { MessagingRuntime } from '@throughline/messaging';
import {
  Logger,
  LOGGER,
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { CRM_CONNECTOR, DealWriteBack } from './application/deal-write-back';
import { ERP_CONNECTOR, ErpSync } from './application/erp-sync';
import { OutboundCalls } from './application/outbound-calls';
import { OUTBOUND_DB, OutboundDelivery } from './application/outbound-delivery';
import { WEBHOOK_ROUTES, WebhookFanout, WebhookRoute } from './application/webhook-fanout';
import { deliveryTimeoutMs, loadOutboundConfig, OutboundConfig } from './config';
import { subscribedEventTypes } from './domain/webhook';
import { HubSpotDealConnector } from './infrastructure/hubspot-connector';
import { NetSuiteConnector } from './infrastructure/netsuite-connector';
import { createOutboundDb } from './infrastructure/outbound-db';
import { OutboundMetrics } from './infrastructure/outbound-metrics';
import { TargetHttpClient } from './infrastructure/target-http-client';
import { webhookTarget, WebhookConnector } from './infrastructure/webhook-connector';
import { OutboundCallsController } from './interface/outbound-calls.controller';
import { OutboundHandlers } from './interface/outbound.handlers';
import { subscribeWebhookEvents, WEBHOOK_SUBSCRIPTIONS } from './interface/webhook-subscriptions';

/**
 * The outbound service: writes what Throughline decided back to the systems of record (the HubSpot
 * deal, NetSuite customers and invoices) and to webhook subscribers, once per payload and within each target's limits.
 */
@Module({})
export class AppModule {
  static forConfig(
    config: ServiceConfig = loadServiceConfig('outbound', 3008),
    outbound: OutboundConfig = loadOutboundConfig(),
  ): DynamicModule {
    const client = (target: string, concurrency: number, metrics: OutboundMetrics, logger: Logger) =>
      new TargetHttpClient({ target, concurrency, ...outbound.client, metrics, logger });
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'outbound', directory: join(__dirname, '..', 'migrations') }],
          publishes: ['BusinessExceptionRaised', 'BusinessExceptionResolved', 'OutboundRecordSynced'],
        }),
      ],
      controllers: [OutboundHandlers, OutboundCallsController],
      providers: [
        {
          provide: OUTBOUND_DB,
          useValue: createOutboundDb(config.databaseUrl, deliveryTimeoutMs(outbound.client)),
        },
        prismaLifecycle(OUTBOUND_DB),
        {
          provide: OutboundMetrics,
          inject: [MessagingRuntime],
          useFactory: (runtime: MessagingRuntime) => new OutboundMetrics(runtime.metrics.registry),
        },
        {
          provide: CRM_CONNECTOR,
          inject: [OutboundMetrics, LOGGER],
          useFactory: (metrics: OutboundMetrics, logger: Logger) => {
            const hubspot = outbound.hubspot;
            if (!hubspot) {
              logger.warn({}, 'HUBSPOT_ACCESS_TOKEN not set: HubSpot deal write-back is off');
              return null;
            }
            return new HubSpotDealConnector(client('hubspot', hubspot.concurrency, metrics, logger), hubspot);
          },
        },
        {
          provide: ERP_CONNECTOR,
          inject: [OutboundMetrics, LOGGER],
          useFactory: (metrics: OutboundMetrics, logger: Logger) => {
            const netsuite = outbound.netsuite;
            if (!netsuite) {
              logger.warn({}, 'NETSUITE_ACCOUNT_ID not set: the NetSuite ERP connector is off');
              return null;
            }
            return new NetSuiteConnector(client('netsuite', netsuite.concurrency, metrics, logger), netsuite);
          },
        },
        {
          provide: WEBHOOK_ROUTES,
          inject: [OutboundMetrics, LOGGER],
          useFactory: (metrics: OutboundMetrics, logger: Logger): WebhookRoute[] =>
            outbound.webhooks.map((subscriber) => ({
              events: subscriber.events,
              connector: new WebhookConnector(
                client(webhookTarget(subscriber), outbound.webhookConcurrency, metrics, logger),
                subscriber,
              ),
            })),
        },
        OutboundDelivery,
        OutboundCalls,
        DealWriteBack,
        ErpSync,
        WebhookFanout,
        {
          provide: WEBHOOK_SUBSCRIPTIONS,
          inject: [MessagingRuntime, WebhookFanout, LOGGER],
          useFactory: (runtime: MessagingRuntime, webhooks: WebhookFanout, logger: Logger) =>
            subscribeWebhookEvents(
              runtime.consumer,
              webhooks,
              logger,
              subscribedEventTypes(outbound.webhooks),
            ),
        },
      ],
    };
  }
}
