import {
  Controller,
  DynamicModule,
  Get,
  Global,
  HttpCode,
  Inject,
  Module,
  OnApplicationShutdown,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';

import { Response } from 'express';

import { EventType } from '@throughline/contracts';
import { MessagingRuntime, MessagingRuntimeConfig } from '@throughline/messaging';
import { flushTraces } from '@throughline/observability';
import { MigrationSource } from '@throughline/persistence';
import { createLogger, Logger } from '@throughline/platform';

import { MetricsAccess, PublicProbe } from './auth';
import { ApiResponses } from './openapi/api-metadata';
import { ApiDocument, DocsController } from './openapi/docs.controller';
import { ServiceConfig } from './service-config';

export const LOGGER = Symbol('LOGGER');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface MessagingModuleOptions {
  config: ServiceConfig;
  migrations: readonly MigrationSource[];
  publishes: readonly EventType[];
  consumer?: MessagingRuntimeConfig['consumer'];
  /** The service's logger; default: JSON lines on stdout at the config's level (tests capture lines). */
  logger?: Logger;
}

@Controller('health')
@PublicProbe('liveness and readiness probes')
class HealthController {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HttpCode(200)
  async ready(): Promise<{ status: string }> {
    if (!(await this.runtime.healthy())) throw new ServiceUnavailableException('not ready');
    return { status: 'ready' };
  }
}

@Controller('metrics')
@MetricsAccess()
class MetricsController {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  /** Prometheus text format: consumer lag, events in/out, handler latency, retries, DLQ depth, outbox backlog. */
  @Get()
  @ApiResponses({ status: 200, description: 'Prometheus text exposition format', contentType: 'text/plain' })
  async metrics(@Res() response: Response): Promise<void> {
    response.type(this.runtime.metrics.contentType).send(await this.runtime.metrics.render());
  }
}

class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    await flushTraces();
  }
}

/** Wires one service into the event flow: runtime, logger, config and health endpoints. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const logger = options.logger ?? createLogger(options.config.service, options.config.logLevel);
    const runtime = new MessagingRuntime({
      service: options.config.service,
      brokers: options.config.brokers,
      registryUrl: options.config.registryUrl,
      kafkaSecurity: options.config.kafkaSecurity,
      registrySecurity: options.config.registrySecurity,
      databaseUrl: options.config.databaseUrl,
      databaseName: options.config.databaseName,
      topicPrefix: options.config.topicPrefix,
      migrations: options.migrations,
      publishes: options.publishes,
      consumer: options.consumer,
      logger,
    });
    return {
      module: MessagingModule,
      controllers: [HealthController, MetricsController, DocsController],
      providers: [
        { provide: MessagingRuntime, useValue: runtime },
        { provide: LOGGER, useValue: logger },
        { provide: SERVICE_CONFIG, useValue: options.config },
        RuntimeLifecycle,
        ApiDocument,
      ],
      exports: [MessagingRuntime, LOGGER, SERVICE_CONFIG],
    };
  }
}

export type { Logger };
