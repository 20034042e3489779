import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { join } from 'node:path';

import { loadServiceConfig, MessagingModule, ServiceConfig } from '@throughline/messaging-nest';

import { ReportingQueries } from './application/reporting-queries';
import { REPORTING_DB, TimelineRecorder } from './application/timeline-recorder';
import { createReportingDb, ReportingDb } from './infrastructure/reporting-db';
import { DealsController } from './interface/deals.controller';
import { ExceptionsController } from './interface/exceptions.controller';
import { ReportingHandlers } from './interface/reporting.handlers';

class DbLifecycle implements OnModuleDestroy {
  constructor(@Inject(REPORTING_DB) private readonly db: ReportingDb) {}
  async onModuleDestroy(): Promise<void> {
    await this.db.$disconnect();
  }
}

/** The reporting service: setup timelines per deal and business exceptions per owner, built from events. */
@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig = loadServiceConfig('reporting', 3006)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'reporting', directory: join(__dirname, '..', 'migrations') }],
          publishes: [],
        }),
      ],
      controllers: [ReportingHandlers, DealsController, ExceptionsController],
      providers: [
        { provide: REPORTING_DB, useValue: createReportingDb(config.databaseUrl) },
        DbLifecycle,
        TimelineRecorder,
        ReportingQueries,
      ],
    };
  }
}
