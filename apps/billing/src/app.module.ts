import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { ActualsService } from './application/actuals.service';
import { BILLING_DB, BillingService } from './application/billing.service';
import { InvoicingService } from './application/invoicing.service';
import { createBillingDb } from './infrastructure/billing-db';
import { ActualsController } from './interface/actuals.controller';
import { BillingPeriodsController } from './interface/billing-periods.controller';
import { BillingSchedulesController } from './interface/billing-schedules.controller';
import { InvoicesController } from './interface/invoices.controller';
import { BillingHandlers } from './interface/billing.handlers';

/**
 * The billing service: billing schedules and revenue rules for new projects; time to cash (priced
 * actuals, period close, invoices, revenue recognition).
 */
@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig = loadServiceConfig('billing', 3005)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'billing', directory: join(__dirname, '..', 'migrations') }],
          publishes: [
            'BillingProvisioned',
            'BusinessExceptionRaised',
            'BusinessExceptionResolved',
            'ActualChanged',
            'BillingPeriodClosed',
            'InvoiceIssued',
            'RevenueRecognized',
          ],
        }),
      ],
      controllers: [
        BillingHandlers,
        BillingSchedulesController,
        BillingPeriodsController,
        InvoicesController,
        ActualsController,
      ],
      providers: [
        { provide: BILLING_DB, useValue: createBillingDb(config.databaseUrl) },
        prismaLifecycle(BILLING_DB),
        BillingService,
        ActualsService,
        InvoicingService,
      ],
    };
  }
}
