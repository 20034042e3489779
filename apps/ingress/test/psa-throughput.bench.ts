/**
 * Month-end volume of PSA intake and approval, against the real stack (not part of the suite, no
 * timing assertions): 10,000 time entries in 20 requests of 500, then their approval in 20 requests
 * of 500. Prints entries/s for each. Run with
 *   npx jest -c apps/ingress/jest.config.js --testMatch '<rootDir>/test/psa-throughput.bench.ts'
 */
import { randomUUID } from 'node:crypto';

import { Pool } from 'pg';

import { INGRESS_DB } from '../src/application/tokens';
import { IngressDb } from '../src/infrastructure/ingress-db';
import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(600_000);

const ENTRIES = Number(process.env['PSA_BENCH_ENTRIES'] ?? 10_000);
const BATCH = 500;
/**
 * Optional longer interactive-transaction timeout than Prisma's 5 s, to time code that takes longer
 * per request on a busy machine instead of seeing its 503s.
 */
const TX_TIMEOUT_MS = process.env['PSA_BENCH_TX_TIMEOUT_MS'];

/**
 * CPU of this process (the client and the whole ingress service in it): a busy machine inflates it
 * less than wall time.
 */
const cpuMs = (usage: NodeJS.CpuUsage) => Math.round((usage.user + usage.system) / 1000);

describe('PSA intake and approval throughput', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress(['PaymentReceived']);
    if (TX_TIMEOUT_MS) {
      const db = harness.service.app.get<IngressDb>(INGRESS_DB);
      const transaction = db.$transaction.bind(db) as (...args: unknown[]) => unknown;
      Object.assign(db, {
        $transaction: (work: unknown, options?: object) =>
          transaction(work, { timeout: Number(TX_TIMEOUT_MS), maxWait: 60_000, ...options }),
      });
    }
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${harness.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  it(`takes and approves ${ENTRIES} time entries in requests of ${BATCH}`, async () => {
    const run = randomUUID().slice(0, 8);
    const ids = Array.from({ length: ENTRIES }, (_, i) => `TE-BENCH-${run}-${i}`);
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));

    const intakeStart = process.hrtime.bigint();
    const intakeCpu = process.cpuUsage();
    for (const batch of batches) {
      const answer = await post(
        '/psa/time-entries',
        batch.map((entryId, i) => ({
          entryId,
          projectId: `PRJ-BENCH-${i % 20}`,
          personId: `P-${i % 50}`,
          role: 'Architect',
          workDate: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}`,
          hours: '7.5',
          billable: true,
        })),
      );
      expect(answer['received']).toBe(batch.length);
    }
    const intakeMs = Number(process.hrtime.bigint() - intakeStart) / 1e6;
    const intakeCpuMs = cpuMs(process.cpuUsage(intakeCpu));

    const approveStart = process.hrtime.bigint();
    const approveCpu = process.cpuUsage();
    for (const batch of batches) {
      const answer = await post('/psa/approvals', { approvedBy: 'U-LEAD', timeEntryIds: batch });
      expect(answer['approved']).toBe(batch.length);
    }
    const approveMs = Number(process.hrtime.bigint() - approveStart) / 1e6;
    const approveCpuMs = cpuMs(process.cpuUsage(approveCpu));

    const pool = new Pool({ connectionString: harness.service.config.databaseUrl, max: 1 });
    try {
      const { rows } = await pool.query<{ count: string }>(
        `SELECT count(*) AS count FROM messaging_outbox WHERE event_type = 'TimeEntryApproved'`,
      );
      expect(Number(rows[0]?.count)).toBe(ENTRIES);
    } finally {
      await pool.end();
    }
    const rate = (ms: number) => Math.round((ENTRIES / ms) * 1000);
    process.stdout.write(
      `PSA bench: intake ${ENTRIES} entries in ${Math.round(intakeMs)} ms = ${rate(intakeMs)} entries/s ` +
        `(${intakeCpuMs} ms CPU of this process); approvals ${Math.round(approveMs)} ms = ` +
        `${rate(approveMs)} entries/s (${approveCpuMs} ms CPU)\n`,
    );
  });
});
