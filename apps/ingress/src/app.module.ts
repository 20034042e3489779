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
import { PsaBodyParser } from './interface/psa-body-parser';
import { PsaController } from './interface/psa.controller';
import { WebhookBodyErrors } from './interface/webhook-body-errors';
import { WebhooksController } from './interface/webhooks.controller';

/**
 * Starts the HubSpot worker once the app is up (migrations applied), and on shutdown stops it
 * before the database client goes: in that order, so the worker never runs without a database.
 */
@Injectable()
class IngressLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(HubSpotDealWorker) private readonly worker: HubSpotDealWorker,
  ) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async onModuleDestroy(): Promise<void> {
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
    config: ServiceConfig = loadServiceConfig('ingress', 3001),
    ingress: IngressConfig = loadIngressConfig(),
  ): DynamicModule {
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
        PsaBodyParser,
        IngressLifecycle,
      ],
    };
  }
}
