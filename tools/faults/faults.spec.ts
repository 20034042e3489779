import { EventType } from '@throughline/contracts';
import { consumerLag, DLQ_HEADER } from '@throughline/messaging';

import { ensureStack, REGISTRY_URL, startOne, stopOne } from '../stack';
import { countCopies, FaultReport, FaultRun, FaultService, reportLine, sleep, until } from './harness';
import { monthEndBurst } from './month-end-burst';
import { TcpProxy } from './tcp-proxy';

/**
 * Fault tests against the real stack, with the staffing service as the system under test: on
 * ProjectCreated it writes one project_demand row and publishes one StaffingDemandPublished
 * (inbox + writes + outbox in one transaction). Each scenario injects a failure while events flow
 * and then counts effects per project: lost (no row or no event), duplicated (events with different
 * eventIds for one project), redelivered (the same eventId published again: harmless).
 *
 * The broker restart runs first and alone (it takes the shared broker down); the other scenarios
 * run side by side (FAULTS_SERIAL=1 runs them one after the other), each under its own topic
 * prefix, database and staffing process, because most of their time is spent waiting out the
 * faults: the 30 s session timeout after kill -9, the 30 s database outage, the retry tiers.
 */
jest.setTimeout(360_000);

const scenario = process.env['FAULTS_SERIAL'] ? it : it.concurrent;
const reports: FaultReport[] = [];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Logs the scenario's line (with what it did and the details) and adds it to the summary. */
async function record(
  run: FaultRun,
  report: FaultReport,
  what: string,
  handler: Handler = STAFFING_HANDLER,
): Promise<FaultReport> {
  reports.push(report);
  log(`${reportLine(report)}  (${[what, await details(run, report, handler)].filter(Boolean).join('; ')})`);
  return report;
}

/** The service and input event whose handler deliveries the details count. */
interface Handler {
  service: FaultService;
  eventType: EventType;
}
const STAFFING_HANDLER: Handler = { service: 'staffing', eventType: 'ProjectCreated' };

function expectExactlyOnce(report: FaultReport): void {
  expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: 0, duplicated: 0 });
}

/**
 * The detail after each line: handler deliveries (from staffing's log), unplanned exits and, when
 * something is missing, where the effects stand.
 */
async function details(run: FaultRun, report: FaultReport, handler: Handler): Promise<string> {
  const { deliveries, distinctEvents, batches } = run.handlerDeliveries(handler.service, handler.eventType);
  const handled =
    batches > 0
      ? `handler deliveries=${deliveries} in ${batches} batches`
      : `handler deliveries=${deliveries} for ${distinctEvents} events`;
  const crashes = run.crashes.length ? `; crashed ${run.crashes.length}x: ${run.crashes[0]}` : '';
  const failed = run.failedStarts.length ? `; ${run.failedStarts.length} failed start(s)` : '';
  const progress = report.lost > 0 && handler === STAFFING_HANDLER ? `; ${await run.progress()}` : '';
  return `${handled}${crashes}${failed}${progress}`;
}

/** Nothing lost or doubled, and the service never died on its own (it was restarted if it did). */
function expectExactlyOnceWithoutCrash(run: FaultRun, report: FaultReport): void {
  expectExactlyOnce(report);
  expect(run.crashes).toEqual([]);
}

/**
 * The month-end burst scenario's time from the first approved entry to the last one priced, the
 * kill -9 and the restart (about 30 s: the killed member's session timeout) included.
 */
const BILLING_BURST_BUDGET_MS = Number(process.env['FAULT_BILLING_BUDGET_MS'] ?? 240_000);

/** Polls `check` until it holds (true) or `deadline` passes (false). */
async function reached(check: () => Promise<boolean>, deadline: number): Promise<boolean> {
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
  return true;
}

function random(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min));
}

beforeAll(() => ensureStack(), 180_000);

afterAll(() => {
  if (reports.length > 0) log(`\nfault summary\n${reports.map(reportLine).join('\n')}\n`);
});

