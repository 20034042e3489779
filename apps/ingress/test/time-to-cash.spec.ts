import { randomUUID } from 'node:crypto';

import { eventually } from '@throughline/messaging/testing';
import { testSubject } from '@throughline/messaging-nest/testing';

import { IngressHarness, sleep, startIngress } from './ingress-harness';

jest.setTimeout(90_000);

interface Answer<T = Record<string, unknown>> {
  status: number;
  json: T;
}

interface EntryAnswer {
  received: number;
  approved: number;
  unchanged: number;
  results: {
    entryId?: string;
    expenseId?: string;
    outcome: string;
    status: string;
    eventId: string | null;
  }[];
}

interface Rejected {
  error: string;
  rejected: { index: number; id: string | null; errors: string[] }[];
}

describe('time-to-cash intake (PSA time and expenses, ERP payments, change orders) against the real stack', () => {
  let harness: IngressHarness;
  const project = 'PRJ-HS-77-LE-DE';

  beforeAll(async () => {
    harness = await startIngress([
      'TimeEntryApproved',
      'ExpenseApproved',
      'PaymentReceived',
      'ChangeOrderApproved',
    ]);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const post = async <T = Record<string, unknown>>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> => {
    const response = await fetch(`${harness.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };
  const timeEntriesOf = async (query: string) =>
    (await harness.get<{ timeEntries: Record<string, unknown>[] }>(`/psa/time-entries?${query}`)).timeEntries;
  const timeEvents = (entryId: string) =>
    harness.probe.events('TimeEntryApproved', (e) => e.data.entryId === entryId);

  const entry = (entryId: string, hours: string | number, extra: Record<string, unknown> = {}) => ({
    entryId,
    projectId: project,
    personId: 'P-7',
    role: 'Architect',
    workDate: '2026-12-01',
    hours,
    billable: true,
    ...extra,
  });

  it('takes a batch of time entries, approves them and publishes each once with exact hours', async () => {
    const approvedAt = Date.UTC(2026, 10, 27, 17, 0, 0);
    const batch = [
      entry('TE-A', '7.5'),
      entry('TE-B', 8, { role: 'Consultant', billable: false }),
      entry('TE-C', '0.25', {
        status: 'APPROVED',
        approvedBy: 'U-LEAD',
        approvedAt: '2026-11-27T18:00:00+01:00',
      }),
    ];
    const first = await post<EntryAnswer>('/psa/time-entries', batch, { 'x-correlation-id': 'corr-psa-1' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: 3, approved: 1, unchanged: 0 });
    expect(first.json.results.map((r) => [r.entryId, r.outcome, r.status])).toEqual([
      ['TE-A', 'RECEIVED', 'SUBMITTED'],
      ['TE-B', 'RECEIVED', 'SUBMITTED'],
      ['TE-C', 'APPROVED', 'APPROVED'],
    ]);
    const c = await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === 'TE-C');
    expect(c.data).toEqual({
      entryId: 'TE-C',
      projectId: project,
      personId: 'P-7',
      role: 'Architect',
      workDate: '2026-12-01',
      hoursHundredths: 25,
      billable: true,
      approvedAt,
      approvedBy: 'U-LEAD',
      sourceSystem: 'PSA',
      revision: 1,
      correctionReason: null,
    });
    expect(c.envelope.key).toBe(project);
    expect(c.envelope.correlationId).toBe('corr-psa-1');
    expect(c.envelope.eventId).toBe(first.json.results[2]?.eventId);

    const approval = await post<{
      approved: number;
      alreadyApproved: number;
      timeEntries: { entryId: string; outcome: string }[];
    }>(
      '/psa/approvals',
      { approvedBy: 'U-LEAD', timeEntryIds: ['TE-A', 'TE-B', 'TE-C'] },
      { 'x-correlation-id': 'corr-approve-1' },
    );
    expect(approval.status).toBe(200);
    expect(approval.json).toMatchObject({ approved: 2, alreadyApproved: 1 });
    expect(approval.json.timeEntries.map((r) => [r.entryId, r.outcome])).toEqual([
      ['TE-A', 'APPROVED'],
      ['TE-B', 'APPROVED'],
      ['TE-C', 'ALREADY_APPROVED'],
    ]);
    const a = await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === 'TE-A');
    const b = await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === 'TE-B');
    expect(a.data.hoursHundredths).toBe(750);
    expect(b.data).toMatchObject({
      hoursHundredths: 800,
      role: 'Consultant',
      billable: false,
      approvedBy: 'U-LEAD',
    });
    expect(a.envelope.correlationId).toBe('corr-approve-1');

    // Identical re-sends of the batch and of the approval: 200, nothing new.
    const again = await post<EntryAnswer>('/psa/time-entries', batch);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ received: 3, approved: 0, unchanged: 3 });
    expect(again.json.results.map((r) => r.outcome)).toEqual([
      'ALREADY_APPROVED',
      'ALREADY_APPROVED',
      'ALREADY_APPROVED',
    ]);
    expect(again.json.results[0]?.eventId).toBe(a.envelope.eventId);
    const reapproval = await post('/psa/approvals', { approvedBy: 'U-OTHER', timeEntryIds: ['TE-A'] });
    expect(reapproval.json).toMatchObject({ approved: 0, alreadyApproved: 1 });

    await sleep(1_500);
    for (const id of ['TE-A', 'TE-B', 'TE-C']) expect(timeEvents(id)).toHaveLength(1);

    const listed = await timeEntriesOf(`projectId=${project}&status=APPROVED`);
    expect(listed.map((row) => [row['entryId'], row['hoursHundredths'], row['approvedBy']])).toEqual([
      ['TE-A', 750, 'U-LEAD'],
      ['TE-B', 800, 'U-LEAD'],
      ['TE-C', 25, 'U-LEAD'],
    ]);
  });

  it('publishes one event when the same approval arrives twice at the same time', async () => {
    expect((await post('/psa/time-entries', entry('TE-RACE', '3'))).status).toBe(200);
    const [one, two] = await Promise.all([
      post('/psa/approvals', { approvedBy: 'U-LEAD', timeEntryIds: ['TE-RACE'] }),
      post('/psa/approvals', { approvedBy: 'U-LEAD', timeEntryIds: ['TE-RACE'] }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect([one.json['approved'], two.json['approved']].sort()).toEqual([0, 1]);
    await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === 'TE-RACE');
    await sleep(1_500);
    expect(timeEvents('TE-RACE')).toHaveLength(1);
  });

  it('lets a submitted entry change but answers a changed approved entry with 409, storing nothing of the request', async () => {
    expect((await post('/psa/time-entries', entry('TE-D', '4'))).status).toBe(200);
    const updated = await post<EntryAnswer & { results: { changed?: string[] }[] }>(
      '/psa/time-entries',
      entry('TE-D', '4.5'),
    );
    expect(updated.json.results[0]).toMatchObject({
      outcome: 'UPDATED',
      status: 'SUBMITTED',
      changed: ['hoursHundredths'],
    });

    // TE-A was approved with 7.5 h in the first test.
    const conflict = await post<{ error: string; conflicts: { id: string; changed: string[] }[] }>(
      '/psa/time-entries',
      [entry('TE-NEW', '1'), entry('TE-A', '8'), entry('TE-D', '5')],
    );
    expect(conflict.status).toBe(409);
    expect(conflict.json.conflicts).toEqual([{ id: 'TE-A', changed: ['hoursHundredths'] }]);
    expect(conflict.json.error).toContain('POST /psa/time-entries/{entryId}/corrections');
    const rows = await timeEntriesOf(`projectId=${project}`);
    expect(rows.find((row) => row['entryId'] === 'TE-NEW')).toBeUndefined();
    expect(rows.find((row) => row['entryId'] === 'TE-D')).toMatchObject({
      hoursHundredths: 450,
      status: 'SUBMITTED',
    });
    expect(rows.find((row) => row['entryId'] === 'TE-A')).toMatchObject({ hoursHundredths: 750 });
  });

  it('corrects an approved entry as its next revision, publishing the full facts once per revision', async () => {
    const approvedAt = Date.UTC(2026, 10, 27, 17, 0, 0);
    const first = await post<EntryAnswer>(
      '/psa/time-entries',
      entry('TE-FIX', '7.5', { status: 'APPROVED', approvedBy: 'U-LEAD', approvedAt }),
    );
    expect(first.json.results[0]?.outcome).toBe('APPROVED');
    await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === 'TE-FIX');

    const correctedAt = Date.now() - 60_000;
    const fix = await post<{ outcome: string; revision: number; eventId: string; changed: string[] }>(
      '/psa/time-entries/TE-FIX/corrections',
      {
        hours: '6.25',
        billable: false,
        reason: 'booked 7.5 h instead of 6.25 h',
        approvedBy: 'U-CTRL',
        approvedAt: correctedAt,
      },
      { 'x-correlation-id': 'corr-fix-1' },
    );
    expect(fix.status).toBe(201);
    expect(fix.json).toEqual({
      entryId: 'TE-FIX',
      outcome: 'CORRECTED',
      revision: 2,
      eventId: expect.any(String),
      changed: ['billable', 'hoursHundredths'],
    });
    const second = await eventually(async () => timeEvents('TE-FIX').find((e) => e.data.revision === 2));
    expect(second.data).toEqual({
      entryId: 'TE-FIX',
      projectId: project,
      personId: 'P-7',
      role: 'Architect',
      workDate: '2026-12-01',
      hoursHundredths: 625,
      billable: false,
      approvedAt: correctedAt,
      approvedBy: 'U-CTRL',
      sourceSystem: 'PSA',
      revision: 2,
      correctionReason: 'booked 7.5 h instead of 6.25 h',
    });
    expect(second.envelope.eventId).toBe(fix.json.eventId);
    expect(second.envelope.key).toBe(project);
    expect(second.envelope.correlationId).toBe('corr-fix-1');

    // Withdrawn (0 h) on another day: revision 3 with every fact as corrected so far.
    const withdraw = await post<{ outcome: string; revision: number; eventId: string }>(
      '/psa/time-entries/TE-FIX/corrections',
      { hours: '0', workDate: '2026-12-02', reason: 'not worked', approvedBy: 'U-CTRL' },
    );
    expect(withdraw.json).toMatchObject({ outcome: 'CORRECTED', revision: 3 });
    const third = await eventually(async () => timeEvents('TE-FIX').find((e) => e.data.revision === 3));
    expect(third.data).toMatchObject({
      hoursHundredths: 0,
      billable: false,
      workDate: '2026-12-02',
      correctionReason: 'not worked',
    });

    // The same correction again, and the approved entry re-sent as it now stands: nothing new.
    const again = await post('/psa/time-entries/TE-FIX/corrections', {
      hours: '0.00',
      workDate: '2026-12-02',
      reason: 'not worked',
      approvedBy: 'U-CTRL',
    });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      entryId: 'TE-FIX',
      outcome: 'UNCHANGED',
      revision: 3,
      eventId: third.envelope.eventId,
      changed: [],
    });
    const resent = await post<EntryAnswer>(
      '/psa/time-entries',
      entry('TE-FIX', '0.01', { workDate: '2026-12-02', billable: false }),
    );
    expect(resent.status).toBe(409);
    await sleep(1_500);
    expect(timeEvents('TE-FIX').map((e) => e.data.revision)).toEqual([1, 2, 3]);
    const [row] = (await timeEntriesOf(`projectId=${project}`)).filter((r) => r['entryId'] === 'TE-FIX');
    expect(row).toMatchObject({
      status: 'APPROVED',
      hoursHundredths: 0,
      workDate: '2026-12-02',
      billable: false,
      revision: 3,
      correctionReason: 'not worked',
      approvedBy: 'U-CTRL',
      eventId: third.envelope.eventId,
    });
  });

  it('makes one revision of concurrent identical corrections', async () => {
    await post('/psa/time-entries', entry('TE-FIX-RACE', '4', { status: 'APPROVED', approvedBy: 'U-LEAD' }));
    const body = { hours: '5', reason: 'one more hour', approvedBy: 'U-CTRL' };
    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        post<{ outcome: string; revision: number }>('/psa/time-entries/TE-FIX-RACE/corrections', body),
      ),
    );
    expect(answers.map((a) => [a.status, a.json.outcome, a.json.revision]).sort()).toEqual([
      [200, 'UNCHANGED', 2],
      [200, 'UNCHANGED', 2],
      [201, 'CORRECTED', 2],
    ]);
    await eventually(async () => timeEvents('TE-FIX-RACE').find((e) => e.data.revision === 2));
    await sleep(1_500);
    expect(timeEvents('TE-FIX-RACE').map((e) => [e.data.revision, e.data.hoursHundredths])).toEqual([
      [1, 400],
      [2, 500],
    ]);
  });

  it('answers corrections of unknown (404), unapproved (409) and badly described (400) entries', async () => {
    const fix = { hours: '5', reason: 'typo', approvedBy: 'U-CTRL' };
    const unknown = await post<{ error: string }>('/psa/time-entries/TE-NOPE/corrections', fix);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/TE-NOPE/);

    await post('/psa/time-entries', entry('TE-FIX-SUB', '4'));
    const submitted = await post<{ error: string }>('/psa/time-entries/TE-FIX-SUB/corrections', fix);
    expect(submitted.status).toBe(409);
    expect(submitted.json.error).toMatch(/not approved.*POST \/psa\/time-entries instead/);

    const bad = await post<{ error: string; issues: { path: string; message: string }[] }>(
      '/psa/time-entries/TE-FIX-SUB/corrections',
      {
        hours: '-2',
        workDate: '2026-02-30',
        projectId: 'PRJ-OTHER',
        personId: 'P-8',
        entryId: 'TE-OTHER',
        reason: ' ',
        approvedBy: 'boss@example.com',
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.issues.map((issue) => issue.path).sort()).toEqual([
      'approvedBy',
      'entryId',
      'hours',
      'personId',
      'projectId',
      'reason',
      'workDate',
    ]);
    expect(bad.json.issues.find((issue) => issue.path === 'projectId')?.message).toMatch(/cannot change/);
    await sleep(1_000);
    expect(timeEvents('TE-FIX-SUB')).toEqual([]);
    expect(timeEvents('TE-NOPE')).toEqual([]);
  });

  it('answers a bad batch with 400 listing each bad entry and field, and stores nothing of it', async () => {
    const other = 'PRJ-HS-78-LE-FR';
    const response = await post<Rejected>('/psa/time-entries', [
      { ...entry('TE-OK', '2'), projectId: other },
      { ...entry('TE-X1', '7.555'), projectId: other },
      { ...entry('TE-X2', '-1'), projectId: other },
      { ...entry('TE-X3', 25), projectId: other, workDate: '2026-02-30' },
      { ...entry('TE-X4', '1'), projectId: other, personId: 'ada@example.com', personName: 'Ada' },
      { ...entry('TE-X5', '1'), projectId: other, status: 'APPROVED' },
      { ...entry('TE-OK', '2'), projectId: other },
    ]);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/^Invalid request: 6 of 7 time entries invalid; nothing was stored/);
    expect(response.json.rejected).toEqual([
      { index: 1, id: 'TE-X1', errors: ['hours: "7.555" has 3 decimal places; at most 2 allowed'] },
      { index: 2, id: 'TE-X2', errors: ['hours: "-1" is negative'] },
      {
        index: 3,
        id: 'TE-X3',
        errors: [
          'hours: "25" hours is more than 24 in one entry',
          'workDate: expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
        ],
      },
      {
        index: 4,
        id: 'TE-X4',
        errors: [
          expect.stringMatching(/^personId: expected a user id .*not a name or e-mail address$/),
          "Unrecognized key(s) in object: 'personName'",
        ],
      },
      { index: 5, id: 'TE-X5', errors: ['approvedBy: required with status APPROVED'] },
      {
        index: 6,
        id: 'TE-OK',
        errors: ['entryId: "TE-OK" appears more than once in the batch (indexes 0, 6)'],
      },
    ]);
    expect(await timeEntriesOf(`projectId=${other}`)).toEqual([]);

    const empty = await post<{ error: string }>('/psa/time-entries', []);
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/an array of 1 to 500 time entries \(got 0\)/);
  });

  it('accepts a batch of 500 entries in one request (over the 100 kB default body limit) and refuses 501', async () => {
    const bulkProject = 'PRJ-HS-1234567890-LE-DE-BERLIN';
    const batch = Array.from({ length: 500 }, (_, i) => ({
      ...entry(`TE-${randomUUID()}`, '7.75'),
      projectId: bulkProject,
      personId: `P-${randomUUID()}`,
      role: 'Senior Solution Architect',
      workDate: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      sourceSystem: 'KIMAI-EU-PRODUCTION',
    }));
    expect(JSON.stringify(batch).length).toBeGreaterThan(100_000);
    const accepted = await post<EntryAnswer>('/psa/time-entries', batch);
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ received: 500, approved: 0 });
    const rows = await timeEntriesOf(`projectId=${bulkProject}&status=SUBMITTED`);
    expect(rows).toHaveLength(500);
    expect(rows.every((row) => row['hoursHundredths'] === 775)).toBe(true);

    const tooMany = await post<{ error: string }>('/psa/time-entries', [...batch, entry('TE-BULK-500', '1')]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatch(/got 501/);

    const malformed = await fetch(`${harness.service.url}/psa/time-entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"entryId": "TE-1",',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^unreadable JSON body: /);
  });

  it('takes expenses, approves them and publishes exact minor units per currency', async () => {
    const expenses = [
      {
        expenseId: 'EX-1',
        projectId: project,
        personId: 'P-7',
        incurredOn: '2026-12-02',
        amount: '412.30',
        currency: 'EUR',
        category: 'TRAVEL',
        receiptReference: 'RCPT-DB-4711',
        billable: true,
      },
      {
        expenseId: 'EX-2',
        projectId: project,
        personId: 'P-8',
        incurredOn: '2026-12-03',
        amount: '15800',
        currency: 'JPY',
        category: 'LODGING',
        billable: false,
      },
    ];
    const submitted = await post<EntryAnswer>('/psa/expenses', expenses);
    expect(submitted.status).toBe(200);
    expect(submitted.json).toMatchObject({ received: 2, approved: 0 });

    const approval = await post('/psa/approvals', { approvedBy: 'U-LEAD', expenseIds: ['EX-1', 'EX-2'] });
    expect(approval.json).toMatchObject({ approved: 2 });
    const one = await harness.probe.waitFor('ExpenseApproved', (e) => e.data.expenseId === 'EX-1');
    const two = await harness.probe.waitFor('ExpenseApproved', (e) => e.data.expenseId === 'EX-2');
    expect(one.data).toMatchObject({
      amountMinor: 41_230,
      currency: 'EUR',
      category: 'TRAVEL',
      receiptReference: 'RCPT-DB-4711',
      billable: true,
      approvedBy: 'U-LEAD',
    });
    expect(two.data).toMatchObject({
      amountMinor: 15_800,
      currency: 'JPY',
      receiptReference: null,
      billable: false,
    });

    expect((await post<EntryAnswer>('/psa/expenses', expenses)).json).toMatchObject({
      approved: 0,
      unchanged: 2,
    });
    const changed = await post('/psa/expenses', { ...expenses[0], amount: '412.31' });
    expect(changed.status).toBe(409);

    const bad = await post<Rejected>('/psa/expenses', {
      ...expenses[0],
      expenseId: 'EX-3',
      amount: '10.005',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.rejected).toEqual([
      { index: 0, id: 'EX-3', errors: ['amount: "10.005" has 3 decimal places; at most 2 allowed (EUR)'] },
    ]);
    const listed = await harness.get<{ expenses: Record<string, unknown>[] }>(
      `/psa/expenses?projectId=${project}`,
    );
    expect(listed.expenses.map((e) => [e['expenseId'], e['amountMinor'], e['status']])).toEqual([
      ['EX-1', 41_230, 'APPROVED'],
      ['EX-2', 15_800, 'APPROVED'],
    ]);
    await sleep(1_000);
    expect(harness.probe.events('ExpenseApproved', (e) => e.data.expenseId === 'EX-1')).toHaveLength(1);
  });

  it('approves nothing when an approval names an unknown entry (404)', async () => {
    expect((await post('/psa/time-entries', entry('TE-E', '1'))).status).toBe(200);
    const response = await post<{ error: string }>('/psa/approvals', {
      approvedBy: 'U-LEAD',
      timeEntryIds: ['TE-E', 'TE-NOPE'],
      expenseIds: ['EX-NOPE'],
    });
    expect(response.status).toBe(404);
    expect(response.json.error).toBe(
      'unknown time entries: TE-NOPE; unknown expenses: EX-NOPE; nothing was approved',
    );
    expect(
      (await timeEntriesOf(`projectId=${project}&status=SUBMITTED`)).map((row) => row['entryId']),
    ).toContain('TE-E');
    const noIds = await post<{ error: string }>('/psa/approvals', { approvedBy: 'U-LEAD' });
    expect(noIds.status).toBe(400);
    expect(noIds.json.error).toMatch(/name at least one id/);
  });

  it('relays an ERP payment once, answers an identical re-send as before and a different one with 409', async () => {
    const payment = {
      paymentId: 'PAY-1',
      invoiceId: 'INV-2026-11-C-1-LE-DE-EUR',
      customerId: 'C-1',
      currency: 'EUR',
      amount: '12345.67',
      receivedOn: '2026-11-20',
      reference: 'SEPA-4711',
    };
    const first = await post<{ outcome: string; eventId: string }>('/erp/payments', payment, {
      'x-correlation-id': 'corr-pay-1',
    });
    expect(first.status).toBe(200);
    expect(first.json.outcome).toBe('PUBLISHED');
    const event = await harness.probe.waitFor('PaymentReceived', (e) => e.data.paymentId === 'PAY-1');
    expect(event.data).toEqual({
      paymentId: 'PAY-1',
      invoiceId: 'INV-2026-11-C-1-LE-DE-EUR',
      customerId: 'C-1',
      currency: 'EUR',
      amountMinor: 1_234_567,
      receivedOn: '2026-11-20',
      reference: 'SEPA-4711',
      recordedBy: await testSubject(),
    });
    expect(event.envelope.key).toBe('C-1');
    expect(event.envelope.eventId).toBe(first.json.eventId);
    expect(event.envelope.correlationId).toBe('corr-pay-1');

    // The same amount written with a trailing zero is the same payment.
    const again = await post('/erp/payments', { ...payment, amount: '12345.670' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ outcome: 'UNCHANGED', eventId: first.json.eventId });

    const different = await post<{ error: string; changed: string[] }>('/erp/payments', {
      ...payment,
      amount: '12345.00',
    });
    expect(different.status).toBe(409);
    expect(different.json.changed).toEqual(['amountMinor']);
    expect(different.json.error).toMatch(/payment PAY-1 was already received with different amountMinor/);

    const bad = await post<{ error: string }>('/erp/payments', {
      ...payment,
      paymentId: 'PAY-2',
      amount: 12345.67,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/amount: expected a decimal string/);
    await sleep(1_000);
    expect(harness.probe.events('PaymentReceived', (e) => e.data.paymentId === 'PAY-1')).toHaveLength(1);
  });

  it('relays an approved change order once with exact deltas, 409 for different content, 400 for bad rules', async () => {
    const order = {
      changeOrderId: 'CO-1',
      projectId: project,
      description: 'Add a data migration workstream; descope training',
      effectiveDate: '2026-12-01',
      budgetDelta: '-1500.50',
      currency: 'EUR',
      newEndDate: '2027-03-31',
      roleChanges: [
        { role: 'Architect', hoursDelta: '20' },
        { role: 'Trainer', hoursDelta: '-12.5' },
        { role: 'Data engineer', hoursDelta: 40, rate: '120.50' },
      ],
      milestoneChanges: [
        {
          action: 'ADD',
          milestoneId: 'M-CO-1',
          name: 'Data migrated',
          dueDate: '2027-02-15',
          amount: '3000.00',
        },
        { action: 'REMOVE', milestoneId: 'M-TRAINING' },
      ],
      approvedBy: 'U-ACCOUNT-LEAD',
    };
    const first = await post<{ outcome: string; eventId: string }>('/crm/change-orders', order);
    expect(first.status).toBe(200);
    expect(first.json.outcome).toBe('PUBLISHED');
    const event = await harness.probe.waitFor('ChangeOrderApproved', (e) => e.data.changeOrderId === 'CO-1');
    expect(event.data).toEqual({
      changeOrderId: 'CO-1',
      projectId: project,
      description: 'Add a data migration workstream; descope training',
      effectiveDate: '2026-12-01',
      budgetDeltaMinor: -150_050,
      newEndDate: '2027-03-31',
      roleChanges: [
        { role: 'Architect', hoursDeltaHundredths: 2_000, rateMinor: null },
        { role: 'Trainer', hoursDeltaHundredths: -1_250, rateMinor: null },
        { role: 'Data engineer', hoursDeltaHundredths: 4_000, rateMinor: 12_050 },
      ],
      milestoneChanges: [
        {
          action: 'ADD',
          milestoneId: 'M-CO-1',
          name: 'Data migrated',
          dueDate: '2027-02-15',
          amountMinor: 300_000,
        },
        { action: 'REMOVE', milestoneId: 'M-TRAINING', name: null, dueDate: null, amountMinor: null },
      ],
      approvedBy: 'U-ACCOUNT-LEAD',
      currency: 'EUR',
    });
    expect(event.envelope.key).toBe(project);
    expect(event.envelope.schemaVersion).toBe(2);

    const again = await post('/crm/change-orders', order);
    expect(again.json).toMatchObject({ outcome: 'UNCHANGED', eventId: first.json.eventId });
    const different = await post<{ changed: string[] }>('/crm/change-orders', {
      ...order,
      newEndDate: '2027-04-30',
    });
    expect(different.status).toBe(409);
    expect(different.json.changed).toEqual(['newEndDate']);
    const otherCurrency = await post<{ changed: string[] }>('/crm/change-orders', {
      ...order,
      currency: 'CHF',
    });
    expect(otherCurrency.status).toBe(409);
    expect(otherCurrency.json.changed).toEqual(['currency']);

    const bad = await post<{ error: string }>('/crm/change-orders', {
      ...order,
      changeOrderId: 'CO-2',
      milestoneChanges: [{ action: 'ADD', milestoneId: 'M-X', amount: '10.00' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe(
      'Invalid request: milestoneChanges.0.name: required to ADD a milestone; milestoneChanges.0.dueDate: required to ADD a milestone',
    );
    await sleep(1_000);
    expect(harness.probe.events('ChangeOrderApproved', (e) => e.data.changeOrderId === 'CO-1')).toHaveLength(
      1,
    );
    expect(harness.probe.events('ChangeOrderApproved', (e) => e.data.changeOrderId === 'CO-2')).toHaveLength(
      0,
    );
  });

  it('puts the request currency on the change order event, whatever it is', async () => {
    const usd = await post('/crm/change-orders', {
      changeOrderId: 'CO-USD',
      projectId: project,
      description: 'Extra workshop, priced in USD',
      effectiveDate: '2026-12-01',
      budgetDelta: '250.00',
      currency: 'USD',
      approvedBy: 'U-ACCOUNT-LEAD',
    });
    expect(usd.status).toBe(200);
    expect(usd.json).toMatchObject({ outcome: 'PUBLISHED', currency: 'USD' });
    const event = await harness.probe.waitFor(
      'ChangeOrderApproved',
      (e) => e.data.changeOrderId === 'CO-USD',
    );
    expect(event.data).toMatchObject({ currency: 'USD', budgetDeltaMinor: 25_000 });
  });
});
