import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import { publishCurrentState } from '@throughline/messaging';
import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { CONTRACT_CURRENT_STATE } from './application/current-state';
import { DealApprovalService } from './application/deal-approval.service';
import { DealQueryService } from './application/deal-query.service';
import { ProjectSetupService } from './application/project-setup.service';
import { CONTRACT_DB, SETUP_CONFIG, SetupConfig } from './application/tokens';
import { loadSetupConfig } from './config';
import { createContractDb } from './infrastructure/contract-db';
import { ContractHandlers } from './interface/contract.handlers';
import { DealsController } from './interface/deals.controller';
import { SetupDeadlineScheduler } from './interface/setup-deadline.scheduler';

/**
 * The contract service: validates won deals against ERP master data, approves contracts (one
 * delivery per legal entity), routes gaps to their owners and resumes when they are fixed, and
 * tracks each deal's project setup to READY or OVERDUE.
 */
@Module({})
export class AppModule {
  static forConfig(
    config: ServiceConfig = loadServiceConfig('contract', 3002),
    setup: SetupConfig = loadSetupConfig(),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'contract', directory: join(__dirname, '..', 'migrations') }],
          publishes: [
            'ContractApproved',
            'BusinessExceptionRaised',
            'BusinessExceptionResolved',
            'ProjectSetupCompleted',
          ],
        }),
      ],
      controllers: [ContractHandlers, DealsController],
      providers: [
        {
          provide: CONTRACT_DB,
          useValue: publishCurrentState(createContractDb(config.databaseUrl), CONTRACT_CURRENT_STATE),
        },
        { provide: SETUP_CONFIG, useValue: setup },
        prismaLifecycle(CONTRACT_DB),
        DealApprovalService,
        ProjectSetupService,
        DealQueryService,
        SetupDeadlineScheduler,
      ],
    };
  }
}
