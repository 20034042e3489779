import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';

import { EVENTS, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import {
  AvroEventCodec,
  ConsumedEvent,
  createEvent,
  createKafka,
  deadLetterTopic,
  ensureTopics,
  EventConsumer,
  EventPublisher,
  SchemaRegistryGateway,
  TopicNaming,
} from '@throughline/messaging';
import { databaseUrlFor, dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';
import { createLogger } from '@throughline/platform';

import { ServiceName } from '../demo/services';
import { KAFKA_BROKERS, REGISTRY_URL } from '../stack';
import { REPO_ROOT, STACK_DIR } from '../stack/config';
import { ServiceProcess } from './service-process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(100);
  }
}

/** What one scenario measured; the spec asserts lost = 0 and duplicated = 0. */
export interface FaultReport {
  name: string;
  /** Runs (process lifetimes) of the service under test, restarts included. */
  runs: number;
  /** Input events the test got acknowledged by Kafka (the effects it expects). */
  events: number;
  /** Expected projects without a project_demand row or without a StaffingDemandPublished. */
  lost: number;
  /** Projects with more than one effect: two ledger rows, or two StaffingDemandPublished with different eventIds. */
  duplicated: number;
  /** Extra copies of an already published StaffingDemandPublished (same eventId): at-least-once, harmless. */
  redelivered: number;
}

export function reportLine(report: FaultReport): string {
  const { name, runs, events, lost, duplicated, redelivered } = report;
  return `fault ${name}: runs=${runs} events=${events} lost=${lost} duplicated=${duplicated} redelivered=${redelivered}`;
}

/**
 * Reads one event type under a run's prefix and keeps every record by its Kafka position, so the
 * collector's own re-reads (after a broker restart or rebalance) are not mistaken for redeliveries
 * by the service. `keyOf` names what the event is an effect for (a project, a priced entry);
 * events it maps to undefined are not counted.
 */
export class EventCollector<T extends EventType> {
  private readonly byPosition = new Map<string, { eventId: string; key: string }>();
  private consumer: EventConsumer | undefined;

  constructor(
    private readonly run: FaultRun,
    private readonly eventType: T,
    private readonly keyOf: (event: ConsumedEvent<T>) => string | undefined,
  ) {}

  async start(): Promise<this> {
    const consumer = new EventConsumer(this.run.kafka, this.run.codec, {
      groupId: `${this.run.prefix}faults-collector-${this.eventType}`,
      logger: createLogger('faults-collector', 'silent'),
      naming: this.run.naming,
    });
    consumer.on(this.eventType, async (event) => {
      const key = this.keyOf(event);
      if (key === undefined) return;
      this.byPosition.set(`${event.partition}:${event.offset}`, { eventId: event.envelope.eventId, key });
    });
    await consumer.start();
    this.consumer = consumer;
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** key → eventId → number of records. */
  perKey(): Map<string, Map<string, number>> {
    const keys = new Map<string, Map<string, number>>();
    for (const { eventId, key } of this.byPosition.values()) {
      const events = keys.get(key) ?? new Map<string, number>();
      events.set(eventId, (events.get(eventId) ?? 0) + 1);
      keys.set(key, events);
    }
    return keys;
  }
}

/** Keys with events of two or more eventIds (a second effect), and extra copies of one eventId (harmless). */
export function countCopies(
  expected: readonly string[],
  published: Map<string, Map<string, number>>,
): { missing: number; duplicated: number; redelivered: number } {
  let missing = 0;
  let duplicated = 0;
  let redelivered = 0;
  for (const key of expected) {
    const events = published.get(key);
    if (!events) missing++;
    if (events && events.size > 1) duplicated++;
    for (const copies of events?.values() ?? []) redelivered += copies - 1;
  }
  return { missing, duplicated, redelivered };
}

export interface ServiceStart {
  /** Extra environment, e.g. DATABASE_URL or SCHEMA_REGISTRY_URL pointing at a proxy. */
  env?: NodeJS.ProcessEnv;
}

/** The services a scenario can run (each in its own database under the run's id). */
export type FaultService = Extract<ServiceName, 'staffing' | 'billing'>;

/**
 * Makes staffing's `project_demand` a ledger of handled events: each inserted row gets its own key
 * (`<projectId>#<n>`), so staffing's own "this project already has its demand" check never matches
 * and only the inbox stands between a redelivered ProjectCreated and a second row and a second
 * StaffingDemandPublished. Without it a suite with the inbox removed would still pass.
 */
const LEDGER_SQL = `
  CREATE SEQUENCE IF NOT EXISTS fault_ledger_seq;
  CREATE OR REPLACE FUNCTION fault_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.project_id := NEW.project_id || '#' || nextval('fault_ledger_seq');
    RETURN NEW;
  END $$;
  DROP TRIGGER IF EXISTS fault_ledger ON project_demand;
  CREATE TRIGGER fault_ledger BEFORE INSERT ON project_demand FOR EACH ROW EXECUTE FUNCTION fault_ledger();
`;

/**
 * One isolated scenario run: its own topic prefix (topics, subjects, consumer groups), its own
 * service databases, a publisher, collectors of output events, and the services as child
 * processes (as in production). Staffing's effects are counted by default: `project_demand` rows
 * (a ledger, see LEDGER_SQL) and StaffingDemandPublished.
 */
export class FaultRun {
  readonly id = randomSuffix();
  readonly prefix = `fault.${this.id}.`;
  readonly naming = new TopicNaming(this.prefix);
  readonly kafka: Kafka;
  readonly codec: AvroEventCodec;
  readonly staffingDatabase = `tl_fault_${this.id}_staffing`;
  /** staffing's consumer group (MessagingRuntime's default: `<prefix>throughline.staffing`). */
  readonly groupId = `${this.prefix}throughline.staffing`;
  readonly logDir: string;
  readonly collector: EventCollector<'StaffingDemandPublished'>;
  private publisher: EventPublisher | undefined;
  private readonly pools = new Map<FaultService, Pool>();
  private readonly instances: { service: FaultService; instance: ServiceProcess }[] = [];
  private readonly collectors: EventCollector<EventType>[] = [];
  private readonly extraDatabases: string[] = [];

