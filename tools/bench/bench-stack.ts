import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { Kafka } from 'kafkajs';
import { Pool } from 'pg';

import { EventType } from '@throughline/contracts';
import {
  AvroEventCodec,
  consumerLag,
  createKafka,
  parseBrokers,
  SchemaRegistryGateway,
  TopicNaming,
} from '@throughline/messaging';
import { databaseUrlFor, dropDatabase } from '@throughline/persistence';

import { RunningService, ServiceName, startServices, stopServices } from '../demo/services';
import { STACK_DIR } from '../stack/config';
import { waitUntil } from './wait';

export const BROKERS = parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092');
export const REGISTRY_URL = process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/**
 * One benchmark run's world: a random run id, its own topic prefix, its own database per service
 * (`bench_<run>_<service>`) and free ports, so a run never meets earlier data, the demo's services on
 * 3001-3007 or another engineer's tests. `stop()` stops the services and drops the databases and
 * topics.
 */
export class BenchStack {
  readonly run = randomBytes(4).toString('hex');
  readonly prefix = `bench.${this.run}.`;
  readonly naming = new TopicNaming(this.prefix);
  readonly kafka: Kafka = createKafka({ brokers: BROKERS, clientId: `bench-${this.run}` });
  readonly logDir = join(STACK_DIR, 'logs', `bench-${this.run}`);
  private services: RunningService[] = [];
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly print: (line: string) => void) {}

  databaseOf(service: ServiceName): string {
    return `bench_${this.run}_${service}`;
  }

  /** The consumer group a service uses under this run's prefix. */
  groupOf(service: ServiceName): string {
    return `${this.prefix}throughline.${service}`;
  }

  codec(): AvroEventCodec {
    return new AvroEventCodec(new SchemaRegistryGateway(REGISTRY_URL), { naming: this.naming });
  }

  /** Where each service writes a V8 CPU profile when it stops (`--cpu-prof`), if set. */
  cpuProfileDir: string | undefined;

  async start(names: readonly ServiceName[], env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.print(`   starting ${names.join(', ')} (run ${this.run}, logs in ${this.logDir})`);
    this.services.push(
      ...(await startServices(names, {
        freePorts: true,
        // Several services join their groups and create their topics at once on a 2-core machine.
        readyTimeoutMs: 180_000,
        logDir: this.logDir,
        env: {
          TOPIC_PREFIX: this.prefix,
          OTEL_TRACES_EXPORTER: 'none',
          LOG_LEVEL: 'warn',
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
          // Synthetic load: marked as test data (header throughline-data) for analysts.
          THROUGHLINE_DATA: 'test',
          // One client drives the whole load; the per-client limit would measure itself, not the service.
          RATE_LIMIT_PER_SECOND: '1000000',
          RATE_LIMIT_BURST: '1000000',
          ...env,
        },
        envFor: (service) => ({ DATABASE_NAME: this.databaseOf(service) }),
        nodeArgsFor: (service) =>
          this.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(this.cpuProfileDir, service)}`] : [],
      })),
    );
  }

  /** Process ids per running service (replicas share a name), for CPU accounting. */
  pids(): Record<string, number[]> {
    const pids: Record<string, number[]> = {};
    for (const service of this.services) {
      if (service.process.pid !== undefined) (pids[service.name] ??= []).push(service.process.pid);
    }
    return pids;
  }

  /** Transactions committed so far in this run's databases (PostgreSQL's statistics, ~1 s behind). */
  async commits(): Promise<number> {
    const { rows } = await this.db('billing').query<{ commits: string }>(
      `SELECT coalesce(sum(xact_commit), 0) AS commits FROM pg_stat_database WHERE datname LIKE $1`,
      [`bench_${this.run}_%`],
    );
    return Number(rows[0]?.commits ?? 0);
  }

  url(name: ServiceName): string {
    const service = this.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`${name} is not running in this benchmark`);
    return service.url;
  }

  /** A small pool on a service's database (benchmarks read it directly to wait and to measure). */
  db(name: ServiceName): Pool {
    let pool = this.pools.get(name);
    if (!pool) {
      pool = new Pool({ connectionString: databaseUrlFor(this.databaseOf(name)), max: 2 });
      this.pools.set(name, pool);
    }
    return pool;
  }

  async count(name: ServiceName, sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.db(name).query<{ count: string }>(sql, params);
    return Number(rows[0]?.count ?? 0);
  }

  /** The schema of reporting's ACTIVE projection (the one its queries read). */
  async reportingSchema(): Promise<string> {
    const { rows } = await this.db('reporting').query<{ version: number }>(
      `SELECT version FROM projection WHERE state = 'ACTIVE'`,
    );
    if (!rows[0]) throw new Error('reporting has no active projection');
    return `projection_${rows[0].version}`;
  }

  /** Waits until a service's consumer group has consumed everything on the given event topics. */
  async waitForLag0(
    service: ServiceName,
    eventTypes: readonly EventType[],
    timeoutMs: number,
  ): Promise<number> {
    const topics = eventTypes.map((eventType) => this.naming.topicFor(eventType));
    return waitUntil(
      `${service} consumer lag 0`,
      async () => {
        const lag = (await consumerLag(this.kafka, this.groupOf(service), topics)).reduce(
          (sum, row) => sum + row.lag,
          0,
        );
        return { done: lag === 0, status: `lag ${lag}` };
      },
      { timeoutMs, print: this.print, pollMs: 500 },
    );
  }

  async stop(): Promise<void> {
    await stopServices(this.services);
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    const names = [...new Set(this.services.map((service) => service.name))];
    await Promise.all(names.map((name) => dropDatabase(this.databaseOf(name)).catch(() => undefined)));
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}

/** Runs `work` on a fresh BenchStack and always cleans it up. */
export async function withBenchStack<T>(
  print: (line: string) => void,
  work: (stack: BenchStack) => Promise<T>,
): Promise<T> {
  const stack = new BenchStack(print);
  try {
    return await work(stack);
  } finally {
    print(
      `   cleaning up run ${stack.run} (services, databases bench_${stack.run}_*, topics ${stack.prefix}*)`,
    );
    await stack.stop();
  }
}

/** The calendar month before `today`'s, YYYY-MM (a month whose days are all in the past). */
export function previousMonth(today = new Date()): string {
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}
