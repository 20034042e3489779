import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { IncomingMessage, request as httpRequest, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Provider, ValueProvider } from '@nestjs/common';

import {
  checkKafkaTls,
  ConsumedEvent,
  createEvent,
  createKafka,
  deadLetterTopic,
  KafkaTlsError,
  loadMessagingConnection,
  MessagingRuntime,
  TopicNaming,
} from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { loadServiceConfig, MessagingModule } from '@throughline/messaging-nest';
import { dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';
import { createLogger } from '@throughline/platform';

import { REGISTRY_BASE_URL, REPO_ROOT } from './config';
import { SecureKafka, startSecureKafka } from './secure-kafka';

jest.setTimeout(120_000);

/**
 * Kafka security as a production cluster may demand it: the services' and the ops CLI's
 * connection, configured only through the environment (KAFKA_TLS*, KAFKA_SASL_*,
 * SCHEMA_REGISTRY_*), against a second broker whose only listener is SASL_SSL with SCRAM-SHA-512
 * and client certificates required. The registry is reached through an https proxy that demands
 * basic authentication and forwards to the shared registry.
 */
describe('Kafka SASL_SSL (SCRAM-SHA-512, mutual TLS) and an authenticated https registry', () => {
  let kafka: SecureKafka;
  let registry: AuthenticatingRegistryProxy;
  const run = randomSuffix();
  const databases: string[] = [];
  const runtimes: MessagingRuntime[] = [];

  beforeAll(async () => {
    kafka = await startSecureKafka();
    registry = await AuthenticatingRegistryProxy.start(kafka);
  });

  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.stop()));
    await Promise.all(databases.map((name) => dropDatabase(name)));
    await registry?.close();
    await kafka?.stop();
  });

  /** Everything a service would be given, as environment variables only. */
  function serviceEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const passwordFile = join(kafka.serverKeyFile, '..', 'registry.pass');
    writeFileSync(passwordFile, `${registry.password}\n`);
    return {
      ...kafka.env,
      SCHEMA_REGISTRY_URL: registry.url,
      SCHEMA_REGISTRY_USERNAME: registry.username,
      SCHEMA_REGISTRY_PASSWORD_FILE: passwordFile,
      SCHEMA_REGISTRY_CA_FILE: kafka.caFile,
      ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
      TOPIC_PREFIX: `test.${run}.`,
      ...overrides,
    };
  }

  /** The runtime exactly as MessagingModule builds it for a service from loadServiceConfig. */
  function serviceRuntime(env: NodeJS.ProcessEnv): MessagingRuntime {
    const databaseName = `tl_test_secure_${run}_${databases.length}`;
    databases.push(databaseName);
    const config = loadServiceConfig('secure', 0, { ...env, DATABASE_NAME: databaseName });
    const module = MessagingModule.forRoot({
      config,
      migrations: [],
      publishes: ['SmokeTested'],
      logger: createLogger('secure-test', process.env['LOG_LEVEL'] ?? 'silent'),
    });
    const provider = (module.providers ?? []).find(
      (candidate: Provider): candidate is ValueProvider<MessagingRuntime> =>
        typeof candidate === 'object' && 'useValue' in candidate && candidate.provide === MessagingRuntime,
    );
    if (!provider) throw new Error('MessagingModule provides no MessagingRuntime');
    runtimes.push(provider.useValue);
    return provider.useValue;
  }

  it('publishes and consumes an event with SCRAM-SHA-512 over mutual TLS, schemas through the authenticated registry', async () => {
    const runtime = serviceRuntime(serviceEnv());
    await runtime.start();
    const received: ConsumedEvent<'SmokeTested'>[] = [];
    await runtime.consumer
      .on('SmokeTested', async (event) => {
        received.push(event);
      })
      .start();
    await runtime.consumer.waitUntilJoined(60_000);
    const record = createEvent(
      'SmokeTested',
      { runId: run, message: 'over SASL_SSL', sentAt: 1_764_000_000_000 },
      { source: 'test' },
    );
    await runtime.publisher.publish([{ record }]);

    const event = await eventually(
      () => received.find((candidate) => candidate.envelope.eventId === record.envelope.eventId),
      30_000,
    );
    expect(event.data).toEqual(record.data);
    expect(event.topic).toBe(runtime.naming.topicFor('SmokeTested'));
    // The schemas went through the proxy, with the credentials, and nothing was refused.
    expect(registry.authorized).toBeGreaterThan(0);
    expect(registry.refused).toBe(0);
  });

  it('fails with an authentication error, at once, when the password is wrong', async () => {
    const connection = loadMessagingConnection(serviceEnv({ KAFKA_SASL_PASSWORD: 'not-the-password' })).kafka;
    const admin = createKafka({ ...connection, clientId: `secure-test-${run}` }).admin();
    const started = Date.now();
    const failure = await admin.connect().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    await admin.disconnect().catch(() => undefined);
    expect(failure?.name).toBe('KafkaJSSASLAuthenticationError');
    expect(failure?.message).toMatch(/SASL SCRAM SHA512 authentication failed.*invalid credentials/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a broker certificate from a CA it does not trust, naming KAFKA_TLS_CA_FILE, before anything else', async () => {
    const runtime = serviceRuntime(serviceEnv({ KAFKA_TLS_CA_FILE: kafka.otherCaFile }));
    const started = Date.now();
    const failure = await runtime.start().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(KafkaTlsError);
    expect(failure?.message).toContain(`Kafka TLS handshake failed: ${kafka.broker}:`);
    expect(failure?.message).toMatch(/self-signed certificate in certificate chain.*set KAFKA_TLS_CA_FILE/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The system's CAs do not know the test CA either.
    const { KAFKA_TLS_CA_FILE: _ca, ...withoutCa } = serviceEnv();
    await expect(checkKafkaTls(loadMessagingConnection(withoutCa).kafka)).rejects.toThrow(KafkaTlsError);
  });

  it('serves the ops CLI with the same variables, and it reports a wrong password as such', async () => {
    const env = serviceEnv();
    // One dead-letter topic under the run's prefix, so `dlq list` has something to show.
    const dlq = deadLetterTopic(new TopicNaming(`test.${run}.`).topicFor('SmokeTested'), `test-${run}-ops`);
    const admin = createKafka({
      ...loadMessagingConnection(env).kafka,
      clientId: `secure-test-${run}`,
    }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const listed = await throughline(['dlq', 'list'], env);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toContain(dlq);

    const refused = await throughline(['dlq', 'list'], { ...env, KAFKA_SASL_PASSWORD: 'not-the-password' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/authentication failed/i);
  });
});

/** Runs the ops CLI as an operator would (`npx throughline ...`), with only `env` as its environment. */
function throughline(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(REPO_ROOT, 'apps/ops/bin/throughline.js'), ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/**
 * An https schema registry that demands basic authentication: a proxy in front of the shared
 * registry, with a certificate signed by the test CA.
 */
class AuthenticatingRegistryProxy {
  readonly username = 'registry-user';
  readonly password = `secret-${randomSuffix()}`;
  url = '';
  authorized = 0;
  refused = 0;
  private readonly server: Server;

  private constructor(kafka: SecureKafka) {
    this.server = createServer(
      { cert: readFileSync(kafka.serverCertFile), key: readFileSync(kafka.serverKeyFile) },
      (request, response) => this.forward(request, response),
    );
  }

  static async start(kafka: SecureKafka): Promise<AuthenticatingRegistryProxy> {
    const proxy = new AuthenticatingRegistryProxy(kafka);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.server.address() as { port: number };
    proxy.url = `https://127.0.0.1:${port}/apis/ccompat/v7`;
    return proxy;
  }

  private forward(request: IncomingMessage, response: ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      this.refused++;
      response.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
      return;
    }
    this.authorized++;
    const { authorization: _dropped, host: _host, ...headers } = request.headers;
    const upstream = httpRequest(
      `${REGISTRY_BASE_URL}${request.url ?? '/'}`,
      { method: request.method, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
