import { startHubSpotStub } from '@throughline/crm-sandbox';

import { expectOk, request } from '../demo/http';
import { workingDays } from '../demo/time-to-cash';
import { BenchStack, previousMonth, withBenchStack } from './bench-stack';
import { cpuSnapshot, CpuUsage, cpuUsage, describeCpuUsage } from './resource-usage';
import { BENCH_HUBSPOT, benchFirm, BenchFirm, seedFirm } from './firm';
import { rawRoundTrip } from './raw-kafka';
import { perSecond } from './stats';
import { retryUnavailable, waitUntil } from './wait';

export interface MonthEndOptions {
  /** Entries per round, run in this order on the same services (e.g. 10,000 then 100,000). */
  counts: number[];
  /** Entries per PSA request. */
  batchSize: number;
  /** Size of the raw kafkajs baseline messages. */
  messageBytes: number;
  print: (line: string) => void;
  /** Write each service's CPU profile under this directory (one folder per service). */
  cpuProfileDir?: string;
}

export interface MonthEndRound {
  count: number;
  intakeMs: number;
  approvalsMs: number;
  /** From the first approval request to the last entry priced (billing's changed_at). */
  pricedMs: number;
  /** From the first approval request to the last entry seen in reporting (approved time and priced actual). */
  recordedMs: number;
  /** From the first time entry posted to the last entry visible in both billing and reporting. */
  endToEndMs: number;
  /** Approval (approvedAt) to priced (billing's changed_at), milliseconds. */
  approvedToPriced: { p50: number; p95: number; p99: number };
  /** Raw kafkajs: the same number of messages produced and consumed, first send to last received. */
  rawMs: number;
  /** CPU per service, PostgreSQL, Kafka and the driver from the first post to the last entry visible. */
  cpu: CpuUsage;
  /** Transactions committed per second in the run's databases over the same window. */
  commitsPerSec: number;
}

export interface MonthEndResult {
  run: string;
  firm: { legalEntities: number; currencies: number; projects: number; people: number };
  rounds: MonthEndRound[];
}

export const MONTH_END_SERVICES = [
  'ingress',
  'contract',
  'project',
  'staffing',
  'billing',
  'reporting',
] as const;

/**
 * Month-end volume through the real services: a firm is set up through ingress (ERP master data,
 * signed HubSpot deals) and staffing, then each round posts its time entries to the PSA intake in
 * PSA-sized requests, approves them, and waits until billing has priced every one and reporting
 * shows every one, reading the services' databases directly to wait and to time. Each round then
 * measures raw kafkajs on the same number of messages as the baseline.
 */
export async function runMonthEndBench(options: MonthEndOptions): Promise<MonthEndResult> {
  const { print } = options;
  const hubSpot = await startHubSpotStub({ accessToken: BENCH_HUBSPOT.accessToken });
  try {
    return await withBenchStack(print, async (stack) => {
      stack.cpuProfileDir = options.cpuProfileDir;
      await stack.start(MONTH_END_SERVICES, {
        HUBSPOT_API_URL: hubSpot.url,
        HUBSPOT_ACCESS_TOKEN: BENCH_HUBSPOT.accessToken,
        HUBSPOT_APP_SECRET: BENCH_HUBSPOT.appSecret,
        HUBSPOT_REQUESTS_PER_SECOND: '100',
        INGRESS_PUBLIC_URL: BENCH_HUBSPOT.publicUrl,
        INGRESS_WORKER_POLL_MS: '200',
      });
      const period = previousMonth(new Date());
      const days = workingDays(period);
      print(`== setting up the firm (period ${period})`);
      const firm = await seedFirm(stack, hubSpot.data, benchFirm(stack.run, `${period}-01`), days, print);
      const rounds: MonthEndRound[] = [];
      let before = 0;
      for (const [index, count] of options.counts.entries()) {
        print(`== round ${index + 1}: ${count} time entries`);
        rounds.push(await runRound(stack, firm, days, { ...options, round: index + 1, count, before }));
        before += count;
      }
      return {
        run: stack.run,
        firm: {
          legalEntities: firm.masterData['legalEntities']?.length ?? 0,
          currencies: new Set(firm.projects.map((project) => project.currency)).size,
          projects: firm.projects.length,
          people: firm.people.length,
        },
        rounds,
      };
    });
  } finally {
    await hubSpot.close();
  }
}

