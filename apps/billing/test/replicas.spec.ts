import { Pool } from 'pg';

import { EventRecord, ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(240_000);

const PROJECTS = 12;
const ENTRIES = 6_000;
const RATE_MINOR = 12_345;

function project(index: number, run: string): ProjectCreated {
  const projectId = `P-${run}-${index}`;
  return {
    projectId,
    contractId: `CTR-${projectId}`,
    dealId: `D-${projectId}`,
    customerId: `C-${run}-${index % 3}`,
    legalEntityId: `LE-${run}`,
    currency: 'EUR',
    billingType: 'TIME_AND_MATERIALS',
    templateId: 'TPL-1',
    name: projectId,
    startDate: '2030-01-01',
    endDate: '2030-12-31',
    budgetMinor: 100_000_000,
    phases: [],
    roles: [{ role: 'Consultant', hoursHundredths: 1_000_000, rateMinor: RATE_MINOR, skills: [] }],
    // As created before ProjectCreated v2: priced from the legal entity's rate cards.
    rateCardId: null,
  };
}

function entry(index: number, run: string): TimeEntryApproved {
  return {
    entryId: `TE-${run}-${index}`,
    projectId: `P-${run}-${index % PROJECTS}`,
    personId: `PER-${index % 40}`,
    role: 'Consultant',
    workDate: `2030-03-${String((index % 28) + 1).padStart(2, '0')}`,
    // 0.01 h to 7.77 h: sub-cent remainders on almost every entry, so a lost or doubled carry shows.
    hoursHundredths: ((index * 37) % 777) + 1,
    billable: true,
    approvedAt: Date.parse('2030-03-29T18:00:00Z'),
    approvedBy: 'U-APPROVER',
    sourceSystem: 'PSA',
    revision: 1,
    correctionReason: null,
  };
}

async function consumedTimeEntries(service: TestService): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('throughline_events_consumed_total{') &&
        line.includes('event_type="TimeEntryApproved"') &&
        line.includes('outcome="handled"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('two billing replicas on one database and consumer group', () => {
  let first: TestService;
  let second: TestService;
  let probe: EventProbe;
  let pool: Pool;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    first = await startTestService(AppModule.forConfig(config), config);
    second = await startTestService(AppModule.forConfig(config), config);
    pool = new Pool({ connectionString: config.databaseUrl });
    probe = await new EventProbe(first.runtime as MessagingRuntime).start(['ActualChanged']);
  });

  afterAll(async () => {
    await probe.stop();
    await pool.end();
    await second.app.close();
    await first.stop();
  });

  it('share the partitions under load and price every entry once, exactly', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const setup: EventRecord[] = [
      createEvent(
        'RateCardUpserted',
        {
          rateCardId: `RC-${run}`,
          legalEntityId: `LE-${run}`,
          currency: 'EUR',
          effectiveFrom: '2030-01-01',
          effectiveTo: null,
          rates: [{ role: 'Consultant', rateMinor: RATE_MINOR, costRateMinor: 8_000 }],
          upsertedBy: null,
        },
        { source: 'ingress' },
      ),
      ...Array.from({ length: PROJECTS }, (_, i) =>
        createEvent('ProjectCreated', project(i, run), { source: 'project' }),
      ),
    ];
    await probe.publish(...setup);
    await eventually(async () => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM billing_project');
      return rows[0].n === PROJECTS ? true : undefined;
    }, 60_000);

    const entries = Array.from({ length: ENTRIES }, (_, i) => entry(i, run));
    const records = entries.map((data) => createEvent('TimeEntryApproved', data, { source: 'ingress' }));
    // Every 10th event is delivered twice (a producer retry): it must have no second effect.
    const deliveries = records.flatMap((record, i) => (i % 10 === 0 ? [record, record] : [record]));
    for (let i = 0; i < deliveries.length; i += 1_000) await probe.publish(...deliveries.slice(i, i + 1_000));

    await eventually(async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM actual WHERE status = 'UNBILLED'`);
      return rows[0].n === ENTRIES ? true : undefined;
    }, 180_000);

    // Nothing priced twice or lost: per project, billed units × 100 + the carry = Σ hours × rate.
    const { rows } = await pool.query<{ project_id: string; billed: string; carry: number; n: number }>(
      `SELECT a.project_id, sum(a.bill_amount_minor)::text AS billed, p.carry_hundredths AS carry, count(*)::int AS n
       FROM actual a JOIN billing_project p USING (project_id) GROUP BY a.project_id, p.carry_hundredths`,
    );
    expect(rows).toHaveLength(PROJECTS);
    for (const row of rows) {
      const exact = entries
        .filter((e) => e.projectId === row.project_id)
        .reduce((sum, e) => sum + BigInt(e.hoursHundredths) * BigInt(RATE_MINOR), 0n);
      expect(BigInt(row.billed) * 100n + BigInt(row.carry)).toBe(exact);
    }
    // One ActualChanged per entry (a relay re-send would repeat an event id, never make a second one).
    await eventually(
      () =>
        new Set(probe.events('ActualChanged').map((e) => e.data.actualId)).size >= ENTRIES ? true : undefined,
      60_000,
    );
    const eventIdsPerActual = new Map<string, Set<string>>();
    for (const event of probe.events('ActualChanged')) {
      const ids = eventIdsPerActual.get(event.data.actualId) ?? new Set<string>();
      eventIdsPerActual.set(event.data.actualId, ids.add(event.envelope.eventId));
    }
    expect([...eventIdsPerActual.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    // Both replicas did part of the work.
    const [byFirst, bySecond] = [await consumedTimeEntries(first), await consumedTimeEntries(second)];
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
  });
});
