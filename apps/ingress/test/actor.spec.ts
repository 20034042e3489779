import { randomUUID } from 'node:crypto';

import { testAuthorization, testSubject } from '@throughline/messaging-nest/testing';

import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(120_000);

/** A client that acts for U-DELEGATED only (tools/oidc/clients.json). */
const DELEGATE = 'throughline-tests-delegate';

/**
 * The actor comes from the credential (#11): a client that acts for U-DELEGATED only may approve as
 * itself or as U-DELEGATED, not as anyone else; every event a write route publishes records who
 * made the change.
 */
describe('ingress takes the actor from the credential and records it in its events (real stack, real tokens)', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress([
      'TimeEntryApproved',
      'ExpenseApproved',
      'CustomerUpserted',
      'LegalEntityUpserted',
      'RateCardUpserted',
      'ProjectTemplateUpserted',
      'PaymentReceived',
      'ChangeOrderApproved',
    ]);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function post(path: string, body: unknown, client = DELEGATE, method = 'POST') {
    const response = await fetch(`${harness.service.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: await testAuthorization(undefined, client),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const entry = (project: string, entryId: string) => ({
    entryId,
    projectId: project,
    personId: 'P-1',
    role: 'Consultant',
    workDate: '2026-11-02',
    hours: '7.5',
    billable: true,
  });

  it('refuses approvedBy naming someone the caller does not act for, and approves nothing', async () => {
    const project = `PRJ-ACTOR-${randomUUID().slice(0, 8)}`;
    expect((await post('/psa/time-entries', [entry(project, `${project}-1`)])).status).toBe(200);

    const refused = await post('/psa/approvals', {
      approvedBy: 'U-SOMEONE-ELSE',
      timeEntryIds: [`${project}-1`],
    });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      type: 'urn:throughline:problem:actor-mismatch',
      detail:
        'approvedBy "U-SOMEONE-ELSE" is neither the caller (throughline-tests-delegate) nor someone it may act for (on_behalf_of)',
    });
    const listed = await harness.get<{ timeEntries: { status: string }[] }>(
      `/psa/time-entries?projectId=${project}`,
    );
    expect(listed.timeEntries.map((row) => row.status)).toEqual(['SUBMITTED']);

    const onBehalf = await post('/psa/approvals', {
      approvedBy: 'U-DELEGATED',
      timeEntryIds: [`${project}-1`],
    });
    expect(onBehalf.status).toBe(200);
    expect(onBehalf.json).toMatchObject({ approved: 1 });
  });

  it('accepts the caller itself as approver and checks corrections the same way', async () => {
    const project = `PRJ-ACTOR-${randomUUID().slice(0, 8)}`;
    await post('/psa/time-entries', [entry(project, `${project}-1`)]);
    const approval = await post('/psa/approvals', {
      approvedBy: 'throughline-tests-delegate',
      timeEntryIds: [`${project}-1`],
    });
    expect(approval.json).toMatchObject({ approved: 1 });

    const correction = { hours: '6', reason: 'typo' };
    const refused = await post(`/psa/time-entries/${project}-1/corrections`, {
      ...correction,
      approvedBy: 'U-X',
    });
    expect(refused.status).toBe(403);
    const accepted = await post(`/psa/time-entries/${project}-1/corrections`, {
      ...correction,
      approvedBy: 'U-DELEGATED',
    });
    expect(accepted.status).toBe(201);
  });

  it('records the caller in every ERP master-data event and in PaymentReceived; a re-send by another caller changes nothing', async () => {
    const subject = await testSubject(DELEGATE);
    // Not a constant that happens to match: the default test client is someone else.
    expect(subject).not.toBe(await testSubject());
    const id = randomUUID().slice(0, 8);
    const put = (path: string, body: unknown, client = DELEGATE) => post(path, body, client, 'PUT');

    expect(
      (await put(`/erp/legal-entities/LE-ACT-${id}`, { name: 'LE', country: 'DE', currency: 'EUR' })).status,
    ).toBe(200);
    const customer = { name: 'Acme', status: 'ACTIVE', billingCurrency: 'EUR' };
    expect((await put(`/erp/customers/C-ACT-${id}`, customer)).status).toBe(200);
    const card = {
      legalEntityId: `LE-ACT-${id}`,
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      rates: [{ role: 'Consultant', rateMinor: 9_500 }],
    };
    expect((await put(`/erp/rate-cards/RC-ACT-${id}`, card)).status).toBe(200);
    const template = {
      name: 'T&M',
      billingType: 'TIME_AND_MATERIALS',
      durationDays: 30,
      phases: [{ name: 'Delivery', offsetDays: 0, durationDays: 30, milestones: [] }],
    };
    expect((await put(`/erp/project-templates/TPL-ACT-${id}`, template)).status).toBe(200);
    const seeded = await post('/erp/master-data', {
      customers: [{ customerId: `C-ACT-SEED-${id}`, name: 'Seed', status: 'ACTIVE', billingCurrency: 'EUR' }],
    });
    expect(seeded.json).toMatchObject({ published: 1 });
    const payment = {
      paymentId: `PAY-ACT-${id}`,
      invoiceId: 'INV-1',
      customerId: `C-ACT-${id}`,
      currency: 'EUR',
      amount: '10.00',
      receivedOn: '2026-11-20',
    };
    expect((await post('/erp/payments', payment)).status).toBe(200);

    const { probe } = harness;
    const recorded = [
      (await probe.waitFor('LegalEntityUpserted', (e) => e.data.legalEntityId === `LE-ACT-${id}`)).data
        .upsertedBy,
      (await probe.waitFor('CustomerUpserted', (e) => e.data.customerId === `C-ACT-${id}`)).data.upsertedBy,
      (await probe.waitFor('RateCardUpserted', (e) => e.data.rateCardId === `RC-ACT-${id}`)).data.upsertedBy,
      (await probe.waitFor('ProjectTemplateUpserted', (e) => e.data.templateId === `TPL-ACT-${id}`)).data
        .upsertedBy,
      (await probe.waitFor('CustomerUpserted', (e) => e.data.customerId === `C-ACT-SEED-${id}`)).data
        .upsertedBy,
      (await probe.waitFor('PaymentReceived', (e) => e.data.paymentId === `PAY-ACT-${id}`)).data.recordedBy,
    ];
    expect(recorded).toEqual(Array(6).fill(subject));

    // Who sent a record is not part of it: the same content from another client is unchanged, not a conflict.
    expect((await put(`/erp/customers/C-ACT-${id}`, customer, 'throughline-tests')).json).toMatchObject({
      outcome: 'UNCHANGED',
    });
    expect((await post('/erp/payments', payment, 'throughline-tests')).json).toMatchObject({
      outcome: 'UNCHANGED',
    });
  });

  it('checks the approver a change order names, and records it', async () => {
    const projectId = `PRJ-ACT-${randomUUID().slice(0, 8)}`;
    const order = (changeOrderId: string, approvedBy: string) => ({
      changeOrderId,
      projectId,
      description: 'More hours',
      effectiveDate: '2026-12-01',
      budgetDelta: '100.00',
      currency: 'EUR',
      roleChanges: [{ role: 'Architect', hoursDelta: '1' }],
      milestoneChanges: [],
      approvedBy,
    });
    const refused = await post('/crm/change-orders', order(`${projectId}-CO-1`, 'U-SOMEONE-ELSE'));
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ type: 'urn:throughline:problem:actor-mismatch' });

    expect((await post('/crm/change-orders', order(`${projectId}-CO-2`, 'U-DELEGATED'))).status).toBe(200);
    const approved = await harness.probe.waitFor(
      'ChangeOrderApproved',
      (e) => e.data.changeOrderId === `${projectId}-CO-2`,
    );
    expect(approved.data.approvedBy).toBe('U-DELEGATED');
    // Same key (projectId), same partition: the refused one would have arrived first.
    expect(
      harness.probe
        .events('ChangeOrderApproved', (e) => e.data.projectId === projectId)
        .map((e) => e.data.changeOrderId),
    ).toEqual([`${projectId}-CO-2`]);
  });

  it('checks the approver of time entries and expenses sent as APPROVED, and records it', async () => {
    const project = `PRJ-ACT-${randomUUID().slice(0, 8)}`;
    const approved = (approvedBy: string) => ({
      status: 'APPROVED',
      approvedBy,
      approvedAt: Date.UTC(2026, 10, 2, 17),
    });
    const refused = await post('/psa/time-entries', [
      entry(project, `${project}-1`),
      { ...entry(project, `${project}-2`), ...approved('U-SOMEONE-ELSE') },
    ]);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ type: 'urn:throughline:problem:actor-mismatch' });
    const stored = await harness.get<{ timeEntries: unknown[] }>(`/psa/time-entries?projectId=${project}`);
    expect(stored.timeEntries).toEqual([]);

    const expense = {
      expenseId: `${project}-EX-1`,
      projectId: project,
      personId: 'P-1',
      incurredOn: '2026-11-02',
      amount: '12.50',
      currency: 'EUR',
      category: 'TRAVEL',
      billable: true,
    };
    expect((await post('/psa/expenses', { ...expense, ...approved('U-SOMEONE-ELSE') })).status).toBe(403);

    const accepted = await post('/psa/time-entries', {
      ...entry(project, `${project}-3`),
      ...approved('U-DELEGATED'),
    });
    expect(accepted.status).toBe(200);
    const event = await harness.probe.waitFor('TimeEntryApproved', (e) => e.data.entryId === `${project}-3`);
    expect(event.data.approvedBy).toBe('U-DELEGATED');
    expect((await post('/psa/expenses', { ...expense, ...approved('U-DELEGATED') })).status).toBe(200);
    const expenseEvent = await harness.probe.waitFor(
      'ExpenseApproved',
      (e) => e.data.expenseId === `${project}-EX-1`,
    );
    expect(expenseEvent.data.approvedBy).toBe('U-DELEGATED');
  });
});
