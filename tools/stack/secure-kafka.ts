import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

import { HOST } from './config';
import { javaBinary } from './java';
import {
  fetchKafkaJars,
  KAFKA_CLASSPATH,
  KAFKA_MIN_JAVA,
  LOG4J2_CONFIG,
  newClusterId,
  serverConfig,
} from './kafka';
import { freePorts, makeTestCertificates, openssl } from './test-certificates';

/**
 * A second, throwaway KRaft broker whose only client listener is SASL_SSL: SCRAM-SHA-512 over TLS
 * with client certificates required, as a production cluster may be. Its CA, certificates and
 * SCRAM users are made fresh in a temporary directory; nothing of the shared stack is touched.
 */
export interface SecureKafka {
  /** host:port of the SASL_SSL listener. */
  broker: string;
  /** PEM files: the CA that signed the broker's and the client's certificates, the client's pair, and a CA nobody used. */
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  otherCaFile: string;
  /** The broker's certificate and key (for 127.0.0.1), for a test's own TLS server signed by the same CA. */
  serverCertFile: string;
  serverKeyFile: string;
  username: string;
  password: string;
  /** The environment a service or the ops CLI needs to connect; tests vary it. */
  env: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

const MECHANISM = 'SCRAM-SHA-512';

/** Starts the broker and resolves once the client user can describe the cluster through SASL_SSL. */
export async function startSecureKafka({ startTimeoutMs = 90_000 } = {}): Promise<SecureKafka> {
  await fetchKafkaJars();
  const dir = mkdtempSync(join(tmpdir(), 'throughline-secure-kafka-'));
  const [port, controllerPort] = await freePorts(2);
  const broker = `${HOST}:${port}`;
  const certificates = makeTestCertificates(join(dir, 'tls'));
  const files = {
    ...certificates,
    brokerCert: certificates.serverCert,
    brokerKey: certificates.serverKey,
    keystore: join(dir, 'tls', 'broker.p12'),
    keystorePassFile: join(dir, 'tls', 'keystore.pass'),
  };
  const storePassword = randomBytes(12).toString('hex');
  writeFileSync(files.keystorePassFile, storePassword);
  openssl([
    'pkcs12',
    '-export',
    '-in',
    files.brokerCert,
    '-inkey',
    files.brokerKey,
    '-certfile',
    files.ca,
    '-name',
    'broker',
    '-out',
    files.keystore,
    '-passout',
    `file:${files.keystorePassFile}`,
  ]);

  const interBroker = { username: 'broker', password: randomBytes(12).toString('hex') };
  const client = { username: 'throughline', password: randomBytes(12).toString('hex') };
  const properties = join(dir, 'server.properties');
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, LOG4J2_CONFIG);
  writeFileSync(
    properties,
    serverConfig(
      { port, controllerPort, dataDir: join(dir, 'data') },
      {
        listeners: `SASL_SSL://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
        'advertised.listeners': `SASL_SSL://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
        'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name': 'SASL_SSL',
        'sasl.enabled.mechanisms': MECHANISM,
        'sasl.mechanism.inter.broker.protocol': MECHANISM,
        [`listener.name.sasl_ssl.${MECHANISM.toLowerCase()}.sasl.jaas.config`]: `org.apache.kafka.common.security.scram.ScramLoginModule required username="${interBroker.username}" password="${interBroker.password}";`,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': files.keystore,
        'ssl.keystore.password': storePassword,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': files.ca,
        'ssl.client.auth': 'required',
      },
    ),
  );
  const java = javaBinary(KAFKA_MIN_JAVA);
  const logFile = join(dir, 'kafka.log');
  // SCRAM users exist from the first start: the format tool writes them into the metadata log.
  execFileSync(
    java,
    [
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      KAFKA_CLASSPATH,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '-t',
      newClusterId(),
      '-c',
      properties,
      ...[interBroker, client].flatMap(({ username, password }) => [
        '--add-scram',
        `${MECHANISM}=[name=${username},password=${password}]`,
      ]),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );

  const log = openSync(logFile, 'a');
  let server: ChildProcess;
  try {
    server = spawn(
      java,
      [
        '-Xms128m',
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4j}`,
        `-Dkafka.logs.dir=${dir}`,
        '-cp',
        KAFKA_CLASSPATH,
        'kafka.Kafka',
        properties,
      ],
      { cwd: dir, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const killer = setTimeout(() => server.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const env = {
    KAFKA_BROKERS: broker,
    KAFKA_TLS: 'on',
    KAFKA_TLS_CA_FILE: files.ca,
    KAFKA_TLS_CERT_FILE: files.clientCert,
    KAFKA_TLS_KEY_FILE: files.clientKey,
    KAFKA_SASL_MECHANISM: MECHANISM.toLowerCase(),
    KAFKA_SASL_USERNAME: client.username,
    KAFKA_SASL_PASSWORD: client.password,
  };
  try {
    await waitUntilServing(
      broker,
      {
        ca: readFileSync(files.ca, 'utf8'),
        cert: readFileSync(files.clientCert, 'utf8'),
        key: readFileSync(files.clientKey, 'utf8'),
      },
      client,
      exited,
      startTimeoutMs,
    );
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n--- last lines of the broker's log ---\n${tail}`);
  }
  return {
    broker,
    caFile: files.ca,
    clientCertFile: files.clientCert,
    clientKeyFile: files.clientKey,
    otherCaFile: files.otherCa,
    serverCertFile: files.brokerCert,
    serverKeyFile: files.brokerKey,
    username: client.username,
    password: client.password,
    env,
    logFile,
    stop,
  };
}

/** Polls with an authenticated admin client until the broker describes itself, or gives up. */
async function waitUntilServing(
  broker: string,
  tls: { ca: string; cert: string; key: string },
  user: { username: string; password: string },
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  let brokerExit: number | null | undefined;
  void exited.then((code) => (brokerExit = code));
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (brokerExit !== undefined) throw new Error(`the secure broker exited with code ${brokerExit}`);
    const admin = new Kafka({
      brokers: [broker],
      clientId: 'secure-kafka-start',
      ssl: tls,
      sasl: { mechanism: 'scram-sha-512', ...user },
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) return;
    } catch (error) {
      last = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `the secure broker at ${broker} did not serve SASL_SSL within ${timeoutMs} ms (last: ${last})`,
  );
}
