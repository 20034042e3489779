import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';

import { EVENTS, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import {
  AvroEventCodec,
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

import { KAFKA_BROKERS, REGISTRY_URL } from '../stack';
import { REPO_ROOT, STACK_DIR } from '../stack/config';
import { StaffingProcess } from './staffing-process';

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
  /** Projects with more than one effect: two StaffingDemandPublished with different eventIds. */
  duplicated: number;
  /** Extra copies of an already published StaffingDemandPublished (same eventId): at-least-once, harmless. */
  redelivered: number;
}

export function reportLine(report: FaultReport): string {
  const { name, runs, events, lost, duplicated, redelivered } = report;
  return `fault ${name}: runs=${runs} events=${events} lost=${lost} duplicated=${duplicated} redelivered=${redelivered}`;
}

interface Published {
  eventId: string;
  projectId: string;
}

/**
 * Reads StaffingDemandPublished under a run's prefix and keeps every record by its Kafka position,
 * so the collector's own re-reads (after a broker restart or rebalance) are not mistaken for
 * redeliveries by the service.
 */
class OutputCollector {
  private readonly byPosition = new Map<string, Published>();
  private consumer: EventConsumer | undefined;

  constructor(private readonly run: FaultRun) {}

  async start(): Promise<void> {
    const consumer = new EventConsumer(this.run.kafka, this.run.codec, {
      groupId: `${this.run.prefix}faults-collector`,
      logger: createLogger('faults-collector', 'silent'),
      naming: this.run.naming,
    });
    consumer.on('StaffingDemandPublished', async (event) => {
      this.byPosition.set(`${event.partition}:${event.offset}`, {
        eventId: event.envelope.eventId,
        projectId: event.data.projectId,
      });
    });
    await consumer.start();
    this.consumer = consumer;
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** projectId → eventId → number of records. */
  perProject(): Map<string, Map<string, number>> {
    const projects = new Map<string, Map<string, number>>();
    for (const { eventId, projectId } of this.byPosition.values()) {
      const events = projects.get(projectId) ?? new Map<string, number>();
      events.set(eventId, (events.get(eventId) ?? 0) + 1);
      projects.set(projectId, events);
    }
    return projects;
  }
}

export interface StaffingStart {
  /** Extra environment, e.g. DATABASE_URL or SCHEMA_REGISTRY_URL pointing at a proxy. */
  env?: NodeJS.ProcessEnv;
}

/**
 * One isolated scenario run: its own topic prefix (topics, subjects, consumer groups), its own
 * staffing database, a publisher of ProjectCreated, a collector of StaffingDemandPublished, and
 * the staffing service as a child process (as in production).
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
  readonly collector = new OutputCollector(this);
  private publisher: EventPublisher | undefined;
  private readonly pool: Pool;
  private readonly instances: StaffingProcess[] = [];
  private readonly extraDatabases: string[] = [];

  private constructor(readonly name: string) {
    this.kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: `faults-${this.id}` });
    this.codec = new AvroEventCodec(new SchemaRegistryGateway(REGISTRY_URL), { naming: this.naming });
    this.pool = new Pool({ connectionString: databaseUrlFor(this.staffingDatabase), max: 2 });
    // The database only exists once staffing created it; a failing probe query must not crash jest.
    this.pool.on('error', () => undefined);
    this.logDir = join(STACK_DIR, 'logs', 'faults', `${name}-${this.id}`);
  }

  static async create(name: string): Promise<FaultRun> {
    const run = new FaultRun(name);
    mkdirSync(run.logDir, { recursive: true });
    await ensureTopics(
      run.kafka,
      [EVENTS.ProjectCreated.topic, EVENTS.StaffingDemandPublished.topic],
      run.naming,
    );
    await run.codec.prepare(['ProjectCreated']);
    await run.collector.start();
    return run;
  }

  /** Staffing process lifetimes, restarts included. */
  get runs(): number {
    return this.instances.reduce((sum, staffing) => sum + staffing.runs, 0);
  }

  /** Unexpected exits of staffing processes (each was started again). */
  get crashes(): string[] {
    return this.instances.flatMap((staffing) => staffing.crashes);
  }

  /** Staffing processes that exited while starting (each was started again). */
  get failedStarts(): string[] {
    return this.instances.flatMap((staffing) => staffing.failedStarts);
  }

  get inputTopic(): string {
    return this.naming.topicFor('ProjectCreated');
  }

  get deadLetterTopic(): string {
    return deadLetterTopic(this.inputTopic, this.groupId);
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

  /** A supervised staffing process under this run's prefix and database, started (ready). */
  async staffing(options: StaffingStart = {}): Promise<StaffingProcess> {
    const staffing = new StaffingProcess({
      logDir: join(this.logDir, `instance-${this.instances.length + 1}`),
      env: {
        TOPIC_PREFIX: this.prefix,
        DATABASE_NAME: this.staffingDatabase,
        LOG_LEVEL: 'info',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...options.env,
      },
    });
    this.instances.push(staffing);
    await staffing.start();
    return staffing;
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

  async query<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async demandRows(): Promise<number> {
    try {
      const [row] = await this.query<{ count: string }>('SELECT count(*) AS count FROM project_demand');
      return Number(row?.count ?? 0);
    } catch {
      return 0;
    }
  }

  async outboxBacklog(): Promise<number> {
    const [row] = await this.query<{ count: string }>(
      'SELECT count(*) AS count FROM messaging_outbox WHERE published_at IS NULL',
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

  async tally(expected: readonly string[]): Promise<FaultReport> {
    const rows = new Set(
      (await this.query<{ project_id: string }>('SELECT project_id FROM project_demand').catch(() => [])).map(
        (row) => row.project_id,
      ),
    );
    const published = this.collector.perProject();
    let lost = 0;
    let duplicated = 0;
    let redelivered = 0;
    for (const projectId of expected) {
      const events = published.get(projectId);
      if (!rows.has(projectId) || !events) lost++;
      if (events && events.size > 1) duplicated++;
      for (const copies of events?.values() ?? []) redelivered += copies - 1;
    }
    return { name: this.name, runs: this.runs, events: expected.length, lost, duplicated, redelivered };
  }

  /** Where the effects stand: rows written, events seen on Kafka, events still in the outbox. */
  async progress(): Promise<string> {
    const backlog = await this.outboxBacklog().catch(() => NaN);
    return `rows=${await this.demandRows()} published=${this.collector.perProject().size} outbox backlog=${backlog}`;
  }

  /** ProjectCreated deliveries to staffing's handler (one log line each), over all of its runs. */
  handlerDeliveries(): { deliveries: number; distinctEvents: number } {
    let deliveries = 0;
    const eventIds = new Set<string>();
    const files = readdirSync(this.logDir, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('staffing.log'))
      .map((path) => join(this.logDir, path));
    for (const file of files) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.includes('"msg":"ProjectCreated"')) continue;
        try {
          const entry = JSON.parse(line) as { eventId?: string };
          deliveries++;
          if (entry.eventId) eventIds.add(entry.eventId);
        } catch {
          // A line cut short by kill -9.
        }
      }
    }
    return { deliveries, distinctEvents: eventIds.size };
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
    await Promise.allSettled(this.instances.map((staffing) => staffing.dispose()));
    await this.collector.stop().catch(() => undefined);
    await this.dropPublisher();
    await this.pool.end().catch(() => undefined);
    for (const name of [this.staffingDatabase, ...this.extraDatabases]) {
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