describe('fault: Kafka broker restart under load', () => {
  it('loses and doubles nothing the publisher got acknowledged', async () => {
    const run = await FaultRun.create('broker-restart');
    let brokerDown = false;
    try {
      await run.staffing();
      const records = run.projectIds(2000).map((id) => run.projectCreated(id));
      let sent = 0;
      const publishing = run.publish(records, {
        batchSize: 100,
        pauseMs: 150,
        deadline: Date.now() + 150_000,
        onBatch: (count) => (sent = count),
      });
      await until('400 events are acknowledged', async () => sent >= 400, 60_000);
      brokerDown = true;
      const stoppedAt = Date.now();
      await stopOne('kafka');
      await sleep(5_000);
      await startOne('kafka');
      brokerDown = false;
      const downMs = Date.now() - stoppedAt;
      const acked = await publishing;
      const report = await record(
        run,
        await run.settle(
          acked.map((event) => event.data.projectId),
          180_000,
        ),
        `broker down ${(downMs / 1000).toFixed(1)} s, acked ${acked.length}/${records.length}`,
      );
      expect(acked.length).toBeGreaterThan(400);
      expectExactlyOnceWithoutCrash(run, report);
    } finally {
      if (brokerDown) await startOne('kafka');
      await run.dispose();
    }
  });
});

