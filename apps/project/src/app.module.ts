import { DynamicModule, Module } from '@nestjs/common';
import { join } from 'node:path';

import { publishCurrentState } from '@throughline/messaging';
import {
  loadServiceConfig,
  MessagingModule,
  prismaLifecycle,
  ServiceConfig,
} from '@throughline/messaging-nest';

import { PROJECT_CURRENT_STATE } from './application/current-state';
import { PlanService } from './application/plan.service';
import { PROJECT_DB, ProjectService } from './application/project.service';
import { createProjectDb } from './infrastructure/project-db';
import { ProjectHandlers } from './interface/project.handlers';
import { ProjectsController } from './interface/projects.controller';

/**
 * The project service: PSA projects (phases, milestones, roles) for approved contracts, their change
 * orders (plan versions beside the baseline), milestone completion and cost/margin forecasts.
 */
@Module({})
export class AppModule {
  static forConfig(config: ServiceConfig = loadServiceConfig('project', 3003)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        MessagingModule.forRoot({
          config,
          migrations: [{ name: 'project', directory: join(__dirname, '..', 'migrations') }],
          publishes: [
            'ProjectCreated',
            'BusinessExceptionRaised',
            'BusinessExceptionResolved',
            'ProjectPlanChanged',
            'MilestoneCompleted',
            'ProjectForecastUpdated',
          ],
        }),
      ],
      controllers: [ProjectHandlers, ProjectsController],
      providers: [
        {
          provide: PROJECT_DB,
          useValue: publishCurrentState(createProjectDb(config.databaseUrl), PROJECT_CURRENT_STATE),
        },
        prismaLifecycle(PROJECT_DB),
        ProjectService,
        PlanService,
      ],
    };
  }
}
