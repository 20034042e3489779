import { Pool } from 'pg';

import { EventRecord } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';
import { dropDatabase } from '@throughline/persistence';
import { randomSuffix } from '@throughline/persistence/testing';

import { AppModule } from '../src/app.module';
import { DEFAULT_SLAS, resolveSlaConfig } from '../src/domain/sla-definition';

jest.setTimeout(120_000);

const THRESHOLD_MS = 1_500;
const DEALS = 40;

/**
 * Two replicas of the sla service (one database, one consumer group) with a short check interval:
 * clocks that fall due together are checked by both, and each still breaches exactly once.
 */
describe('sla service on two replicas', () => {
  const config = testServiceConfig('sla');
  const slas = resolveSlaConfig(
    {},
    {
      slas: DEFAULT_SLAS.slas.map((sla) =>
        sla.businessDays === undefined ? { ...sla, thresholdMs: THRESHOLD_MS } : sla,
      ),
    },
  );
  const replicas: TestService[] = [];
  let probe: EventProbe;

  beforeAll(async () => {
    for (let index = 0; index < 2; index += 1)
      replicas.push(
        await startTestService(AppModule.forConfig(config, { slas, checkIntervalMs: 50 }), config),
      );
    probe = await new EventProbe(replicas[0].runtime as MessagingRuntime).start(['SlaBreached']);
  });

  afterAll(async () => {
    await probe?.stop();
    // Both replicas share the database: close them, then drop it once.
    await Promise.all(replicas.map((replica) => replica.app.close()));
    await dropDatabase(config.databaseName);
  });

  it('raises one SlaBreached per late deal however many replicas check', async () => {
    const prefix = `D-REPLICAS-${randomSuffix()}`;
    const dealIds = Array.from({ length: DEALS }, (_, index) => `${prefix}-${index}`);
    const won: EventRecord<'DealWon'>[] = dealIds.map((dealId) =>
      createEvent('DealWon', { ...sampleEventRecord('DealWon').data, dealId }, { source: 'test' }),
    );
    await probe.publish(...won);

    const breached = (entityIds: readonly string[]) =>
      new Set(
        probe.events('SlaBreached', (e) => entityIds.includes(e.data.entityId)).map((e) => e.data.entityId),
      );
    await eventually(() => breached(dealIds).size === DEALS, 60_000);
    // Closing waits for running checks, so every SlaBreached either replica raises is in the outbox.
    await Promise.all(replicas.map((replica) => replica.app.close()));
    replicas.length = 0;

    const pool = new Pool({ connectionString: config.databaseUrl });
    try {
      const { rows } = await pool.query<{ entity_id: string; count: number }>(
        `SELECT record->'data'->>'entityId' AS entity_id, count(*)::int AS count FROM messaging_outbox
         WHERE event_type = 'SlaBreached' AND record->'data'->>'entityId' LIKE $1
         GROUP BY 1 HAVING count(*) <> 1`,
        [`${prefix}-%`],
      );
      expect(rows).toEqual([]);
      const { rows: total } = await pool.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM messaging_outbox
         WHERE event_type = 'SlaBreached' AND record->'data'->>'entityId' LIKE $1`,
        [`${prefix}-%`],
      );
      expect(total[0].count).toBe(DEALS);
    } finally {
      await pool.end();
    }
  });
});
