import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { HISTORY_EVENT_TYPES, SlaMonitorService } from './application/sla-monitor.service';
import { SlaQueryService } from './application/sla-query.service';
import { SLA_DB, SLA_SETTINGS, SlaSettings } from './application/tokens';
import { loadSlaSettings } from './config';
import { consumedEventTypes } from './domain/observation';
import { createSlaDb } from './infrastructure/sla-db';
import { SlaCheckScheduler } from './interface/sla-check.scheduler';
import { SlaController } from './interface/sla.controller';
import { slaEventHandlers } from './interface/sla.handlers';

/**
 * The SLA service: business SLA clocks per entity (deal, project), opened and closed by events,
 * breaches raised to their owner with the money at risk, recoveries, and ROI figures.
 */
@Module({})
export class AppModule {
  static forConfig(
    config: ServiceConfig = loadServiceConfig('sla', 3007),
    settings: SlaSettings = loadSlaSettings(),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'sla', directory: join(__dirname, '..', 'migrations') }],
          publishes: ['SlaBreached', 'SlaRecovered'],
        }),
      ],
      controllers: [
        slaEventHandlers([...new Set([...consumedEventTypes(settings.slas), ...HISTORY_EVENT_TYPES])].sort()),
        SlaController,
      ],
      providers: [
        { provide: SLA_DB, useValue: createSlaDb(config.databaseUrl) },
        { provide: SLA_SETTINGS, useValue: settings },
        prismaLifecycle(SLA_DB),
        SlaMonitorService,
        SlaQueryService,
        SlaCheckScheduler,
      ],
    };
  }
}
