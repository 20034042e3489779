import { DynamicModule, INestApplication } from '@nestjs/common';

import { MessagingRuntime } from '@throughline/messaging';
import { trackTestTopics } from '@throughline/messaging/testing';
import { databaseUrlFor, dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';

import { createService } from '../bootstrap';
import { loadServiceConfig, ServiceConfig } from '../service-config';
import { sendTestCredentialsTo, startTestIdentityProvider } from './identity-provider';

export * from './identity-provider';

export interface TestService {
  app: INestApplication;
  config: ServiceConfig;
  runtime: MessagingRuntime;
  url: string;
  stop(): Promise<void>;
}

/** A config for `service` isolated to one test run: its own database, topics, subjects and groups. */
export function testServiceConfig(service: string, run = randomSuffix()): ServiceConfig {
  const databaseName = `tl_test_${service}_${run}`;
  trackTestTopics(`test.${run}.`);
  return {
    ...loadServiceConfig(service, 0),
    databaseName,
    databaseUrl: databaseUrlFor(databaseName),
    topicPrefix: `test.${run}.`,
    // Errors only, so a CI log shows why a service stopped working without the noise of a healthy run.
    logLevel: process.env['LOG_LEVEL'] ?? 'error',
  };
}

/**
 * Starts a whole service (HTTP on a free port, Kafka handlers) against the real stack, verifying
 * tokens of the real local OpenID Connect provider (started once per test process); this process's
 * fetch calls to the service carry a token with every scope (see sendTestCredentialsTo).
 */
export async function startTestService(module: DynamicModule, config: ServiceConfig): Promise<TestService> {
  const provider = await startTestIdentityProvider();
  const app = await createService(module);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  sendTestCredentialsTo(url, provider);
  const runtime = app.get(MessagingRuntime);
  // Handlers only run once the group has joined: fail setup clearly if it does not.
  if (runtime.consumer.eventTypes.length > 0) await runtime.consumer.waitUntilJoined(60_000);
  return {
    app,
    config,
    runtime,
    url,
    stop: async () => {
      await app.close();
      await dropDatabase(config.databaseName);
    },
  };
}
