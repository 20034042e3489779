import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { MessagingRuntime } from '@throughline/messaging';
import { httpTracingMiddleware } from '@throughline/observability';
import { describeError, Logger } from '@throughline/platform';

import { correlationMiddleware } from './correlation';
import { HttpErrorFilter } from './http-error.filter';
import { KafkaEventTransport } from './kafka-event.transport';
import { LOGGER, SERVICE_CONFIG } from './messaging.module';
import { ServiceConfig } from './service-config';

/**
 * Creates a service: HTTP (health, API), its event handlers on the Kafka transport, and graceful
 * shutdown on SIGTERM/SIGINT (in-flight handlers finish and commit before exit).
 */
export async function createService(module: Type<unknown> | DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'], rawBody: true });
  const runtime = app.get(MessagingRuntime);
  const logger = app.get<Logger>(LOGGER);
  // Correlation first, so the request's span and everything after it see the id.
  app.use(correlationMiddleware(logger));
  app.use(httpTracingMiddleware());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  await runtime.start();
  app.connectMicroservice(
    { strategy: new KafkaEventTransport(runtime.consumer) },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  return app;
}

export async function runService(module: Type<unknown> | DynamicModule): Promise<void> {
  let app: INestApplication | undefined;
  try {
    app = await createService(module);
    const config = app.get<ServiceConfig>(SERVICE_CONFIG);
    await app.listen(config.port, config.host);
    app.get<Logger>(LOGGER).info({ url: await app.getUrl() }, `${config.service} service listening`);
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'fatal', msg: 'service failed to start', error: describeError(error) }),
    );
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}
