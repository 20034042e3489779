import { randomUUID } from 'node:crypto';

import { Pool } from 'pg';

import { eventually } from '@throughline/messaging/testing';

import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(120_000);

interface Result {
  entryId?: string;
  expenseId?: string;
  outcome: string;
  status: string;
  eventId: string | null;
  changed?: string[];
}

interface IntakeAnswer {
  received: number;
  approved: number;
  unchanged: number;
  results: Result[];
}

interface ApprovalAnswer {
  approved: number;
  alreadyApproved: number;
  timeEntries: Result[];
  expenses: Result[];
}

/**
 * PSA intake and approval of whole batches (month-end: requests of 500), which are written with a
 * constant number of statements per request: each entry still gets exactly the outcome and the
 * one event it would get alone, also when two requests on the same entries run at once.
 */
describe('PSA intake and approval of batches of 500 against the real stack', () => {
  let harness: IngressHarness;
  let pool: Pool;

  beforeAll(async () => {
    harness = await startIngress(['TimeEntryApproved', 'ExpenseApproved']);
    pool = new Pool({ connectionString: harness.service.config.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await harness?.stop();
  });

  const post = async <T>(path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${harness.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };

  /**
   * Events of one project (the message key) as written to the outbox, committed with the request
   * that produced them: a second event for an entry would be here as soon as its request answered.
   */
  const outbox = async (eventType: string, projectId: string) =>
    (
      await pool.query<{ eventId: string; id: string; hours: number | null }>(
        `SELECT event_id::text AS "eventId",
                coalesce(record->'data'->>'entryId', record->'data'->>'expenseId') AS id,
                (record->'data'->>'hoursHundredths')::int AS hours
           FROM messaging_outbox WHERE event_type = $1 AND message_key = $2 ORDER BY id`,
        [eventType, projectId],
      )
    ).rows;

  const timeEntry = (projectId: string, entryId: string, extra: Record<string, unknown> = {}) => ({
    entryId,
    projectId,
    personId: 'P-7',
    role: 'Architect',
    workDate: '2026-11-30',
    hours: '7.5',
    billable: true,
    ...extra,
  });
  const ids = (prefix: string, from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);
  const outcomes = (results: Result[]) =>
    results.reduce<Record<string, number>>(
      (counts, r) => ({ ...counts, [r.outcome]: (counts[r.outcome] ?? 0) + 1 }),
      {},
    );

  it('approves 500 entries in one request with 500 events, and publishes none for the re-sent approval', async () => {
    const project = `PRJ-BULK-${randomUUID().slice(0, 8)}`;
    const entryIds = ids('TE-BULK', 0, 500);
    const intake = await post<IntakeAnswer>(
      '/psa/time-entries',
      entryIds.map((id) => timeEntry(project, id)),
    );
    expect(intake.json).toMatchObject({ received: 500, approved: 0 });

    const approval = await post<ApprovalAnswer>(
      '/psa/approvals',
      { approvedBy: 'U-LEAD', timeEntryIds: entryIds },
      { 'x-correlation-id': 'corr-bulk-approve' },
    );
    expect(approval.status).toBe(200);
    expect(approval.json).toMatchObject({ approved: 500, alreadyApproved: 0 });
    expect(approval.json.timeEntries.map((r) => r.entryId)).toEqual(entryIds);
    const written = await outbox('TimeEntryApproved', project);
    expect(written).toHaveLength(500);
    expect(new Set(written.map((e) => e.id)).size).toBe(500);
    expect(written.map((e) => e.eventId).sort()).toEqual(
      approval.json.timeEntries.map((r) => r.eventId).sort(),
    );

    const again = await post<ApprovalAnswer>('/psa/approvals', {
      approvedBy: 'U-OTHER',
      timeEntryIds: [...entryIds].reverse(),
    });
    expect(again.json).toMatchObject({ approved: 0, alreadyApproved: 500 });
    expect(again.json.timeEntries[0]).toMatchObject({
      entryId: 'TE-BULK-499',
      eventId: approval.json.timeEntries[499]?.eventId,
    });
    expect(await outbox('TimeEntryApproved', project)).toHaveLength(500);

    const published = await eventually(async () => {
      const events = harness.probe.events('TimeEntryApproved', (e) => e.envelope.key === project);
      return events.length >= 500 ? events : undefined;
    });
    expect(published.every((e) => e.envelope.correlationId === 'corr-bulk-approve')).toBe(true);
    expect(published.every((e) => e.data.approvedBy === 'U-LEAD' && e.data.hoursHundredths === 750)).toBe(
      true,
    );
    const listed = await harness.get<{ timeEntries: { eventId: string; approvedBy: string }[] }>(
      `/psa/time-entries?projectId=${project}&status=APPROVED&limit=500`,
    );
    expect(listed.timeEntries).toHaveLength(500);
    expect(listed.timeEntries.every((row) => row.approvedBy === 'U-LEAD')).toBe(true);
  });

  it('publishes each entry once when two overlapping approvals run at once, in opposite orders', async () => {
    const project = `PRJ-RACE-${randomUUID().slice(0, 8)}`;
    const entryIds = ids(`TE-${project}`, 0, 400);
    const expenseIds = ids(`EX-${project}`, 0, 50);
    await post(
      '/psa/time-entries',
      entryIds.map((id) => timeEntry(project, id)),
    );
    await post(
      '/psa/expenses',
      expenseIds.map((expenseId) => ({
        expenseId,
        projectId: project,
        personId: 'P-7',
        incurredOn: '2026-11-30',
        amount: '12.50',
        currency: 'EUR',
        category: 'TRAVEL',
        billable: true,
      })),
    );

    // 100..299 and expenses 10..39 are in both requests; the second names them in reverse order.
    const [one, two] = await Promise.all([
      post<ApprovalAnswer>('/psa/approvals', {
        approvedBy: 'U-ONE',
        timeEntryIds: entryIds.slice(0, 300),
        expenseIds: expenseIds.slice(0, 40),
      }),
      post<ApprovalAnswer>('/psa/approvals', {
        approvedBy: 'U-TWO',
        timeEntryIds: entryIds.slice(100).reverse(),
        expenseIds: expenseIds.slice(10).reverse(),
      }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(one.json.approved + two.json.approved).toBe(450);
    expect(one.json.alreadyApproved + two.json.alreadyApproved).toBe(230);
    const approvedBy = (answer: ApprovalAnswer) =>
      [...answer.timeEntries, ...answer.expenses]
        .filter((r) => r.outcome === 'APPROVED')
        .map((r) => r.entryId ?? r.expenseId);
    const approvedIds = [...approvedBy(one.json), ...approvedBy(two.json)];
    expect(new Set(approvedIds).size).toBe(450);

    const times = await outbox('TimeEntryApproved', project);
    const expenses = await outbox('ExpenseApproved', project);
    expect(times).toHaveLength(400);
    expect(new Set(times.map((e) => e.id)).size).toBe(400);
    expect(expenses).toHaveLength(50);
    expect(new Set(expenses.map((e) => e.id)).size).toBe(50);
  });

  it('takes a mixed batch of 500 with the outcome each entry would get alone, and a re-send has no effect', async () => {
    const project = `PRJ-MIX-${randomUUID().slice(0, 8)}`;
    const approved = { status: 'APPROVED', approvedBy: 'U-LEAD' };
    const id = (i: number) => `TE-${project}-${i}`;
    const first = await post<IntakeAnswer>(
      '/psa/time-entries',
      Array.from({ length: 300 }, (_, i) => timeEntry(project, id(i), i >= 100 && i < 200 ? approved : {})),
      { 'x-correlation-id': 'corr-mix-1' },
    );
    expect(outcomes(first.json.results)).toEqual({ RECEIVED: 200, APPROVED: 100 });

    // 0-49 as before, 50-99 changed, 100-199 approved as before, 200-249 approved now, 250-299
    // changed and approved now, 300-399 new, 400-499 new and approved.
    const batch = Array.from({ length: 500 }, (_, i) => {
      if (i < 50) return timeEntry(project, id(i));
      if (i < 100) return timeEntry(project, id(i), { hours: '6' });
      if (i < 200) return timeEntry(project, id(i), approved);
      if (i < 250) return timeEntry(project, id(i), approved);
      if (i < 300) return timeEntry(project, id(i), { hours: '5', ...approved });
      if (i < 400) return timeEntry(project, id(i));
      return timeEntry(project, id(i), approved);
    });
    const second = await post<IntakeAnswer>('/psa/time-entries', batch, { 'x-correlation-id': 'corr-mix-2' });
    expect(second.status).toBe(200);
    expect(outcomes(second.json.results)).toEqual({
      UNCHANGED: 50,
      UPDATED: 50,
      ALREADY_APPROVED: 100,
      APPROVED: 200,
      RECEIVED: 100,
    });
    expect(second.json.results[50]).toMatchObject({ outcome: 'UPDATED', changed: ['hoursHundredths'] });
    expect(second.json.results[150]).toMatchObject({
      outcome: 'ALREADY_APPROVED',
      eventId: first.json.results[150]?.eventId,
    });

    const events = await outbox('TimeEntryApproved', project);
    expect(events).toHaveLength(300);
    expect(new Set(events.map((e) => e.id)).size).toBe(300);
    expect(events.find((e) => e.id === id(260))?.hours).toBe(500);

    const rows = new Map(
      (
        await pool.query<{ id: string; status: string; hours: number; correlationId: string }>(
          `SELECT entry_id AS id, status, hours_hundredths AS hours, correlation_id AS "correlationId"
             FROM psa_time_entry WHERE project_id = $1`,
          [project],
        )
      ).rows.map((row) => [row.id, row]),
    );
    expect(rows.size).toBe(500);
    // A change while SUBMITTED keeps the correlation of the request that created the entry; an
    // approval records its own.
    expect(rows.get(id(60))).toEqual({
      id: id(60),
      status: 'SUBMITTED',
      hours: 600,
      correlationId: 'corr-mix-1',
    });
    expect(rows.get(id(150))).toMatchObject({ status: 'APPROVED', correlationId: 'corr-mix-1' });
    expect(rows.get(id(210))).toMatchObject({ status: 'APPROVED', hours: 750, correlationId: 'corr-mix-2' });
    expect(rows.get(id(260))).toMatchObject({ status: 'APPROVED', hours: 500, correlationId: 'corr-mix-2' });
    expect(rows.get(id(450))).toMatchObject({ status: 'APPROVED', correlationId: 'corr-mix-2' });

    const resent = await post<IntakeAnswer>('/psa/time-entries', batch);
    expect(outcomes(resent.json.results)).toEqual({ UNCHANGED: 200, ALREADY_APPROVED: 300 });
    expect(await outbox('TimeEntryApproved', project)).toHaveLength(300);
  });

  it('publishes each entry once when the same approved batch arrives twice at the same time', async () => {
    const project = `PRJ-TWICE-${randomUUID().slice(0, 8)}`;
    const batch = ids(`TE-${project}`, 0, 500).map((id) =>
      timeEntry(project, id, { status: 'APPROVED', approvedBy: 'U-LEAD' }),
    );
    const answers = await Promise.all([1, 2].map(() => post<IntakeAnswer>('/psa/time-entries', batch)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.json.approved).sort()).toEqual([0, 500]);
    const events = await outbox('TimeEntryApproved', project);
    expect(events).toHaveLength(500);
    expect(new Set(events.map((e) => e.id)).size).toBe(500);
  });
});
