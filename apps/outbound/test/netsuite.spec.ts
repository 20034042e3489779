import { sampleEventRecord } from '@throughline/contracts/testing';
import { NetSuiteStub, startNetSuiteStub } from '@throughline/crm-sandbox';
import { consumerLag, createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { OUTBOUND_DB } from '../src/application/outbound-delivery';
import { loadOutboundConfig } from '../src/config';
import { invoiceIdempotencyKey } from '../src/domain/netsuite-records';
import { OutboundDb } from '../src/infrastructure/outbound-db';

jest.setTimeout(90_000);

const INVOICE_PATH = '/services/rest/record/v1/invoice';

describe('outbound NetSuite connector against the real stack', () => {
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
      'OutboundRecordSynced',
    ]);
  });

  afterAll(async () => {
    await probe?.stop();
    await service?.stop();
    await netsuite?.close();
  });

  const db = () => service.app.get<OutboundDb>(OUTBOUND_DB);
  const callOf = (entityType: string, externalId: string) =>
    db().outboundCall.findUnique({
      where: { target_entityType_externalId: { target: 'netsuite', entityType, externalId } },
    });
  const invoicePosts = (invoiceId: string) =>
    netsuite.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === INVOICE_PATH &&
        (r.body as { externalId?: string } | undefined)?.externalId === invoiceId,
    );
  const invoicesOf = (invoiceId: string) => netsuite.data.invoices.filter((i) => i.externalId === invoiceId);

  async function settled(): Promise<void> {
    const runtime = service.runtime;
    const topics = runtime.consumer.eventTypes.map((eventType) => runtime.naming.topicFor(eventType));
    await eventually(
      async () => (await consumerLag(runtime.kafka, runtime.groupId, topics)).every((row) => row.lag === 0),
      60_000,
    );
  }

  const customerUpserted = (customerId: string, name = `Customer ${customerId}`) =>
    createEvent(
      'CustomerUpserted',
      { customerId, name, status: 'ACTIVE', billingCurrency: 'EUR', upsertedBy: null },
      { source: 'ingress' },
    );
  const invoiceIssued = (invoiceId: string, customerId: string, travelMinor = 18_950) => {
    const sample = sampleEventRecord('InvoiceIssued').data;
    const lines = sample.lines.map((line) =>
      line.kind === 'EXPENSE' ? { ...line, amountMinor: travelMinor } : line,
    );
    return createEvent(
      'InvoiceIssued',
      {
        ...sample,
        invoiceId,
        customerId,
        lines,
        totalMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0),
      },
      { source: 'billing' },
    );
  };

  it('upserts the customer by external id and creates the invoice once, however often the event comes', async () => {
    const customer = customerUpserted('C-NS-1', 'Acme GmbH');
    await probe.publish(customer, customer);
    await eventually(async () => (await callOf('Customer', 'C-NS-1'))?.status === 'SENT', 30_000);
    expect(netsuite.data.customers['C-NS-1']).toMatchObject({ companyName: 'Acme GmbH', isInactive: false });

    const invoice = invoiceIssued('INV-NS-1', 'C-NS-1');
    await probe.publish(invoice, invoice);
    await eventually(async () => (await callOf('Invoice', 'INV-NS-1'))?.status === 'SENT', 30_000);
    // A replay later on (e.g. from the ops CLI): the same payload was sent, no call.
    await probe.publish(invoice, customer);
    await settled();

    expect(
      netsuite.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/customer/eid:C-NS-1')),
    ).toHaveLength(1);
    expect(invoicePosts('INV-NS-1')).toHaveLength(1);
    expect(invoicePosts('INV-NS-1')[0]).toMatchObject({
      authorized: true,
      idempotencyKey: invoiceIdempotencyKey('INV-NS-1'),
    });
    expect(invoicesOf('INV-NS-1')).toEqual([
      expect.objectContaining({
        entity: 'C-NS-1',
        tranId: 'LE-DE-2025-0001',
        tranDate: '2025-05-02',
        dueDate: '2025-06-01',
        total: '1314.50',
        lines: [
          {
            item: 'THROUGHLINE-TIME',
            description: 'Consultant, 7.50 h at 150.00',
            quantity: 7.5,
            rate: 150,
            amount: 1125,
          },
          { item: 'THROUGHLINE-EXPENSE', description: 'TRAVEL 2025-04-02', amount: 189.5 },
        ],
      }),
    ]);
    const created = invoicesOf('INV-NS-1')[0];
    expect(await callOf('Invoice', 'INV-NS-1')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      targetRecordId: created?.id,
    });
    // The ERP took it: one OutboundRecordSynced (the end of the INVOICE_IN_ERP SLA), none for the replays.
    await probe.waitFor('OutboundRecordSynced', (e) => e.data.externalId === 'INV-NS-1');
    await settled();
    expect(probe.events('OutboundRecordSynced', (e) => e.data.externalId === 'INV-NS-1')).toEqual([
      expect.objectContaining({
        envelope: expect.objectContaining({ causationId: invoice.envelope.eventId, key: 'INV-NS-1' }),
        data: expect.objectContaining({
          target: 'netsuite',
          entityType: 'Invoice',
          targetRecordId: created?.id,
          sourceEventType: 'InvoiceIssued',
          sourceEventId: invoice.envelope.eventId,
        }),
      }),
    ]);
  });

  it('sends a changed customer again (upsert) and never sends a changed invoice, raising it for finance', async () => {
    await probe.publish(customerUpserted('C-NS-2', 'Beta BV'));
    const invoice = invoiceIssued('INV-NS-2', 'C-NS-2');
    await probe.publish(invoice);
    await eventually(async () => (await callOf('Invoice', 'INV-NS-2'))?.status === 'SENT', 30_000);

    await probe.publish(customerUpserted('C-NS-2', 'Beta B.V.'));
    await eventually(() => netsuite.data.customers['C-NS-2']?.companyName === 'Beta B.V.', 30_000);
    expect(Object.values(netsuite.data.customers).filter((c) => c.externalId === 'C-NS-2')).toHaveLength(1);

    const changed = invoiceIssued('INV-NS-2', 'C-NS-2', 20_000);
    await probe.publish(changed);
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'INV-NS-2' && e.data.code === 'OUTBOUND_RECORD_CHANGED',
    );
    expect(raised.data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Invoice',
      details: { target: 'netsuite', targetRecordId: invoicesOf('INV-NS-2')[0]?.id },
    });
    expect(raised.data.remediation).toMatch(/credit note/);
    await settled();
    expect(invoicePosts('INV-NS-2')).toHaveLength(1);
    expect(invoicesOf('INV-NS-2')).toEqual([expect.objectContaining({ total: '1314.50' })]);
    expect(await callOf('Invoice', 'INV-NS-2')).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('turns an unknown customer (400) into a business exception for finance, resolved by a replay once the customer exists', async () => {
    const invoice = invoiceIssued('INV-NS-3', 'C-NS-3');
    await probe.publish(invoice);
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'INV-NS-3');
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-OUT-netsuite-Invoice-INV-NS-3',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Invoice',
      code: 'OUTBOUND_CALL_REJECTED',
      details: { target: 'netsuite', httpStatus: '400' },
    });
    expect(raised.data.message).toMatch(
      /USER_ERROR: .*Invalid Field Value C-NS-3 for the following field: entity/,
    );
    expect(await callOf('Invoice', 'INV-NS-3')).toMatchObject({ status: 'REJECTED' });
    expect(invoicesOf('INV-NS-3')).toHaveLength(0);

    await probe.publish(customerUpserted('C-NS-3'));
    await eventually(async () => (await callOf('Customer', 'C-NS-3'))?.status === 'SENT', 30_000);
    await probe.publish(invoice);
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'INV-NS-3');
    expect(resolved.data.exceptionId).toBe('EXC-OUT-netsuite-Invoice-INV-NS-3');
    expect(invoicesOf('INV-NS-3')).toHaveLength(1);
  });

  it('upserts the project (job) under its customer', async () => {
    await probe.publish(customerUpserted('C-NS-6'));
    await eventually(async () => (await callOf('Customer', 'C-NS-6'))?.status === 'SENT', 30_000);
    const project = createEvent(
      'ProjectCreated',
      { ...sampleEventRecord('ProjectCreated').data, projectId: 'PRJ-NS-6', customerId: 'C-NS-6' },
      { source: 'project' },
    );
    await probe.publish(project, project);
    await eventually(async () => (await callOf('Project', 'PRJ-NS-6'))?.status === 'SENT', 30_000);
    await settled();
    expect(netsuite.data.jobs['PRJ-NS-6']).toMatchObject({
      companyName: 'Acme ERP rollout (DE)',
      parent: 'C-NS-6',
      startDate: '2025-04-01',
      projectedEndDate: '2025-09-30',
    });
    expect(netsuite.requests.filter((r) => r.path.endsWith('/job/eid:PRJ-NS-6'))).toHaveLength(1);
    expect(await callOf('Project', 'PRJ-NS-6')).toMatchObject({
      targetRecordId: netsuite.data.jobs['PRJ-NS-6']?.id,
    });
  });

  it('retries a 503 through the consumer with the same idempotency key: one invoice', async () => {
    await probe.publish(customerUpserted('C-NS-4'));
    await eventually(async () => (await callOf('Customer', 'C-NS-4'))?.status === 'SENT', 30_000);
    netsuite.failNext({ status: 503, pathPrefix: INVOICE_PATH });
    await probe.publish(invoiceIssued('INV-NS-4', 'C-NS-4'));
    await eventually(async () => (await callOf('Invoice', 'INV-NS-4'))?.status === 'SENT', 30_000);
    const posts = invoicePosts('INV-NS-4');
    expect(posts.map((post) => post.status)).toEqual([503, 204]);
    expect(new Set(posts.map((post) => post.idempotencyKey))).toEqual(
      new Set([invoiceIdempotencyKey('INV-NS-4')]),
    );
    expect(invoicesOf('INV-NS-4')).toHaveLength(1);
    expect(await callOf('Invoice', 'INV-NS-4')).toMatchObject({ attempts: 2, lastError: null });
  });

  it('signs each attempt afresh: a 429 waited out in place is not refused as a replayed nonce', async () => {
    await probe.publish(customerUpserted('C-NS-5'));
    await eventually(async () => (await callOf('Customer', 'C-NS-5'))?.status === 'SENT', 30_000);
    netsuite.failNext({ status: 429, retryAfterSeconds: 0, pathPrefix: INVOICE_PATH });
    await probe.publish(invoiceIssued('INV-NS-5', 'C-NS-5'));
    await eventually(async () => (await callOf('Invoice', 'INV-NS-5'))?.status === 'SENT', 30_000);
    expect(invoicePosts('INV-NS-5').map((post) => [post.status, post.authProblem])).toEqual([
      [429, undefined],
      [204, undefined],
    ]);
    expect(await callOf('Invoice', 'INV-NS-5')).toMatchObject({ attempts: 1 });
  });
});