  private constructor(readonly name: string) {
    this.kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: `faults-${this.id}` });
    this.codec = new AvroEventCodec(new SchemaRegistryGateway(REGISTRY_URL), { naming: this.naming });
    this.logDir = join(STACK_DIR, 'logs', 'faults', `${name}-${this.id}`);
    this.collector = new EventCollector(this, 'StaffingDemandPublished', (event) => event.data.projectId);
  }

  static async create(name: string, options: { publishes?: EventType[] } = {}): Promise<FaultRun> {
    const run = new FaultRun(name);
    mkdirSync(run.logDir, { recursive: true });
    const publishes = options.publishes ?? ['ProjectCreated'];
    await ensureTopics(
      run.kafka,
      [...publishes, 'StaffingDemandPublished' as const].map((type) => EVENTS[type].topic),
      run.naming,
    );
    await run.codec.prepare(publishes);
    await run.collector.start();
    return run;
  }

  /** Process lifetimes of the services under test, restarts included. */
  get runs(): number {
    return this.instances.reduce((sum, { instance }) => sum + instance.runs, 0);
  }

  /** Unexpected exits of service processes (each was started again). */
  get crashes(): string[] {
    return this.instances.flatMap(({ instance }) => instance.crashes);
  }

  /** Service processes that exited while starting (each was started again). */
  get failedStarts(): string[] {
    return this.instances.flatMap(({ instance }) => instance.failedStarts);
  }

  get inputTopic(): string {
    return this.naming.topicFor('ProjectCreated');
  }

  get deadLetterTopic(): string {
    return deadLetterTopic(this.inputTopic, this.groupId);
  }

  databaseOf(service: FaultService): string {
    return `tl_fault_${this.id}_${service}`;
  }

  projectIds(count: number, tag = 'p'): string[] {
    return Array.from({ length: count }, (_, index) => `PRJ-${this.id}-${tag}-${index}`);
  }

  projectCreated(projectId: string): EventRecord<'ProjectCreated'> {
    return createEvent(
      'ProjectCreated',
      { ...sampleEventRecord('ProjectCreated').data, projectId },
      { source: 'faults' },
    );
  }

  /** Collects `eventType` under this run's prefix from the beginning (stopped by `dispose`). */
  async collect<T extends EventType>(
    eventType: T,
    keyOf: (event: ConsumedEvent<T>) => string | undefined,
  ): Promise<EventCollector<T>> {
    const collector = new EventCollector(this, eventType, keyOf);
    this.collectors.push(collector as unknown as EventCollector<EventType>);
    return collector.start();
  }

  /** A supervised staffing process under this run's prefix and database, started (ready). */
  async staffing(options: ServiceStart = {}): Promise<ServiceProcess> {
    const first = !this.instances.some(({ service }) => service === 'staffing');
    const staffing = await this.service('staffing', options);
    // Before any ProjectCreated is published: the scenarios publish after this returns.
    if (first) await this.query(LEDGER_SQL);
    return staffing;
  }

  /** A supervised billing process under this run's prefix and database, started (ready). */
  billing(options: ServiceStart = {}): Promise<ServiceProcess> {
    return this.service('billing', options);
  }

  private async service(service: FaultService, options: ServiceStart): Promise<ServiceProcess> {
    const instance = new ServiceProcess({
      service,
      logDir: join(this.logDir, `instance-${this.instances.length + 1}`),
      env: {
        TOPIC_PREFIX: this.prefix,
        DATABASE_NAME: this.databaseOf(service),
        LOG_LEVEL: 'info',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...options.env,
      },
    });
    this.instances.push({ service, instance });
    await instance.start();
    return instance;
  }

  /**
   * Publishes in batches and retries each batch until Kafka acknowledges it (a retried batch may
   * land twice: same eventIds, which the inbox drops). Returns the acknowledged events; batches
   * still failing at the deadline are not counted.
   */
  async publish<T extends EventType>(
    records: readonly EventRecord<T>[],
    options: {
      batchSize?: number;
      pauseMs?: number;
      deadline?: number;
      onBatch?: (sent: number) => void;
    } = {},
  ): Promise<EventRecord<T>[]> {
    const batchSize = options.batchSize ?? 500;
    const deadline = options.deadline ?? Date.now() + 120_000;
    const acked: EventRecord<T>[] = [];
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      for (let attempt = 1; ; attempt++) {
        try {
          const publisher = await this.connectedPublisher();
          await publisher.publish(batch.map((record) => ({ record })));
          acked.push(...batch);
          break;
        } catch {
          await this.dropPublisher();
          if (Date.now() > deadline) break;
          await sleep(Math.min(2_000, 100 * 2 ** attempt));
        }
      }
      options.onBatch?.(acked.length);
      if (options.pauseMs) await sleep(options.pauseMs);
    }
    return acked;
  }

  /**
   * A failed send gets a new producer: after a broker restart kafkajs' idempotent producer can be
   * left with sequence numbers the broker rejects for good ("out of order sequence number").
   */
  private async connectedPublisher(): Promise<EventPublisher> {
    if (!this.publisher) {
      const publisher = new EventPublisher(this.kafka, this.codec, this.naming);
      await publisher.connect();
      this.publisher = publisher;
    }
    return this.publisher;
  }

  private async dropPublisher(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
    await publisher?.disconnect().catch(() => undefined);
  }

  /** Sends raw bytes to the input topic, e.g. a poison message. */
  async publishRaw(key: string, value: Buffer): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: this.inputTopic, acks: -1, messages: [{ key, value }] });
    } finally {
      await producer.disconnect();
    }
  }

  private pool(service: FaultService): Pool {
    let pool = this.pools.get(service);
    if (!pool) {
      pool = new Pool({ connectionString: databaseUrlFor(this.databaseOf(service)), max: 2 });
      // The database only exists once the service created it; a failing probe query must not crash jest.
      pool.on('error', () => undefined);
      this.pools.set(service, pool);
    }
    return pool;
  }

  /** A query in a service's database (staffing's by default). */
  async query<Row extends object>(
    sql: string,
    params: unknown[] = [],
    service: FaultService = 'staffing',
  ): Promise<Row[]> {
    return (await this.pool(service).query(sql, params)).rows as Row[];
  }

  /** ProjectCreated events staffing handled: rows of its ledger (see LEDGER_SQL), second effects included. */
  async demandRows(): Promise<number> {
    try {
      const [row] = await this.query<{ count: string }>('SELECT count(*) AS count FROM project_demand');
      return Number(row?.count ?? 0);
    } catch {
      return 0;
    }
  }

  async outboxBacklog(service: FaultService = 'staffing'): Promise<number> {
    const [row] = await this.query<{ count: string }>(
      'SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL',
      [],
      service,
    );
    return Number(row?.count ?? 0);
  }

  /** Messages in a topic (all partitions); 0 when it does not exist. */
  async depth(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Waits until every expected project has its row and its StaffingDemandPublished and the outbox
   * is drained, or the timeout passes; then counts (a timeout shows up as lost effects).
   */
  async settle(expected: readonly string[], timeoutMs: number, graceMs = 1_500): Promise<FaultReport> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const tally = await this.tally(expected);
      const complete = tally.lost === 0 && (await this.outboxBacklog().catch(() => 1)) === 0;
      if (complete || Date.now() > deadline) break;
      await sleep(500);
    }
    // Late copies (e.g. an outbox batch published twice) would arrive right after.
    await sleep(graceMs);
    return this.tally(expected);
  }

  /**
   * Per expected project: lost when it has no ledger row or no StaffingDemandPublished; duplicated
   * when it has two ledger rows or two StaffingDemandPublished with different eventIds.
   */
  async tally(expected: readonly string[]): Promise<FaultReport> {
    const rows = new Map(
      (
        await this.query<{ project_id: string; count: string }>(
          `SELECT split_part(project_id, '#', 1) AS project_id, count(*) AS count FROM project_demand GROUP BY 1`,
        ).catch(() => [])
      ).map((row) => [row.project_id, Number(row.count)]),
    );
    const published = this.collector.perKey();
    const copies = countCopies(expected, published);
    let lost = 0;
    let duplicated = 0;
    for (const projectId of expected) {
      const handled = rows.get(projectId) ?? 0;
      if (handled === 0 || !published.has(projectId)) lost++;
      if (handled > 1 || (published.get(projectId)?.size ?? 0) > 1) duplicated++;
    }
    return {
      name: this.name,
      runs: this.runs,
      events: expected.length,
      lost,
      duplicated,
      redelivered: copies.redelivered,
    };
  }

  /** Where the effects stand: rows written, events seen on Kafka, events still in the outbox. */
  async progress(): Promise<string> {
    const backlog = await this.outboxBacklog().catch(() => NaN);
    return `rows=${await this.demandRows()} published=${this.collector.perKey().size} outbox backlog=${backlog}`;
  }

  /**
   * Deliveries of `eventType` to a service's handler over all of its runs, from its log: one line
   * per event (logged before the inbox claim), or one line per batch with its size (`events`), where
   * only the batches' first event ids are known.
   */
  handlerDeliveries(
    service: FaultService = 'staffing',
    eventType: EventType = 'ProjectCreated',
  ): { deliveries: number; distinctEvents: number; batches: number } {
    let deliveries = 0;
    let batches = 0;
    const eventIds = new Set<string>();
    const files = readdirSync(this.logDir, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith(`${service}.log`))
      .map((path) => join(this.logDir, path));
    for (const file of files) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const single = line.includes(`"msg":"${eventType}"`);
        if (!single && !line.includes(`"msg":"${eventType} batch"`)) continue;
        try {
          const entry = JSON.parse(line) as { eventId?: string; events?: number };
          if (single) {
            deliveries++;
            if (entry.eventId) eventIds.add(entry.eventId);
          } else {
            batches++;
            deliveries += entry.events ?? 0;
          }
        } catch {
          // A line cut short by kill -9.
        }
      }
    }
    return { deliveries, distinctEvents: eventIds.size, batches };
  }

  /** Reads `count` messages of a topic from the beginning (or what is there at the timeout). */
  async readTopic(topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
    const consumer = this.kafka.consumer({ groupId: `${this.prefix}faults-reader-${randomSuffix()}` });
    const messages: KafkaMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < deadline) await sleep(200);
      return messages;
    } finally {
      await consumer.disconnect();
    }
  }

  /** Runs the ops CLI (`throughline ...`) as its own process, under this run's prefix. */
  ops(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'apps', 'ops', 'bin', 'throughline.js'), ...args],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, TOPIC_PREFIX: this.prefix, USER: 'faults', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Another database to drop at the end (e.g. the ops CLI's audit log). */
  database(name: string): string {
    this.extraDatabases.push(name);
    return name;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.instances.map(({ instance }) => instance.dispose()));
    await Promise.allSettled([this.collector, ...this.collectors].map((collector) => collector.stop()));
    await this.dropPublisher();
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.end()));
    const services: FaultService[] = ['staffing', 'billing'];
    for (const name of [...services.map((service) => this.databaseOf(service)), ...this.extraDatabases]) {
      await dropDatabase(name).catch(() => undefined);
    }
    await this.deleteTopicsAndGroups().catch(() => undefined);
  }

  /** Leaves the shared broker as it was: this run's topics (retry and dead-letter ones too) and groups go. */
  private async deleteTopicsAndGroups(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((groupId) => groupId.startsWith(this.prefix));
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    } finally {
      await admin.disconnect();
    }
  }
}
