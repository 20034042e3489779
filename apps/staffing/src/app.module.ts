import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { STAFFING_DB, StaffingService } from './application/staffing.service';
import { createStaffingDb } from './infrastructure/staffing-db';
import { AssignmentsController } from './interface/assignments.controller';
import { StaffingHandlers } from './interface/staffing.handlers';

/** The staffing service: role demand for new and re-planned projects, assignments and their forecast cost. */
@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig = loadServiceConfig('staffing', 3004)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'staffing', directory: join(__dirname, '..', 'migrations') }],
          publishes: ['StaffingDemandPublished', 'AssignmentChanged'],
        }),
      ],
      controllers: [StaffingHandlers, AssignmentsController],
      providers: [
        { provide: STAFFING_DB, useValue: createStaffingDb(config.databaseUrl) },
        prismaLifecycle(STAFFING_DB),
        StaffingService,
      ],
    };
  }
}
