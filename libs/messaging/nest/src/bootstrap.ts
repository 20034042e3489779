import type { Server } from 'node:http';

import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import helmet from 'helmet';

import { MessagingRuntime } from '@throughline/messaging';
import { httpTracingMiddleware } from '@throughline/observability';
import { describeError, Logger } from '@throughline/platform';

import { AuthGuard, loadAuthConfig } from './auth';
import { correlationMiddleware } from './correlation';
import { HttpErrorFilter } from './http-error.filter';
import { KafkaEventTransport } from './kafka-event.transport';
import { LOGGER, SERVICE_CONFIG } from './messaging.module';
import { ApiDocument, serviceOpenApiDocument } from './openapi';
import {
  hostAndOriginGuard,
  inputSafety,
  jsonBody,
  jsonOnly,
  LOCAL_HOSTS,
  requestDeadline,
} from './request-guard';
import { DEFAULT_HTTP_TIMEOUTS, ServiceConfig } from './service-config';

/**
 * Creates a service: HTTP (health, API), its event handlers on the Kafka transport, and graceful
 * shutdown on SIGTERM/SIGINT (in-flight handlers finish and commit before exit).
 *
 * Every request passes, in order: correlation id, tracing, security headers (helmet, no
 * X-Powered-By), the Host/Origin allowlist (421/403), JSON only (415), the body deadline (408 after
 * HTTP_REQUEST_TIMEOUT_MS), the JSON parser with the route's size limit (413, 415, 400; the exact
 * bytes kept as `rawBody`), and the input safety check (NUL, lone surrogates, nesting depth: 400),
 * then the global AuthGuard (bearer JWT or API key, the
 * route's scope: 401/403; a route without a declaration is refused). Every refusal is a problem+json
 * answer. GET /docs serves the service's OpenAPI document, built here from its controllers.
 */
export async function createService(module: Type<unknown> | DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'], bodyParser: false });
  const runtime = app.get(MessagingRuntime);
  const logger = app.get<Logger>(LOGGER);
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  const timeouts = config.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const server = app.getHttpServer() as Server;
  // Node enforces these on its own clock (checked every 30 s); the body deadline is requestDeadline.
  server.headersTimeout = timeouts.requestMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Correlation first, so the request's span and everything after it see the id.
  app.use(correlationMiddleware(logger));
  app.use(httpTracingMiddleware());
  app.use(helmet());
  app.use(hostAndOriginGuard(config.allowedHosts ?? LOCAL_HOSTS));
  app.use(jsonOnly());
  app.use(requestDeadline(timeouts.requestMs));
  app.use(jsonBody(config.bodyLimits));
  app.use(inputSafety());
  app.useGlobalFilters(new HttpErrorFilter(logger));
  app.useGlobalGuards(createAuthGuard(app, logger));
  // GET /docs: built from the same module tree Nest mounted (npm run openapi writes the same document).
  app.get(ApiDocument).set(serviceOpenApiDocument(module));
  await runtime.start();
  app.connectMicroservice(
    { strategy: new KafkaEventTransport(runtime.consumer) },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  return app;
}

/** The global guard of every service: bearer JWT or API key per AUTH_* (see README), deny by default. */
export function createAuthGuard(app: INestApplication, logger: Logger, env = process.env): AuthGuard {
  return new AuthGuard(app.get(Reflector), { ...loadAuthConfig(env), logger });
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
