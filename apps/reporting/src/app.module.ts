import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { FIGURES_CONFIG, FiguresQueries } from './application/figures-queries';
import { FiguresRecorder } from './application/figures-recorder';
import { ProjectionRebuilds, REBUILD_POLL_MS } from './application/projection-rebuilds';
import { ReportingQueries } from './application/reporting-queries';
import { PROJECTION_STORE, REPORTING_DB, TimelineRecorder } from './application/timeline-recorder';
import { FiguresConfig, loadFiguresConfig } from './config';
import { ProjectionStore } from './infrastructure/projection-store';
import { createReportingDb } from './infrastructure/reporting-db';
import { DealsController } from './interface/deals.controller';
import { ExceptionsController } from './interface/exceptions.controller';
import { ProjectionsController } from './interface/projections.controller';
import { ReportingHandlers } from './interface/reporting.handlers';
import { ReportsController } from './interface/reports.controller';

export interface ReportingOptions {
  /** How often a running rebuild checks its lag (default 1 s). */
  rebuildPollMs?: number;
  /** Report settings (default: from the environment, see `loadFiguresConfig`). */
  figures?: FiguresConfig;
}

/**
 * The reporting service: setup timelines per deal, business exceptions per owner and the
 * time-to-cash figures (utilisation, backlog, margin, leakage, AR ageing, delivery risk), built from events.
 */
@Module({})
export class AppModule {
  static forConfig(
    config: ServiceConfig = loadServiceConfig('reporting', 3006),
    options: ReportingOptions = {},
  ): DynamicModule {
    const migrations = join(__dirname, '..', 'migrations');
    const figures = options.figures ?? loadFiguresConfig();
    const registry = createReportingDb(config.databaseUrl);
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'reporting', directory: migrations }],
          publishes: [],
        }),
      ],
      controllers: [
        ReportingHandlers,
        DealsController,
        ExceptionsController,
        ProjectionsController,
        ReportsController,
      ],
      providers: [
        { provide: REPORTING_DB, useValue: registry },
        {
          provide: PROJECTION_STORE,
          useValue: new ProjectionStore(registry, config.databaseUrl, join(migrations, 'projection')),
        },
        { provide: REBUILD_POLL_MS, useValue: options.rebuildPollMs ?? 1_000 },
        { provide: FIGURES_CONFIG, useValue: figures },
        prismaLifecycle(REPORTING_DB),
        prismaLifecycle(PROJECTION_STORE),
        TimelineRecorder,
        FiguresRecorder,
        ReportingQueries,
        FiguresQueries,
        ProjectionRebuilds,
      ],
    };
  }
}
