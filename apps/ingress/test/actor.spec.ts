import { randomUUID } from 'node:crypto';

import { testAuthorization } from '@throughline/messaging-nest/testing';

import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(120_000);

/**
 * The approver comes from the credential (#11): a client that acts for U-DELEGATED only
 * (tools/oidc/clients.json) may approve as itself or as U-DELEGATED, not as anyone else.
 */
describe('PSA approvals take the actor from the credential (real stack, real tokens)', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress(['TimeEntryApproved']);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function post(path: string, body: unknown, client = 'throughline-tests-delegate') {
    const response = await fetch(`${harness.service.url}${path}`, {
      method: 'POST',
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
});