describe('faults of one service and its dependencies', () => {
  scenario('every event delivered twice (an upstream outbox re-send)', async () => {
    const run = await FaultRun.create('redelivery');
    try {
      await run.staffing();
      const expected = run.projectIds(200);
      const records = expected.map((id) => run.projectCreated(id));
      // The same records again, same eventIds: what a producer's outbox re-sends after a crash
      // between publishing and marking its rows published. Only the inbox tells them apart.
      await run.publish(records);
      await run.publish(records);
      // Handled and committed, copies included: then the count is final.
      await until(
        "staffing's consumer lag is 0",
        async () =>
          (await consumerLag(run.kafka, run.groupId, [run.inputTopic])).every((row) => row.lag === 0),
        180_000,
      );
      const report = await record(run, await run.settle(expected, 120_000), 'each event published twice');
      expectExactlyOnceWithoutCrash(run, report);
    } finally {
      await run.dispose();
    }
  });

  scenario('kill -9 of staffing mid-batch, repeatedly at random moments', async () => {
    const run = await FaultRun.create('kill-9');
    try {
      const total = Number(process.env['FAULT_EVENTS'] ?? 2000);
      const kills = Number(process.env['FAULT_KILLS'] ?? 3);
      const expected = run.projectIds(total);
      const staffing = await run.staffing();
      await run.publish(expected.map((id) => run.projectCreated(id)));
      const killedAt: number[] = [];
      for (let kill = 0; kill < kills; kill++) {
        // Kill only while the instance is busy: after it handled something, before it is done.
        const before = await run.demandRows();
        await until('staffing handles events', async () => (await run.demandRows()) > before, 90_000);
        await sleep(random(200, 2_500));
        const rows = await run.demandRows();
        if (rows >= total) break;
        await staffing.stop('SIGKILL');
        killedAt.push(rows);
        await staffing.start();
      }
      const report = await record(
        run,
        await run.settle(expected, 180_000),
        `killed at ${killedAt.join(', ')} rows`,
      );
      expect(killedAt).toHaveLength(kills);
      expectExactlyOnceWithoutCrash(run, report);
    } finally {
      await run.dispose();
    }
  });

  scenario('PostgreSQL unreachable for 30 s', async () => {
    const run = await FaultRun.create('postgres-outage');
    const proxy = await new TcpProxy({ targetHost: '127.0.0.1', targetPort: 5432 }).start();
    try {
      await run.staffing({
        env: { DATABASE_URL: `postgresql://postgres@127.0.0.1:${proxy.port}/postgres` },
      });
      const before = run.projectIds(300, 'before');
      const during = run.projectIds(300, 'during');
      await run.publish(before.map((id) => run.projectCreated(id)));
      await until('50 rows exist', async () => (await run.demandRows()) >= 50, 90_000);
      const cutAt = Date.now();
      await proxy.cut();
      const rowsAtCut = await run.demandRows();
      await run.publish(during.map((id) => run.projectCreated(id)));
      await sleep(30_000 - (Date.now() - cutAt));
      const rowsAfterCut = await run.demandRows();
      await proxy.restore();
      const cutMs = Date.now() - cutAt;
      const report = await record(
        run,
        await run.settle([...before, ...during], 180_000),
        `cut ${(cutMs / 1000).toFixed(1)} s; rows ${rowsAtCut} at the cut, ${rowsAfterCut} at the restore`,
      );
      expect(rowsAfterCut).toBe(rowsAtCut);
      expectExactlyOnceWithoutCrash(run, report);
    } finally {
      await proxy.close();
      await run.dispose();
    }
  });

  scenario('schema registry unreachable when a fresh instance starts', async () => {
    const run = await FaultRun.create('registry-outage');
    const registry = new URL(REGISTRY_URL);
    const proxy = await new TcpProxy({
      targetHost: registry.hostname,
      targetPort: Number(registry.port),
    }).start();
    try {
      await proxy.cut();
      const cutAt = Date.now();
      const proxiedUrl = new URL(REGISTRY_URL);
      proxiedUrl.port = String(proxy.port);
      await run.staffing({ env: { SCHEMA_REGISTRY_URL: proxiedUrl.toString() } });
      const expected = run.projectIds(300);
      await run.publish(expected.map((id) => run.projectCreated(id)));
      await sleep(10_000);
      const rowsDuringCut = await run.demandRows();
      await proxy.restore();
      const cutMs = Date.now() - cutAt;
      const report = await record(
        run,
        await run.settle(expected, 180_000),
        `registry cut ${(cutMs / 1000).toFixed(1)} s; rows ${rowsDuringCut} before the restore`,
      );
      expect(rowsDuringCut).toBe(0);
      expectExactlyOnceWithoutCrash(run, report);
    } finally {
      await proxy.close();
      await run.dispose();
    }
  });

  scenario('a poison message among good ones', async () => {
    const run = await FaultRun.create('poison');
    try {
      await run.staffing();
      const first = run.projectIds(100, 'a');
      const second = run.projectIds(100, 'b');
      const garbage = Buffer.from('not an avro message');
      await run.publish(first.map((id) => run.projectCreated(id)));
      // Same key as a later good event: it lands on the same partition, ahead of it.
      const poisonKey = second[0] as string;
      await run.publishRaw(poisonKey, garbage);
      await run.publish(second.map((id) => run.projectCreated(id)));
      const report = await record(run, await run.settle([...first, ...second], 120_000), '1 poison message');
      expectExactlyOnceWithoutCrash(run, report);
      const [dead, ...more] = await run.readTopic(run.deadLetterTopic, 1);
      expect(more).toHaveLength(0);
      expect(dead?.key?.toString()).toBe(poisonKey);
      expect(dead?.value).toEqual(garbage);
      expect(dead?.headers?.[DLQ_HEADER.errorClass]?.toString()).toBe('PoisonMessageError');
      expect(await run.depth(run.deadLetterTopic)).toBe(1);
    } finally {
      await run.dispose();
    }
  });

  scenario('a handler bug for some projects, fixed, then the dead letters replayed', async () => {
    const run = await FaultRun.create('bug-fix-replay');
    const auditDatabase = run.database(`tl_fault_${run.id}_ops`);
    try {
      const staffing = await run.staffing();
      // The "bug": staffing's write fails for some projects. Injected in its own database, as
      // tools may not import the app to swap its provider (module boundaries).
      await run.query(`
        CREATE FUNCTION fault_bug() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.project_id LIKE '%-bug-%' THEN
            RAISE EXCEPTION 'simulated handler bug for %', NEW.project_id;
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER fault_bug BEFORE INSERT ON project_demand FOR EACH ROW EXECUTE FUNCTION fault_bug();
      `);
      const good = run.projectIds(100, 'ok');
      const buggy = run.projectIds(5, 'bug');
      const all = [...good, ...buggy];
      await run.publish(all.map((id) => run.projectCreated(id)));
      // A failing write is a driver error, which counts as retriable (only bug classes such as a
      // cause-less TypeError go straight to the DLQ): the buggy events climb every retry tier first.
      await until(
        'the buggy events are dead-lettered',
        async () => (await run.depth(run.deadLetterTopic)) >= buggy.length,
        180_000,
      );
      expect(await run.depth(run.deadLetterTopic)).toBe(buggy.length);
      // The good events queue behind the buggy ones' in-place retries: on a busy machine some can
      // still be pending when the last buggy one reaches the DLQ.
      await until('the good events are handled', async () => (await run.tally(good)).lost === 0, 120_000);
      const beforeFix = await run.tally(all);
      expect(beforeFix.lost).toBe(buggy.length);

      // Deploy the fix: the bug goes away, staffing restarts gracefully.
      await run.query('DROP TRIGGER fault_bug ON project_demand');
      await staffing.stop('SIGTERM');
      await staffing.start();

      const env = { DATABASE_NAME: auditDatabase };
      const replay = await run.ops(
        ['dlq', 'replay', run.deadLetterTopic, '--to', 'group', '--reason', 'bug fixed', '--actor', 'faults'],
        env,
      );
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain(`replayed ${buggy.length} of ${buggy.length}`);
      const report = await record(
        run,
        await run.settle(all, 120_000),
        `${buggy.length} dead-lettered, then replayed`,
      );
      expectExactlyOnceWithoutCrash(run, report);

      // Replaying again changes nothing: refused by the audit log, and forced, dropped by the inbox.
      const again = await run.ops(['dlq', 'replay', run.deadLetterTopic, '--to', 'group'], env);
      expect(again.code).toBe(3);
      expect(again.stderr).toContain('already replayed');
      const handledBefore = run.handlerDeliveries().deliveries;
      const forced = await run.ops(['dlq', 'replay', run.deadLetterTopic, '--to', 'group', '--force'], env);
      expect(forced.code).toBe(0);
      await until(
        'the forced replays are delivered',
        async () => run.handlerDeliveries().deliveries >= handledBefore + buggy.length,
        60_000,
      );
      expect(run.handlerDeliveries().deliveries).toBe(handledBefore + buggy.length);
      const afterForced = await run.settle(all, 10_000);
      expect(afterForced).toEqual(report);
      expect(await run.demandRows()).toBe(all.length);
    } finally {
      await run.dispose();
    }
  });

  scenario(
    'kill -9 of billing in a month-end burst of approved time',
    async () => {
      const run = await FaultRun.create('billing-kill-9', {
        publishes: ['RateCardUpserted', 'ProjectCreated', 'TimeEntryApproved'],
      });
      try {
        const total = Number(process.env['FAULT_BILLING_ENTRIES'] ?? 20_000);
        const burst = monthEndBurst(run.id, total);
        const entryIds = burst.entries.map((entry) => entry.data.entryId);
        const billing = await run.billing();
        const pricedEvents = await run.collect('ActualChanged', (event) =>
          event.data.status === 'UNBILLED' ? event.data.actualId : undefined,
        );
        const count = async (sql: string) =>
          Number((await run.query<{ count: string }>(sql, [], 'billing'))[0]?.count ?? 0);
        const unbilled = () => count(`SELECT count(*) AS count FROM actual WHERE status = 'UNBILLED'`);

        await run.publish([...burst.rateCards, ...burst.projects]);
        await until(
          'billing knows every project and rate card',
          async () =>
            (await count('SELECT count(*) AS count FROM billing_project')) === burst.projects.length &&
            (await count('SELECT count(*) AS count FROM rate_card')) === burst.rateCards.length,
          60_000,
        );
        const startedAt = Date.now();
        const deadline = startedAt + BILLING_BURST_BUDGET_MS;
        await run.publish(burst.entries, { batchSize: 1_000 });
        const publishedMs = Date.now() - startedAt;
        // Kill while billing is in the middle of the burst: somewhere in its first quarter.
        const killAt = random(Math.ceil(total * 0.05), Math.ceil(total * 0.25));
        const killable = await reached(async () => (await unbilled()) >= killAt, deadline);
        const pricedAtKill = await unbilled();
        const killedAfterMs = Date.now() - startedAt;
        if (killable) {
          await billing.stop('SIGKILL');
          await billing.start();
        }
        const complete =
          killable &&
          (await reached(
            async () =>
              (await unbilled()) === total &&
              (await run.outboxBacklog('billing')) === 0 &&
              countCopies(entryIds, pricedEvents.perKey()).missing === 0,
            deadline,
          ));
        const doneMs = Date.now() - startedAt;
        const pricedAtEnd = await unbilled();
        if (complete) await sleep(1_500); // late copies of an outbox batch would arrive right after

        const published = pricedEvents.perKey();
        const copies = countCopies(entryIds, published);
        const priced = new Set(
          (
            await run.query<{ actual_id: string }>(
              `SELECT actual_id FROM actual WHERE status = 'UNBILLED'`,
              [],
              'billing',
            )
          ).map((row) => row.actual_id),
        );
        const report = await record(
          run,
          {
            name: run.name,
            runs: run.runs,
            events: total,
            lost: entryIds.filter((id) => !priced.has(id) || !published.has(id)).length,
            duplicated: copies.duplicated,
            redelivered: copies.redelivered,
          },
          `published in ${(publishedMs / 1000).toFixed(1)} s, ` +
            (killable
              ? `killed at ${pricedAtKill} priced after ${(killedAfterMs / 1000).toFixed(1)} s, `
              : `budget of ${BILLING_BURST_BUDGET_MS / 1000} s spent before the kill at ${killAt} priced, `) +
            `${complete ? 'all' : `only ${pricedAtEnd}`} priced after ${(doneMs / 1000).toFixed(1)} s ` +
            `(${Math.round((pricedAtEnd * 1000) / doneMs)} entries/s overall)`,
          { service: 'billing', eventType: 'TimeEntryApproved' },
        );
        expect(killable && pricedAtKill < total).toBe(true);
        expectExactlyOnceWithoutCrash(run, report);

        // Priced once each, to the minor unit: per project the billed amounts are the floor of the
        // exact value of its time (Σ hours × rate, from the inputs) and the carry holds the rest.
        const billed = await run.query<{
          project_id: string;
          entries: string;
          hours: string;
          billed: string;
          carry: number;
        }>(
          `SELECT a.project_id, count(*) AS entries, sum(a.hours_hundredths) AS hours,
                sum(a.bill_amount_minor) AS billed, p.carry_hundredths AS carry
         FROM actual a JOIN billing_project p USING (project_id)
         WHERE a.status = 'UNBILLED' GROUP BY a.project_id, p.carry_hundredths`,
          [],
          'billing',
        );
        const actual = Object.fromEntries(
          billed.map((row) => [
            row.project_id,
            {
              entries: Number(row.entries),
              hoursHundredths: BigInt(row.hours),
              billedMinor: BigInt(row.billed),
              carryHundredths: BigInt(row.carry),
            },
          ]),
        );
        const expected = Object.fromEntries(
          [...burst.expected].map(([projectId, project]) => [
            projectId,
            {
              entries: project.entries,
              hoursHundredths: project.hoursHundredths,
              billedMinor: project.exactHundredths / 100n,
              carryHundredths: project.exactHundredths % 100n,
            },
          ]),
        );
        expect(actual).toEqual(expected);
      } finally {
        await run.dispose();
      }
    },
    BILLING_BURST_BUDGET_MS + 120_000,
  );
});
