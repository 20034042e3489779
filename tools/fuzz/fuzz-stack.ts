import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { Kafka } from 'kafkajs';
import { Pool } from 'pg';

import { createKafka, parseBrokers } from '@throughline/messaging';
import { trackTestTopics } from '@throughline/messaging/testing';
import { databaseUrlFor, dropDatabase } from '@throughline/persistence';

import { RunningService, ServiceName, startServices } from '../demo/services';
import { STACK_DIR } from '../stack/config';
import { FUZZ_HUBSPOT_SECRET, FUZZ_PUBLIC_URL, FUZZ_SALESFORCE_SECRET } from './client';

/** Tables whose rows record refused requests by design (README of ingress: `rejected_delivery`). */
export const REFUSAL_TABLES = ['ingress.rejected_delivery'];

/**
 * The fuzzed services as processes of their own (as in production, so a crash is an exit, not a
 * failed test), each on its own database and this run's topic prefix, with the per-client rate
 * limit lifted: one client sends the whole load.
 */
export class FuzzStack {
  readonly run = randomBytes(4).toString('hex');
  readonly prefix = `test.fuzz${this.run}.`;
  readonly logDir = join(STACK_DIR, 'logs', `fuzz-${this.run}`);
  readonly services = new Map<ServiceName, RunningService>();
  private readonly kafka: Kafka = createKafka({
    brokers: parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'),
    clientId: `fuzz-${this.run}`,
  });
  private readonly pools = new Map<ServiceName, Pool>();

  databaseOf(service: ServiceName): string {
    return `tl_test_${service}_fuzz${this.run}`;
  }

  async start(names: readonly ServiceName[]): Promise<void> {
    trackTestTopics(this.prefix);
    const started = await Promise.allSettled(
      names.map((name) =>
        startServices([name], {
          freePorts: true,
          logDir: this.logDir,
          readyTimeoutMs: 180_000,
          env: {
            TOPIC_PREFIX: this.prefix,
            DATABASE_NAME: this.databaseOf(name),
            LOG_LEVEL: 'error',
            OTEL_TRACES_EXPORTER: 'none',
            KAFKAJS_NO_PARTITIONER_WARNING: '1',
            RATE_LIMIT_PER_SECOND: '1000000',
            RATE_LIMIT_BURST: '1000000',
            INGRESS_PUBLIC_URL: FUZZ_PUBLIC_URL,
            HUBSPOT_APP_SECRET: FUZZ_HUBSPOT_SECRET,
            HUBSPOT_ACCESS_TOKEN: 'fuzz-hubspot-token',
            // Nothing fuzzed may reach the worker; if something did, it would fail fast here.
            HUBSPOT_API_URL: 'http://127.0.0.1:9',
            SALESFORCE_WEBHOOK_SECRET: FUZZ_SALESFORCE_SECRET,
          },
        }),
      ),
    );
    for (const result of started) {
      if (result.status === 'fulfilled')
        for (const service of result.value) this.services.set(service.name, service);
    }
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  url(name: ServiceName): string {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running in this fuzz run`);
    return service.url;
  }

  private pool(name: ServiceName): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new Pool({ connectionString: databaseUrlFor(this.databaseOf(name)), max: 2 });
      this.pools.set(name, pool);
    }
    return pool;
  }

  /** Rows of every table of every service's database (`service.table`), outbox and inbox included. */
  async rowCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of this.services.keys()) {
      const pool = this.pool(name);
      const { rows: tables } = await pool.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
          ORDER BY 1, 2`,
      );
      for (const table of tables) {
        const { rows } = await pool.query<{ count: string }>(
          `SELECT count(*) AS count FROM "${table.schema}"."${table.name}"`,
        );
        const label = table.schema === 'public' ? table.name : `${table.schema}.${table.name}`;
        counts[`${name}.${label}`] = Number(rows[0]?.count ?? 0);
      }
    }
    return counts;
  }

  /** Outbox rows not yet published, over all services (0 once every relay caught up). */
  async pendingOutbox(): Promise<number> {
    let pending = 0;
    for (const name of this.services.keys()) {
      const { rows } = await this.pool(name).query<{ count: string }>(
        `SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL`,
      );
      pending += Number(rows[0]?.count ?? 0);
    }
    return pending;
  }

  /** End offset (sum over partitions) of every topic under this run's prefix. */
  async topicEndOffsets(): Promise<Record<string, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets: Record<string, number> = {};
      for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(this.prefix)).sort()) {
        const partitions = await admin.fetchTopicOffsets(topic);
        offsets[topic.slice(this.prefix.length)] = partitions.reduce((sum, p) => sum + Number(p.high), 0);
      }
      return offsets;
    } finally {
      await admin.disconnect();
    }
  }

  /** Services whose process exited. */
  exited(): string[] {
    return [...this.services.values()]
      .filter((service) => service.process.exitCode !== null || service.process.signalCode !== null)
      .map((service) => `${service.name} (exit ${service.process.exitCode ?? service.process.signalCode})`);
  }

  /** GET /health/live of every service. */
  async liveness(): Promise<Record<string, number>> {
    const answers: Record<string, number> = {};
    for (const [name, service] of this.services) {
      try {
        answers[name] = (
          await fetch(`${service.url}/health/live`, { signal: AbortSignal.timeout(5_000) })
        ).status;
      } catch {
        answers[name] = 0;
      }
    }
    return answers;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    for (const name of this.services.keys()) await dropDatabase(this.databaseOf(name));
  }
}
