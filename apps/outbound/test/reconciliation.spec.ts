import { sampleEventRecord } from '@throughline/contracts/testing';
import { NetSuiteStub, startNetSuiteStub } from '@throughline/crm-sandbox';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { OUTBOUND_DB } from '../src/application/outbound-delivery';
import { ReconciliationReport } from '../src/application/reconciliation';
import { loadOutboundConfig } from '../src/config';
import { OutboundDb } from '../src/infrastructure/outbound-db';

jest.setTimeout(120_000);

describe('reconciliation with NetSuite against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let netsuite: NetSuiteStub;

  beforeAll(async () => {
    netsuite = await startNetSuiteStub();
    const config = testServiceConfig('outbound');
    const { accountId, consumerKey, consumerSecret, tokenId, tokenSecret } = netsuite.credentials;
    const outbound = loadOutboundConfig({
      NETSUITE_ACCOUNT_ID: accountId,
      NETSUITE_CONSUMER_KEY: consumerKey,
      NETSUITE_CONSUMER_SECRET: consumerSecret,
      NETSUITE_TOKEN_ID: tokenId,
      NETSUITE_TOKEN_SECRET: tokenSecret,
      NETSUITE_API_URL: netsuite.url,
    });
    service = await startTestService(AppModule.forConfig(config, outbound), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'BusinessExceptionRaised',
      'BusinessExceptionResolved',
    ]);
  });

  afterAll(async () => {
    await probe?.stop();
    await service?.stop();
    await netsuite?.close();
  });

  const db = () => service.app.get<OutboundDb>(OUTBOUND_DB);
  const sent = async (entityType: string, externalId: string) =>
    (
      await db().outboundCall.findUnique({
        where: { target_entityType_externalId: { target: 'netsuite', entityType, externalId } },
      })
    )?.status === 'SENT';

  async function reconcile(body: unknown = { target: 'netsuite' }): Promise<Response> {
    return fetch(`${service.url}/reconciliations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  async function report(): Promise<ReconciliationReport> {
    const response = await reconcile({ target: 'netsuite', entityTypes: ['Customer', 'Invoice'] });
    expect(response.status).toBe(200);
    return (await response.json()) as ReconciliationReport;
  }

  const invoiceIssued = (invoiceId: string, customerId: string) =>
    createEvent(
      'InvoiceIssued',
      { ...sampleEventRecord('InvoiceIssued').data, invoiceId, customerId },
      { source: 'billing' },
    );
  const reconciliationEvents = (type: 'BusinessExceptionRaised' | 'BusinessExceptionResolved') =>
    probe
      .events(type, (e) => e.data.exceptionId.startsWith('EXC-REC-'))
      .map((e) => e.data.exceptionId)
      .sort();

  it('finds a changed and a deleted invoice, raises each once, and resolves both once NetSuite is fixed', async () => {
    await probe.publish(
      createEvent(
        'CustomerUpserted',
        {
          customerId: 'C-REC-1',
          name: 'Acme GmbH',
          status: 'ACTIVE',
          billingCurrency: 'EUR',
          upsertedBy: null,
        },
        { source: 'ingress' },
      ),
    );
    await eventually(() => sent('Customer', 'C-REC-1'), 30_000);
    for (const id of ['INV-REC-1', 'INV-REC-2', 'INV-REC-3'])
      await probe.publish(invoiceIssued(id, 'C-REC-1'));
    for (const id of ['INV-REC-1', 'INV-REC-2', 'INV-REC-3'])
      await eventually(() => sent('Invoice', id), 30_000);

    const clean = await report();
    expect(clean).toMatchObject({ compared: 4, agreeing: 4, differences: [], raised: [], resolved: [] });

    // Someone edits INV-REC-1 in NetSuite (1314.50 -> 1300.00) and deletes INV-REC-2.
    const changed = netsuite.data.invoices.find((invoice) => invoice.externalId === 'INV-REC-1');
    const deletedAt = netsuite.data.invoices.findIndex((invoice) => invoice.externalId === 'INV-REC-2');
    if (!changed || deletedAt < 0) throw new Error('the stub does not hold the invoices');
    changed.total = '1300.00';
    const [deleted] = netsuite.data.invoices.splice(deletedAt, 1);

    const first = await report();
    expect(first).toMatchObject({
      compared: 4,
      agreeing: 2,
      counts: { MISSING_IN_ERP: 1, AMOUNT_DIFFERS: 1, STATUS_DIFFERS: 0, UNKNOWN_IN_THROUGHLINE: 0 },
      differences: [
        {
          kind: 'AMOUNT_DIFFERS',
          entityType: 'Invoice',
          externalId: 'INV-REC-1',
          targetRecordId: changed.id,
          expected: '1314.5',
          actual: '1300',
        },
        { kind: 'MISSING_IN_ERP', entityType: 'Invoice', externalId: 'INV-REC-2', actual: null },
      ],
      raised: [
        'EXC-REC-netsuite-Invoice-INV-REC-1-AMOUNT_DIFFERS',
        'EXC-REC-netsuite-Invoice-INV-REC-2-MISSING_IN_ERP',
      ],
      resolved: [],
    });
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.exceptionId === 'EXC-REC-netsuite-Invoice-INV-REC-1-AMOUNT_DIFFERS',
    );
    expect(raised.data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Invoice',
      entityId: 'INV-REC-1',
      code: 'AMOUNT_DIFFERS',
      details: { target: 'netsuite', targetRecordId: changed.id, expected: '1314.5', actual: '1300' },
    });
    await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'INV-REC-2');

    // Nothing fixed yet: the same two differences, no exception raised again.
    const second = await report();
    expect(second.differences).toEqual(first.differences);
    expect(second).toMatchObject({ raised: [], resolved: [] });

    changed.total = '1314.50';
    if (deleted) netsuite.data.invoices.push(deleted);
    const third = await report();
    expect(third).toMatchObject({ compared: 4, agreeing: 4, differences: [], raised: [] });
    expect([...third.resolved].sort()).toEqual(first.raised);
    await eventually(() => reconciliationEvents('BusinessExceptionResolved').length === 2, 30_000);
    // The resolutions were written after anything the second run could have raised, so by now a
    // duplicate would have arrived too.
    expect(reconciliationEvents('BusinessExceptionRaised')).toEqual(first.raised);
    expect(reconciliationEvents('BusinessExceptionResolved')).toEqual(first.raised);
    expect(await db().reconciliationException.count({ where: { resolvedAt: null } })).toBe(0);
  });

  it('refuses a target it cannot reconcile and unknown fields', async () => {
    expect((await reconcile({ target: 'hubspot' })).status).toBe(400);
    expect((await reconcile({ target: 'netsuite', entityTypes: ['Deal'] })).status).toBe(400);
    expect((await reconcile({ target: 'netsuite', since: 'yesterday' })).status).toBe(400);
  });
});

describe('scheduled reconciliation with NetSuite against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let netsuite: NetSuiteStub;

  beforeAll(async () => {
    netsuite = await startNetSuiteStub();
    const config = testServiceConfig('outbound');
    const { accountId, consumerKey, consumerSecret, tokenId, tokenSecret } = netsuite.credentials;
    const outbound = loadOutboundConfig({
      NETSUITE_ACCOUNT_ID: accountId,
      NETSUITE_CONSUMER_KEY: consumerKey,
      NETSUITE_CONSUMER_SECRET: consumerSecret,
      NETSUITE_TOKEN_ID: tokenId,
      NETSUITE_TOKEN_SECRET: tokenSecret,
      NETSUITE_API_URL: netsuite.url,
      OUTBOUND_RECONCILE_INTERVAL_MS: '1000',
    });
    service = await startTestService(AppModule.forConfig(config, outbound), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start(['BusinessExceptionRaised']);
  });

  afterAll(async () => {
    await probe?.stop();
    await service?.stop();
    await netsuite?.close();
  });

  it('finds an invoice voided in NetSuite by itself, every OUTBOUND_RECONCILE_INTERVAL_MS', async () => {
    await probe.publish(
      createEvent(
        'CustomerUpserted',
        {
          customerId: 'C-REC-9',
          name: 'Beta BV',
          status: 'ACTIVE',
          billingCurrency: 'EUR',
          upsertedBy: null,
        },
        { source: 'ingress' },
      ),
    );
    await eventually(() => netsuite.data.customers['C-REC-9'] !== undefined, 30_000);
    await probe.publish(
      createEvent(
        'InvoiceIssued',
        { ...sampleEventRecord('InvoiceIssued').data, invoiceId: 'INV-REC-9', customerId: 'C-REC-9' },
        { source: 'billing' },
      ),
    );
    await eventually(
      () => netsuite.data.invoices.some((invoice) => invoice.externalId === 'INV-REC-9'),
      30_000,
    );
    const invoice = netsuite.data.invoices.find((candidate) => candidate.externalId === 'INV-REC-9');
    if (invoice) invoice.status = 'Voided';

    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'INV-REC-9');
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-REC-netsuite-Invoice-INV-REC-9-STATUS_DIFFERS',
      ownerRole: 'FINANCE_OPERATIONS',
      code: 'STATUS_DIFFERS',
      details: { expected: 'OPEN|PAID_IN_FULL', actual: 'VOIDED' },
    });
  });
});
