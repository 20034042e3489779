import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { BILLING_DB, BillingService } from './application/billing.service';
import { createBillingDb } from './infrastructure/billing-db';
import { BillingSchedulesController } from './interface/billing-schedules.controller';
import { BillingHandlers } from './interface/billing.handlers';

/** The billing service: billing schedules and revenue rules for new projects. */
@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig = loadServiceConfig('billing', 3005)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'billing', directory: join(__dirname, '..', 'migrations') }],
          publishes: ['BillingProvisioned', 'BusinessExceptionRaised'],
        }),
      ],
      controllers: [BillingHandlers, BillingSchedulesController],
      providers: [
        { provide: BILLING_DB, useValue: createBillingDb(config.databaseUrl) },
        prismaLifecycle(BILLING_DB),
        BillingService,
      ],
    };
  }
}
