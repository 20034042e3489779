import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { join } from 'node:path';

import { loadServiceConfig, MessagingModule, ServiceConfig } from '@throughline/messaging-nest';
import { PeriodicTask } from '@throughline/platform';

import { DeliveriesService } from './application/deliveries.service';
import { FinanceIntakeService } from './application/finance-intake.service';
import { HubSpotDealWorker } from './application/hubspot-deal.worker';
import { MasterDataService } from './application/master-data.service';
import { PsaIntakeService } from './application/psa-intake.service';
import { INGRESS_CONFIG, INGRESS_DB } from './application/tokens';
import { WebhookIntake } from './application/webhook-intake.service';
import { HubSpotCrmClient } from './infrastructure/hubspot/hubspot-client';
import { createIngressDb, IngressDb } from './infrastructure/ingress-db';
import { IngressConfig, loadIngressConfig } from './ingress-config';
import { DeliveriesController } from './interface/deliveries.controller';
import { ErpController } from './interface/erp.controller';
import { FinanceController } from './interface/finance.controller';
import { PsaController } from './interface/psa.controller';
import { WebhookBodyErrors } from './interface/webhook-body-errors';
import { WebhooksController } from './interface/webhooks.controller';

/** A full PSA batch (500 entries with long ids and approval fields) is ~150 kB; the longest allowed ~1 MB. */
export const PSA_BODY_LIMIT = '1mb';

/**
 * Starts the HubSpot worker and the purge of old refused requests once the app is up (migrations
 * applied), and on shutdown stops them before the database client goes: in that order, so they
 * never run without a database.
 */
@Injectable()
class IngressLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly purge: PeriodicTask;

  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(HubSpotDealWorker) private readonly worker: HubSpotDealWorker,
    @Inject(DeliveriesService) deliveries: DeliveriesService,
    @Inject(INGRESS_CONFIG) config: IngressConfig,
  ) {
    this.purge = new PeriodicTask(config.rejected.purgeIntervalMs, async () => {
      await deliveries.purgeRefused(new Date()).catch(() => undefined);
    });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
    this.purge.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.purge.stop();
    await this.worker.stop();
    await this.db.$disconnect();
  }
}

/**
 * The ingress service: verified CRM webhooks (HubSpot, Salesforce) become DealWon, ERP master data
 * becomes *Upserted events, PSA time and expenses become *Approved events on approval, ERP payments
 * PaymentReceived and approved change orders ChangeOrderApproved. Pure HTTP in; it consumes no events.
 */
@Module({})
export class AppModule {
  static forConfig(
    serviceConfig: ServiceConfig = loadServiceConfig('ingress', 3001),
    ingress: IngressConfig = loadIngressConfig(),
  ): DynamicModule {
    const config: ServiceConfig = {
      ...serviceConfig,
      // The CRMs call the public URL: its host is served besides the local names.
      allowedHosts: [...(serviceConfig.allowedHosts ?? []), new URL(ingress.publicUrl).hostname],
      bodyLimits: [{ path: '/psa', limit: PSA_BODY_LIMIT }],
    };
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'ingress', directory: join(__dirname, '..', 'migrations') }],
          publishes: [
            'DealWon',
            'CustomerUpserted',
            'LegalEntityUpserted',
            'RateCardUpserted',
            'ProjectTemplateUpserted',
            'TimeEntryApproved',
            'ExpenseApproved',
            'PaymentReceived',
            'ChangeOrderApproved',
          ],
        }),
      ],
      controllers: [
        WebhooksController,
        DeliveriesController,
        ErpController,
        PsaController,
        FinanceController,
      ],
      providers: [
        { provide: INGRESS_DB, useValue: createIngressDb(config.databaseUrl) },
        { provide: INGRESS_CONFIG, useValue: ingress },
        {
          provide: HubSpotCrmClient,
          useValue: new HubSpotCrmClient({
            apiUrl: ingress.hubspot.apiUrl,
            accessToken: ingress.hubspot.accessToken,
            requestsPerSecond: ingress.hubspot.requestsPerSecond,
            timeoutMs: ingress.hubspot.timeoutMs,
          }),
        },
        HubSpotDealWorker,
        WebhookIntake,
        DeliveriesService,
        MasterDataService,
        PsaIntakeService,
        FinanceIntakeService,
        WebhookBodyErrors,
        IngressLifecycle,
      ],
    };
  }
}
