import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import { publishCurrentState } from '@throughline/messaging';
import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { ActualsService } from './application/actuals.service';
import { BILLING_DB, BillingService } from './application/billing.service';
import { BILLING_CURRENT_STATE } from './application/current-state';
import { InvoicingService, PAYMENT_TERMS, TAX_POLICY } from './application/invoicing.service';
import { PaymentsService } from './application/payments.service';
import { TaxService } from './application/tax.service';
import { parsePaymentTerms } from './domain/invoice-issue';
import { parseTaxPolicy } from './domain/tax';
import { createBillingDb } from './infrastructure/billing-db';
import { ActualsController } from './interface/actuals.controller';
import { BillingPeriodsController } from './interface/billing-periods.controller';
import { BillingSchedulesController } from './interface/billing-schedules.controller';
import { InvoicesController } from './interface/invoices.controller';
import { BillingHandlers } from './interface/billing.handlers';
import { ReceivablesController } from './interface/receivables.controller';

/**
 * The billing service: billing schedules and revenue rules for new projects; time to cash (priced
 * actuals, period close, invoices, revenue recognition, cash application).
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
        ReceivablesController,
      ],
      providers: [
        {
          provide: BILLING_DB,
          useValue: publishCurrentState(createBillingDb(config.databaseUrl), BILLING_CURRENT_STATE),
        },
        prismaLifecycle(BILLING_DB),
        BillingService,
        ActualsService,
        InvoicingService,
        PaymentsService,
        TaxService,
        // Read at boot so a bad value stops the service with the variable named.
        { provide: PAYMENT_TERMS, useValue: parsePaymentTerms(process.env['BILLING_PAYMENT_TERMS_DAYS']) },
        { provide: TAX_POLICY, useValue: parseTaxPolicy(process.env['BILLING_TAX']) },
      ],
    };
  }
}