async function runRound(
  stack: BenchStack,
  firm: BenchFirm,
  days: readonly string[],
  options: MonthEndOptions & { round: number; count: number; before: number },
): Promise<MonthEndRound> {
  const { print, count, batchSize } = options;
  const idPrefix = `TE-${stack.run}-r${options.round}-`;
  const ingress = stack.url('ingress');
  const batches: number[][] = [];
  for (let start = 0; start < count; start += batchSize)
    batches.push(Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i));
  const entry = (i: number) => {
    const person = firm.people[i % firm.people.length] as BenchFirm['people'][number];
    return {
      entryId: `${idPrefix}${i}`,
      projectId: person.projectId,
      personId: person.personId,
      role: person.role,
      workDate: days[Math.floor(i / firm.people.length) % days.length],
      hours: '0.5',
      billable: true,
    };
  };
  const every = Math.max(1, Math.round(batches.length / 5));

  /** Posts every batch to `path`; the answer's `field` must count the whole batch. */
  const postAll = async (path: string, field: string, body: (batch: number[]) => unknown) => {
    for (const [b, batch] of batches.entries()) {
      const answer = await retryUnavailable(() =>
        request<Record<string, unknown>>('POST', `${ingress}${path}`, body(batch)),
      );
      expectOk(`POST ${path}`, answer);
      if (answer.body[field] !== batch.length)
        throw new Error(`POST ${path}: ${field} ${String(answer.body[field])} of ${batch.length}`);
      if ((b + 1) % every === 0) print(`   ${path}: ${(b + 1) * batchSize} / ${count}`);
    }
  };
  const pidsOf = { ...stack.pids(), 'bench driver': [process.pid] };
  const cpuBefore = cpuSnapshot(pidsOf);
  const commitsBefore = await stack.commits();
  const started = Date.now();
  await postAll('/psa/time-entries', 'received', (batch) => batch.map(entry));
  const intakeDone = Date.now();
  await postAll('/psa/approvals', 'approved', (batch) => ({
    approvedBy: 'U-BENCH-LEAD',
    timeEntryIds: batch.map((i) => `${idPrefix}${i}`),
  }));
  const approvalsDone = Date.now();

  const target = options.before + count;
  const schema = await stack.reportingSchema();
  let recordedAt: number | undefined;
  let pricedSeen = false;
  const lastSeen = await waitUntil(
    `billing and reporting to show all ${target} entries`,
    async () => {
      const priced = await stack.count('billing', `SELECT count(*) FROM actual WHERE status = 'UNBILLED'`);
      const approvedTime = await stack.count('reporting', `SELECT count(*) FROM ${schema}.approved_time`);
      const actuals = await stack.count(
        'reporting',
        `SELECT count(*) FROM ${schema}.actual WHERE status = 'UNBILLED'`,
      );
      pricedSeen = priced >= target;
      if (recordedAt === undefined && approvedTime >= target && actuals >= target) recordedAt = Date.now();
      return {
        done: pricedSeen && recordedAt !== undefined,
        status: `billing priced ${priced}, reporting approved time ${approvedTime} and priced actuals ${actuals}`,
      };
    },
    { timeoutMs: 600_000 + count * 50, print, pollMs: 500, reportEveryMs: 10_000 },
  );
  const { rows } = await stack.db('billing').query<{ last: string; p: string[] }>(
    `SELECT max(changed_at) AS last,
              percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY changed_at - approved_at) AS p
         FROM actual WHERE actual_id LIKE $1`,
    [`${idPrefix}%`],
  );
  const cpu = cpuUsage(cpuBefore, cpuSnapshot(pidsOf));
  // PostgreSQL's statistics lag by up to a second at both ends of the window alike.
  const commitsPerSec = perSecond((await stack.commits()) - commitsBefore, cpu.wallMs);
  print(`   ${describeCpuUsage(cpu)}; ${commitsPerSec} commits/s in the run's databases`);
  const pricedAt = Number(rows[0]?.last);
  const [p50, p95, p99] = (rows[0]?.p ?? []).map(Number);
  const reportedAt = recordedAt ?? lastSeen;

  print(`   raw kafkajs baseline: ${count} messages of ${options.messageBytes} bytes`);
  const raw = await rawRoundTrip(stack.kafka, `${stack.prefix}raw.r${options.round}`, {
    count,
    size: options.messageBytes,
    batchSize,
  });
  const round: MonthEndRound = {
    count,
    intakeMs: intakeDone - started,
    approvalsMs: approvalsDone - intakeDone,
    pricedMs: pricedAt - intakeDone,
    recordedMs: reportedAt - intakeDone,
    endToEndMs: Math.max(pricedAt, reportedAt) - started,
    approvedToPriced: { p50: p50 ?? NaN, p95: p95 ?? NaN, p99: p99 ?? NaN },
    rawMs: raw.ms,
    cpu,
    commitsPerSec,
  };
  print(
    `   done: end to end ${perSecond(count, round.endToEndMs)} entries/s, raw ${perSecond(count, raw.ms)} msg/s`,
  );
  return round;
}
