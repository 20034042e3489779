import { Pool } from 'pg';

import { ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { timeEntry } from './fixtures';

jest.setTimeout(120_000);

const RATE_MINOR = 10_001;

function project(projectId: string, legalEntityId: string): ProjectCreated {
  return {
    projectId,
    contractId: `CTR-${projectId}`,
    dealId: `D-${projectId}`,
    customerId: 'C-1',
    legalEntityId,
    currency: 'EUR',
    billingType: 'TIME_AND_MATERIALS',
    templateId: 'TPL-1',
    name: projectId,
    startDate: '2030-01-01',
    endDate: '2030-12-31',
    budgetMinor: 10_000_000,
    phases: [],
    roles: [{ role: 'Consultant', hoursHundredths: 100_000, rateMinor: RATE_MINOR, skills: [] }],
    // As created before ProjectCreated v2: priced from the legal entity's rate cards.
    rateCardId: null,
  };
}

function entry(
  entryId: string,
  projectId: string,
  overrides: Partial<TimeEntryApproved> = {},
): TimeEntryApproved {
  return { ...timeEntry(entryId, projectId, '2030-02-10', 33), ...overrides };
}

/**
 * One fetched batch mixing what month-end brings: new entries (priced in bulk), a correction of an
 * entry of the same batch, a malformed entry and an entry of a project billing does not know yet
 * (both take the one-entry path, in order, between bulk groups).
 */
describe('billing prices a mixed batch of approved time like one entry at a time', () => {
  let service: TestService;
  let probe: EventProbe;
  let pool: Pool;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    service = await startTestService(AppModule.forConfig(config), config);
    pool = new Pool({ connectionString: config.databaseUrl });
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'ActualChanged',
      'BusinessExceptionRaised',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await pool.end();
    await service.stop();
  });

  it('stores, corrects and flags each entry as the one-entry path does, carry included', async () => {
    const projectId = 'P-MIX';
    await probe.publish(
      createEvent(
        'RateCardUpserted',
        {
          rateCardId: 'RC-MIX',
          legalEntityId: 'LE-MIX',
          currency: 'EUR',
          effectiveFrom: '2030-01-01',
          effectiveTo: null,
          rates: [{ role: 'Consultant', rateMinor: RATE_MINOR, costRateMinor: 7_000 }],
          upsertedBy: null,
        },
        { source: 'ingress' },
      ),
      createEvent('ProjectCreated', project(projectId, 'LE-MIX'), { source: 'project' }),
    );
    await eventually(async () => {
      const { rows } = await pool.query('SELECT 1 FROM billing_project WHERE project_id = $1', [projectId]);
      return rows.length === 1;
    });

    const batch = [
      entry('TE-1', projectId),
      entry('TE-2', projectId, { hoursHundredths: 77 }),
      entry('TE-1', projectId, { revision: 2, hoursHundredths: 150, correctionReason: 'typo' }),
      entry('TE-BAD', projectId, { workDate: '2030-02-30' }),
      entry('TE-3', projectId, { hoursHundredths: 1 }),
      entry('TE-UNKNOWN', 'P-NOT-YET'),
      entry('TE-4', projectId, { hoursHundredths: 999 }),
    ];
    // P-NOT-YET's entry has another key (partition): publish everything in one send anyway.
    await probe.publish(
      ...batch.map((data) => createEvent('TimeEntryApproved', data, { source: 'ingress' })),
    );

    await eventually(async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM actual`);
      return rows[0].n === 6;
    });
    await eventually(async () => {
      const { rows } = await pool.query(`SELECT revision FROM actual WHERE actual_id = 'TE-1'`);
      return rows[0]?.revision === 2;
    });
    const { rows } = await pool.query<{
      actual_id: string;
      status: string;
      hours_hundredths: string;
      bill_amount_minor: string;
    }>(`SELECT actual_id, status, hours_hundredths, bill_amount_minor FROM actual ORDER BY actual_id`);
    const byId = Object.fromEntries(rows.map((row) => [row.actual_id, row]));
    expect(byId['TE-1']).toMatchObject({ status: 'UNBILLED', hours_hundredths: '150' });
    expect(byId['TE-BAD']).toMatchObject({ status: 'UNPRICED', bill_amount_minor: '0' });
    expect(byId['TE-UNKNOWN']).toMatchObject({ status: 'UNPRICED', bill_amount_minor: '0' });
    // Σ hours × rate of the priced entries, with TE-1 at its corrected 1.50 h:
    // (150 + 77 + 1 + 999) × 10,001 = 12,271,227 hundredths → 122,712 billed, 27 carried.
    const { rows: totals } = await pool.query(
      `SELECT sum(a.bill_amount_minor)::int AS billed, p.carry_hundredths AS carry
       FROM actual a JOIN billing_project p USING (project_id) WHERE project_id = $1 GROUP BY p.carry_hundredths`,
      [projectId],
    );
    expect(totals[0]).toEqual({ billed: 122_712, carry: 27 });
    await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'TE-BAD' && e.data.code === 'INVALID_ENTRY',
    );
    await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'TE-UNKNOWN' && e.data.code === 'UNKNOWN_PROJECT',
    );
    // The bulk-priced entries announce themselves exactly like one-entry pricing does.
    const te4 = await probe.waitFor('ActualChanged', (e) => e.data.actualId === 'TE-4');
    expect(te4.data).toMatchObject({
      status: 'UNBILLED',
      hoursHundredths: 999,
      rateMinor: RATE_MINOR,
      dealId: 'D-P-MIX',
    });
  });
});
