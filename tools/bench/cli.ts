import { resolve } from 'node:path';

import { parseBrokers } from '@throughline/messaging';

import { runMessagingBench } from './messaging.bench';
import { MonthEndResult, runMonthEndBench } from './month-end.bench';
import { runRebuildBench } from './rebuild.bench';
import { describeErrors, ReportsBenchResult, runReportsBench } from './reports.bench';
import { machineLoad, perSecond, ratio, seconds } from './stats';

const USAGE = `usage: npm run bench -- <benchmark> [options]
  messaging [--count N] [--batch N]
      publish and consume N events (default 200,000) through the messaging lib and N raw kafkajs
      messages; prints msgs/s for both and the ratio lib/raw (target: 0.5 or better); then commits the
      N events to an outbox table and times the outbox relay publishing them
  month-end [--count N] [--batch N] [--cpu-prof DIR]
      N time entries (default 100,000; a 10,000 round runs first when N is larger) posted and approved
      through ingress in PSA requests of --batch (default 500), priced by billing, shown by reporting;
      entries/s per stage, end to end, approval-to-priced p50/p95/p99, and the ratio to raw kafkajs;
      --cpu-prof writes each service's V8 CPU profile to DIR/<service>/ (open in Chrome DevTools)
  reports [--count N] [--concurrency N] [--requests N] [--seed-through-kafka]
      latency (median, p95, p99, req/s) of /reports/* and /deals with N actuals (default 100,000),
      --requests per endpoint (default 500), --concurrency at a time (default 100); deals, projects
      and invoices reach reporting through Kafka, the N time entries and actuals are written into its
      projection tables directly unless --seed-through-kafka
  rebuild [--count N]
      rebuild reporting's projection from a log of N events (default 1,000,000); events/s
Every benchmark runs its own services on free ports, fresh databases (bench_<run>_*) and a fresh
topic prefix (bench.<run>.), and removes them afterwards.`;

