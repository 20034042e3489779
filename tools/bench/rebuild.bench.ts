import { expectOk, request } from '../demo/http';
import { BenchStack, previousMonth, withBenchStack } from './bench-stack';
import { consumeRaw } from './raw-kafka';
import {
  publishHistory,
  reportingHistory,
  reportingHistorySize,
  REPORTING_HISTORY_TYPES,
} from './reporting-events';
import { perSecond } from './stats';
import { waitUntil } from './wait';

export interface RebuildBenchOptions {
  /** Events in the log to rebuild from (approximately: whole time entries of two events each). */
  count: number;
  print: (line: string) => void;
}

export interface RebuildBenchResult {
  run: string;
  events: number;
  publishMs: number;
  rebuildMs: number;
  /** A plain kafkajs consumer reading the same topics from the beginning. */
  rawReadMs: number;
}

interface ProjectionView {
  version: number;
  state: string;
  createdAt: string;
  activatedAt: string | null;
  eventCount: number | null;
  rebuild: { lag: number } | null;
}

/**
 * Rebuild of reporting's projection from a log of `count` events: the history is published onto a
 * fresh topic prefix first and reporting's live consumer group is set to the end of it before
 * reporting starts, so the active projection stays empty and the timed work is the rebuild alone
 * (POST /projections/rebuild until the new projection is ACTIVE). The baseline is a plain kafkajs
 * consumer reading the same log.
 */
export async function runRebuildBench(options: RebuildBenchOptions): Promise<RebuildBenchResult> {
  const { print } = options;
  return withBenchStack(print, async (stack) => {
    const entries = Math.max(1, Math.round((options.count - reportingHistorySize(0)) / 2));
    const events = reportingHistorySize(entries);
    print(`== publishing ${events} events (${entries} approved time entries and priced actuals)`);
    const publishStart = Date.now();
    await publishHistory(stack, reportingHistory(stack.run, entries, previousMonth()), events, print);
    const publishMs = Date.now() - publishStart;
    print(`   published at ${perSecond(events, publishMs)} events/s (messaging lib)`);
    await skipLiveConsumer(stack);
    await stack.start(['reporting']);
    const live = await stack.count(
      'reporting',
      `SELECT count(*) FROM ${await stack.reportingSchema()}.actual`,
    );
    if (live !== 0)
      throw new Error(`the live projection recorded ${live} actuals; its group should start at the end`);

    print('== rebuilding the projection from the beginning of the log');
    const started = await request<ProjectionView>('POST', `${stack.url('reporting')}/projections/rebuild`, {
      from: 'beginning',
    });
    expectOk('starting the rebuild', started);
    const { version } = started.body;
    let view: ProjectionView | undefined;
    await waitUntil(
      `projection ${version} to be rebuilt and active`,
      async () => {
        const { body } = await request<{ projections: ProjectionView[] }>(
          'GET',
          `${stack.url('reporting')}/projections`,
        );
        view = body.projections.find((projection) => projection.version === version);
        return {
          done: view?.state === 'ACTIVE',
          status: `${view?.state}, ${view?.eventCount ?? 0} events recorded, lag ${view?.rebuild?.lag ?? '?'}`,
        };
      },
      { timeoutMs: 7_200_000, print, pollMs: 1_000, reportEveryMs: 15_000 },
    );
    const rebuilt = await stack.count('reporting', `SELECT count(*) FROM projection_${version}.actual`);
    if (rebuilt !== entries)
      throw new Error(`the rebuilt projection holds ${rebuilt} actuals, expected ${entries}`);
    const rebuildMs = Date.parse(view?.activatedAt ?? '') - Date.parse(view?.createdAt ?? '');
    print(`   rebuilt in ${(rebuildMs / 1000).toFixed(1)} s: ${perSecond(events, rebuildMs)} events/s`);

    print(`== raw kafkajs baseline: reading the same ${events} events`);
    const rawStart = Date.now();
    await consumeRaw(
      stack.kafka,
      REPORTING_HISTORY_TYPES.map((type) => stack.naming.topicFor(type)),
      events,
      `${stack.prefix}raw-reader`,
    );
    return { run: stack.run, events, publishMs, rebuildMs, rawReadMs: Date.now() - rawStart };
  });
}

/** Commits reporting's live group at the end of every history topic, as if it had consumed them. */
async function skipLiveConsumer(stack: BenchStack): Promise<void> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    for (const type of REPORTING_HISTORY_TYPES) {
      const topic = stack.naming.topicFor(type);
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId: stack.groupOf('reporting'),
        topic,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
