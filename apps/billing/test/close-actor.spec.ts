import { testAuthorization, testSubject } from '@throughline/messaging-nest/testing';

import { BillingUnderTest, event, projectCreated, timeEntry } from './fixtures';

jest.setTimeout(120_000);

/** A client that acts for U-DELEGATED only (tools/oidc/clients.json). */
const DELEGATE = 'throughline-tests-delegate';

/**
 * Who changes billing state comes from the credential (#11): closedBy must be the caller or someone
 * it acts for, and the events of a close, an issue and a write-off record who made them.
 */
describe('billing takes the actor from the credential and records it in its events (real stack, real tokens)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    // About something else than tax: invoices untaxed (test/tax.spec.ts taxes them).
    billing = await BillingUnderTest.start(['BillingProvisioned', 'ActualChanged', 'InvoiceIssued'], {
      BILLING_TAX: 'off',
    });
  });
  afterAll(async () => {
    await billing?.stop();
  });

  const post = async (path: string, body: unknown, scope: string, client = DELEGATE) => {
    const response = await fetch(`${billing.service.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: await testAuthorization([scope], client),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const close = (period: string, closedBy: string) =>
    post(`/billing-periods/${period}/close`, { closedBy }, 'billing:close');

  it('refuses closedBy naming someone else (403, the period stays open) and closes as the delegated user', async () => {
    const refused = await close('2032-01', 'U-MALLORY');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ type: 'urn:throughline:problem:actor-mismatch' });
    const periods = await billing.get<{ period: string }[]>('/billing-periods');
    expect(periods.map((p) => p.period)).not.toContain('2032-01');

    const closed = await close('2032-01', 'U-DELEGATED');
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ period: '2032-01', closedBy: 'U-DELEGATED' });
  });

  it('records the write-off, close and issue actors in ActualChanged and InvoiceIssued; derived changes carry none', async () => {
    const subject = await testSubject(DELEGATE);
    // Not a constant that happens to match: the default test client is someone else.
    expect(subject).not.toBe(await testSubject());
    const { probe } = billing;
    await probe.publish(
      event('RateCardUpserted', {
        rateCardId: 'RC-ACT',
        legalEntityId: 'LE-ACT',
        currency: 'EUR',
        effectiveFrom: '2033-01-01',
        effectiveTo: null,
        rates: [{ role: 'Consultant', rateMinor: 10_000, costRateMinor: 6_000 }],
        upsertedBy: null,
      }),
      event(
        'ProjectCreated',
        projectCreated('PRJ-ACT', {
          customerId: 'C-ACT',
          legalEntityId: 'LE-ACT',
          startDate: '2033-01-01',
          endDate: '2033-12-31',
        }),
        'project',
      ),
    );
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-ACT');
    await probe.publish(
      event('TimeEntryApproved', timeEntry('TE-ACT-1', 'PRJ-ACT', '2033-03-10', 800)),
      event('TimeEntryApproved', timeEntry('TE-ACT-2', 'PRJ-ACT', '2033-03-11', 400)),
    );
    // Priced from an approved time entry: derived from an event, so no actor.
    for (const actualId of ['TE-ACT-1', 'TE-ACT-2']) {
      const priced = await probe.waitFor(
        'ActualChanged',
        (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED',
      );
      expect(priced.data.changedBy).toBeNull();
    }

    const writtenOff = await post(
      '/actuals/TE-ACT-2/write-off',
      { reason: 'duplicate' },
      'billing:write-off',
    );
    expect(writtenOff.status).toBe(200);
    const written = await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-ACT-2' && e.data.status === 'WRITTEN_OFF',
    );
    expect(written.data.changedBy).toBe(subject);

    expect((await close('2033-03', 'U-DELEGATED')).status).toBe(200);
    const drafted = await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-ACT-1' && e.data.status === 'READY_TO_INVOICE',
    );
    // The close names its actor (closedBy, checked against the credential): the drafted actuals carry it.
    expect(drafted.data.changedBy).toBe('U-DELEGATED');

    const invoiceId = 'INV-2033-03-C-ACT-LE-ACT-EUR';
    const issue = await post(`/invoices/${invoiceId}/issue`, { issuedOn: '2033-04-01' }, 'billing:issue');
    expect(issue.status).toBe(200);
    expect(issue.json).toMatchObject({ invoiceId, issuedBy: subject });
    const issued = await probe.waitFor('InvoiceIssued', (e) => e.data.invoiceId === invoiceId);
    expect(issued.data.issuedBy).toBe(subject);
    const invoiced = await probe.waitFor(
      'ActualChanged',
      (e) => e.data.actualId === 'TE-ACT-1' && e.data.status === 'INVOICED',
    );
    expect(invoiced.data.changedBy).toBe(subject);
  });
});