function numberFlag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} needs a positive integer, got "${args[index + 1] ?? ''}"`);
    process.exit(2);
  }
  return value;
}

function stringFlag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith('--')) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return resolve(value);
}

const print = (line: string) => console.log(line);

async function messaging(args: string[]): Promise<void> {
  const result = await runMessagingBench({
    count: numberFlag(args, '--count', 200_000),
    batchSize: numberFlag(args, '--batch', 1_000),
    brokers: parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'),
    registryUrl: process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    progress: print,
  });
  console.log(`\nmessaging benchmark: ${result.count} messages, ${result.messageBytes} bytes each`);
  console.table({
    'raw kafkajs': {
      'produce msg/s': result.raw.produceMsgsPerSec,
      'consume msg/s': result.raw.consumeMsgsPerSec,
    },
    'messaging lib': {
      'produce msg/s': result.lib.produceMsgsPerSec,
      'consume msg/s': result.lib.consumeMsgsPerSec,
    },
  });
  const produceRatio = ratio(result.lib.produceMsgsPerSec, result.raw.produceMsgsPerSec);
  const consumeRatio = ratio(result.lib.consumeMsgsPerSec, result.raw.consumeMsgsPerSec);
  console.log(`ratio lib/raw: produce ${produceRatio}, consume ${consumeRatio} (target >= 0.5)`);
  console.log(
    `outbox relay (committed outbox rows to Kafka, batches of 500): ${result.relayMsgsPerSec} msg/s, ` +
      `ratio to raw produce ${ratio(result.relayMsgsPerSec, result.raw.produceMsgsPerSec)}`,
  );
}

async function monthEnd(args: string[]): Promise<void> {
  const count = numberFlag(args, '--count', 100_000);
  const messageBytes = 600;
  const result = await runMonthEndBench({
    counts: count > 10_000 ? [10_000, count] : [count],
    batchSize: numberFlag(args, '--batch', 500),
    messageBytes,
    print,
    cpuProfileDir: stringFlag(args, '--cpu-prof'),
  });
  printMonthEnd(result, messageBytes);
}

function printMonthEnd(result: MonthEndResult, messageBytes: number): void {
  const { firm } = result;
  console.log(
    `\nmonth-end benchmark (run ${result.run}): ${firm.legalEntities} legal entities, ${firm.currencies} currencies, ` +
      `${firm.projects} projects, ${firm.people} people. Waits and times read billing's and reporting's ` +
      `databases directly (actual.changed_at, approved_time, actual).`,
  );
  const column = (round: MonthEndResult['rounds'][number]) => {
    const rate = (ms: number) => `${perSecond(round.count, ms)}/s (${seconds(ms)})`;
    return {
      'intake: POST /psa/time-entries': rate(round.intakeMs),
      'approvals: POST /psa/approvals': rate(round.approvalsMs),
      'priced by billing (from first approval)': rate(round.pricedMs),
      'recorded by reporting (from first approval)': rate(round.recordedMs),
      'end to end (first post to last visible)': rate(round.endToEndMs),
      [`raw kafkajs (${messageBytes} B, produce+consume)`]: rate(round.rawMs),
      'ratio end to end / raw': ratio(
        perSecond(round.count, round.endToEndMs),
        perSecond(round.count, round.rawMs),
      ),
      'approval to priced p50 / p95 / p99 (ms)': `${round.approvedToPriced.p50} / ${round.approvedToPriced.p95} / ${round.approvedToPriced.p99}`,
    };
  };
  console.table(Object.fromEntries(result.rounds.map((round) => [`${round.count} entries`, column(round)])));
  console.log(
    '\nwhere the time went (first post to last entry visible): CPU as % of one core per process, ' +
      "PostgreSQL machine-wide, commits in the run's databases",
  );
  console.table(
    Object.fromEntries(
      result.rounds.map((round) => [
        `${round.count} entries`,
        {
          ...Object.fromEntries(
            Object.entries(round.cpu.coresPercent).map(([name, percent]) => [name, `${percent}%`]),
          ),
          [`machine (${round.cpu.cores} cores)`]: `${round.cpu.machineBusyPercent}% busy`,
          'commits/s': round.commitsPerSec,
        },
      ]),
    ),
  );
}

async function reports(args: string[]): Promise<void> {
  const result = await runReportsBench({
    count: numberFlag(args, '--count', 100_000),
    concurrency: numberFlag(args, '--concurrency', 100),
    requests: numberFlag(args, '--requests', 500),
    seed: args.includes('--seed-through-kafka') ? 'kafka' : 'sql',
    print,
  });
  printReports(result);
}

function printReports(result: ReportsBenchResult): void {
  console.log(
    `\nreports benchmark (run ${result.run}): ${result.count} actuals in reporting (seeded ` +
      `${result.seed === 'sql' ? 'into its tables directly' : `through Kafka at ${result.seedEventsPerSec} events/s`}); ` +
      `ratio = endpoint req/s / GET /health/live req/s`,
  );
  const row = (latency: ReportsBenchResult['baseline']) => ({
    'median ms': latency.medianMs,
    'p95 ms': latency.p95Ms,
    'p99 ms': latency.p99Ms,
    'req/s': latency.requestsPerSec,
    'ratio to baseline': ratio(latency.requestsPerSec, result.baseline.requestsPerSec),
    'not 200': describeErrors(latency.errors) || '-',
  });
  console.table(
    Object.fromEntries([
      [`${result.baseline.path} (baseline)`, row(result.baseline)],
      ...result.endpoints.map((latency) => [latency.path, row(latency)]),
    ]),
  );
}

async function rebuild(args: string[]): Promise<void> {
  const result = await runRebuildBench({ count: numberFlag(args, '--count', 1_000_000), print });
  const rebuildRate = perSecond(result.events, result.rebuildMs);
  const rawRate = perSecond(result.events, result.rawReadMs);
  console.log(`\nrebuild benchmark (run ${result.run}): ${result.events} events`);
  console.table({
    'publish (messaging lib)': {
      'events/s': perSecond(result.events, result.publishMs),
      time: seconds(result.publishMs),
    },
    'projection rebuild': { 'events/s': rebuildRate, time: seconds(result.rebuildMs) },
    'raw kafkajs read': { 'events/s': rawRate, time: seconds(result.rawReadMs) },
  });
  console.log(`ratio rebuild / raw read: ${ratio(rebuildRate, rawRate)}`);
}

const SUITES: Record<string, (args: string[]) => Promise<void>> = {
  messaging,
  'month-end': monthEnd,
  reports,
  rebuild,
};

async function main(args: string[]): Promise<void> {
  const [suite = 'messaging', ...rest] = args;
  if (suite === '--help' || suite === 'help') return void console.log(USAGE);
  const run = SUITES[suite];
  if (!run) {
    console.error(`unknown benchmark "${suite}"\n${USAGE}`);
    process.exit(2);
  }
  console.log(`machine: ${machineLoad()} at the start`);
  await run(rest);
  console.log(`machine: ${machineLoad()} at the end`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
