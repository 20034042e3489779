import { previousMonth, withBenchStack } from './bench-stack';
import {
  insertEntries,
  publishHistory,
  reportingHistory,
  reportingHistorySize,
  REPORTING_HISTORY_TYPES,
} from './reporting-events';
import { percentile, perSecond } from './stats';

export interface ReportsBenchOptions {
  /** Priced actuals (and as many approved time entries) in reporting's database. */
  count: number;
  concurrency: number;
  /** Requests per endpoint. */
  requests: number;
  /**
   * sql: deals, projects and invoices go through Kafka, the time entries and actuals are written into
   * the projection tables directly (fast); kafka: everything is published and consumed.
   */
  seed: 'sql' | 'kafka';
  print: (line: string) => void;
}

export interface EndpointLatency {
  path: string;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  requestsPerSec: number;
  /** Answers other than 200 (counted in the latencies too), by status. */
  errors: Record<string, number>;
}

export interface ReportsBenchResult {
  run: string;
  count: number;
  seed: 'sql' | 'kafka';
  /** Events reporting consumed while being seeded, per second (live projection). */
  seedEventsPerSec: number;
  /** GET /health/live at the same concurrency: the HTTP stack without any query. */
  baseline: EndpointLatency;
  endpoints: EndpointLatency[];
}

/**
 * Report latency under load: reporting alone, on its own database, fed a month of history straight
 * onto its topics (the events it consumes, published with the messaging lib) and waited for until
 * its consumer group's lag is 0, the bulk of time entries and actuals written into its projection
 * unless `seed` is kafka; then each endpoint takes `requests` requests, `concurrency` at a time.
 */
export async function runReportsBench(options: ReportsBenchOptions): Promise<ReportsBenchResult> {
  const { print } = options;
  return withBenchStack(print, async (stack) => {
    await stack.start(['reporting']);
    const period = previousMonth();
    const entries = options.seed === 'kafka' && options.count;
    const total = reportingHistorySize(entries);
    print(`== seeding reporting: ${total} events, ${options.count} approved time entries and priced actuals`);
    const seedStart = Date.now();
    await publishHistory(stack, reportingHistory(stack.run, entries, period), total, print);
    const seeded = await stack.waitForLag0('reporting', REPORTING_HISTORY_TYPES, 3_600_000);
    const schema = await stack.reportingSchema();
    if (options.seed === 'sql') {
      print(`   writing ${options.count} approved time entries and actuals into ${schema} directly`);
      await insertEntries(stack, schema, options.count, period);
    }
    const actuals = await stack.count('reporting', `SELECT count(*) FROM ${schema}.actual`);
    if (actuals !== options.count)
      throw new Error(`reporting holds ${actuals} actuals, expected ${options.count}`);
    const seedEventsPerSec = perSecond(total, seeded - seedStart);
    print(`   reporting holds ${actuals} actuals (${total} events consumed at ${seedEventsPerSec} events/s)`);

    const asOf = new Date().toISOString().slice(0, 10);
    const paths = [
      `/reports/summary?period=${period}`,
      `/reports/utilisation?period=${period}`,
      '/reports/margin',
      '/reports/backlog',
      `/reports/ar-ageing?asOf=${asOf}`,
      `/reports/billing-leakage?asOf=${asOf}`,
      '/deals',
    ];
    const base = stack.url('reporting');
    const measure = async (path: string) => {
      const latency = await load(`${base}${path}`, options.requests, options.concurrency);
      print(
        `   ${path}: median ${latency.medianMs} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms, ` +
          `${latency.requestsPerSec} req/s` +
          (describeErrors(latency.errors) ? `, not 200: ${describeErrors(latency.errors)}` : ''),
      );
      return { path, ...latency };
    };
    print(`== ${options.requests} requests per endpoint, ${options.concurrency} at a time`);
    const baseline = await measure('/health/live');
    const endpoints: EndpointLatency[] = [];
    for (const path of paths) endpoints.push(await measure(path));
    return {
      run: stack.run,
      count: options.count,
      seed: options.seed,
      seedEventsPerSec,
      baseline,
      endpoints,
    };
  });
}

/**
 * `requests` GETs of `url`, `concurrency` in flight, after one alone. That one must answer 200 or 503
 * (a 503 is the service giving up on a slow query, a figure; anything else means the benchmark asks
 * wrongly); answers other than 200 are counted by status.
 */
async function load(
  url: string,
  requests: number,
  concurrency: number,
): Promise<Omit<EndpointLatency, 'path'>> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const warm = await fetch(url);
  const warmBody = await warm.text();
  if (warm.status !== 200 && warm.status !== 503)
    throw new Error(`GET ${url} answered ${warm.status}: ${warmBody}`);
  if (warm.status === 503) errors['503 alone'] = 1;
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      const start = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) errors[response.status] = (errors[response.status] ?? 0) + 1;
      latencies.push(performance.now() - start);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    medianMs: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    requestsPerSec: perSecond(requests, ms),
    errors,
  };
}

/** e.g. "12 × 503", empty when every answer was 200. */
export function describeErrors(errors: Record<string, number>): string {
  return Object.entries(errors)
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');
}
