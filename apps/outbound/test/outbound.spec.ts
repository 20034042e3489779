import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { sampleEventRecord } from '@throughline/contracts/testing';
import { DEFAULT_DEAL_PROPERTIES, HubSpotStub, startHubSpotStub } from '@throughline/crm-sandbox';
import { consumerLag, createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { OUTBOUND_DB } from '../src/application/outbound-delivery';
import { loadOutboundConfig } from '../src/config';
import { webhookSignature } from '../src/domain/webhook';
import { OutboundDb } from '../src/infrastructure/outbound-db';

jest.setTimeout(90_000);

const WEBHOOK_SECRET = 'webhook-secret-for-tests';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('outbound service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let hubspot: HubSpotStub;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    hubspot = await startHubSpotStub({
      deals: Object.fromEntries(
        ['501', '502', '503', '504', '505', '506', '507', '508'].map((id) => [
          id,
          { properties: { dealname: `Deal ${id}` } },
        ]),
      ),
    });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url?.endsWith('/refuse')) {
          res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unknown customer"}');
        } else {
          res.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/throughline`;
    const config = testServiceConfig('outbound');
    const outbound = loadOutboundConfig({
      HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
      HUBSPOT_API_URL: hubspot.url,
      OUTBOUND_WEBHOOKS: JSON.stringify([
        { name: 'bi', url: receiverUrl, secret: WEBHOOK_SECRET, events: ['InvoiceIssued', 'DealWon'] },
        {
          name: 'refuser',
          url: `${receiverUrl}/refuse`,
          secret: WEBHOOK_SECRET,
          events: ['CustomerUpserted'],
          ownerRole: 'FINANCE_OPERATIONS',
        },
      ]),
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
    await hubspot?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const db = () => service.app.get<OutboundDb>(OUTBOUND_DB);
  const patches = (dealId: string) =>
    hubspot.requests.filter((r) => r.method === 'PATCH' && r.path === `/crm/v3/objects/deals/${dealId}`);
  const callOf = (target: string, entityType: string, externalId: string) =>
    db().outboundCall.findUnique({
      where: { target_entityType_externalId: { target, entityType, externalId } },
    });

  /** Every event published so far has been handled and committed (consumer lag 0). */
  async function settled(): Promise<void> {
    const runtime = service.runtime;
    const topics = runtime.consumer.eventTypes.map((eventType) => runtime.naming.topicFor(eventType));
    await eventually(
      async () => (await consumerLag(runtime.kafka, runtime.groupId, topics)).every((row) => row.lag === 0),
      60_000,
    );
  }

  const projectCreated = (dealId: string, projectId: string) =>
    createEvent(
      'ProjectCreated',
      { ...sampleEventRecord('ProjectCreated').data, dealId, projectId },
      { source: 'project' },
    );
  const invoiceIssued = (invoiceId: string, lines: { dealId: string; amountMinor: number }[]) => {
    const sample = sampleEventRecord('InvoiceIssued').data;
    const template = sample.lines[0];
    if (!template) throw new Error('the sample invoice has no line');
    return createEvent(
      'InvoiceIssued',
      {
        ...sample,
        invoiceId,
        lines: lines.map((line, index) => ({ ...template, ...line, lineId: `${invoiceId}-${index}` })),
        totalMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0),
      },
      { source: 'billing' },
    );
  };

  it('patches the HubSpot deal once for an event, redelivered or replayed, and again when the payload changes', async () => {
    const created = projectCreated('HS-501', 'PRJ-OUT-1');
    await probe.publish(created, created);
    await eventually(() => patches('501').length > 0);
    await settled();
    expect(patches('501')).toHaveLength(1);
    expect(patches('501')[0]).toMatchObject({
      authorized: true,
      body: {
        properties: {
          throughline_project_ids: 'PRJ-OUT-1',
          throughline_setup_status: 'IN_PROGRESS',
          throughline_invoiced_to_date: '',
        },
      },
    });
    expect(await callOf('hubspot', 'Deal', 'HS-501')).toMatchObject({
      targetRecordId: '501',
      status: 'SENT',
      attempts: 1,
      lastError: null,
    });

    // A replay of the same event later on (e.g. from the ops CLI): same payload, no call.
    await probe.publish(created);
    await settled();
    expect(patches('501')).toHaveLength(1);

    // A new fact about the deal changes the payload: the deal is updated (upsert), once.
    const setup = createEvent(
      'ProjectSetupCompleted',
      { dealId: 'HS-501', projectIds: ['PRJ-OUT-1'], status: 'READY', completedAt: Date.now() },
      { source: 'contract' },
    );
    await probe.publish(setup, setup);
    await eventually(() => patches('501').length > 1);
    await settled();
    expect(patches('501')).toHaveLength(2);
    expect(patches('501')[1]?.body).toEqual({
      properties: {
        throughline_project_ids: 'PRJ-OUT-1',
        throughline_setup_status: 'READY',
        throughline_invoiced_to_date: '',
      },
    });
    expect(hubspot.data.deals['501']?.properties).toMatchObject({ throughline_setup_status: 'READY' });
    expect(await callOf('hubspot', 'Deal', 'HS-501')).toMatchObject({ status: 'SENT', attempts: 2 });
  });

  it('waits out a 429 for its Retry-After, then patches the deal', async () => {
    hubspot.failNext({ status: 429, retryAfterSeconds: 1, pathPrefix: '/crm/v3/objects/deals/502' });
    await probe.publish(projectCreated('HS-502', 'PRJ-OUT-2'));
    await eventually(async () => (await callOf('hubspot', 'Deal', 'HS-502'))?.status === 'SENT', 30_000);
    const [throttled, retried] = patches('502');
    expect(patches('502')).toHaveLength(2);
    expect((retried?.receivedAt ?? 0) - (throttled?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(hubspot.data.deals['502']?.properties).toMatchObject({ throughline_project_ids: 'PRJ-OUT-2' });
  });

  it('retries a 5xx through the consumer until the deal takes the update', async () => {
    hubspot.failNext({ status: 503, pathPrefix: '/crm/v3/objects/deals/505' });
    await probe.publish(projectCreated('HS-505', 'PRJ-OUT-5'));
    await eventually(async () => (await callOf('hubspot', 'Deal', 'HS-505'))?.status === 'SENT', 30_000);
    expect(patches('505')).toHaveLength(2);
    expect(await callOf('hubspot', 'Deal', 'HS-505')).toMatchObject({ attempts: 2, lastError: null });
  });

  it('turns a 400 into a business exception for sales operations, and resolves it when a replay goes through', async () => {
    hubspot.data.dealProperties = DEFAULT_DEAL_PROPERTIES.filter(
      (name) => name !== 'throughline_invoiced_to_date',
    );
    const invoice = invoiceIssued('INV-OUT-503', [
      { dealId: 'HS-503', amountMinor: 100_000 },
      { dealId: 'HS-503', amountMinor: 23_456 },
    ]);
    try {
      await probe.publish(invoice);
      const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'HS-503');
      expect(raised.data).toMatchObject({
        exceptionId: 'EXC-OUT-hubspot-Deal-HS-503',
        ownerRole: 'SALES_OPERATIONS',
        entityType: 'Deal',
        dealId: 'HS-503',
        code: 'OUTBOUND_CALL_REJECTED',
        details: { target: 'hubspot', targetRecordId: '503', httpStatus: '400' },
      });
      expect(raised.data.message).toMatch(/PROPERTY_DOESNT_EXIST/);
      expect(raised.envelope.causationId).toBe(invoice.envelope.eventId);
      expect(await callOf('hubspot', 'Deal', 'HS-503')).toMatchObject({
        status: 'REJECTED',
        attempts: 1,
        openExceptionId: 'EXC-OUT-hubspot-Deal-HS-503',
      });
      expect(patches('503')).toHaveLength(1);
    } finally {
      hubspot.data.dealProperties = [...DEFAULT_DEAL_PROPERTIES];
    }

    // The admin created the property; replaying the event delivers it (after a passing 503) and
    // resolves the exception.
    hubspot.failNext({ status: 503, pathPrefix: '/crm/v3/objects/deals/503' });
    await probe.publish(invoice);
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'HS-503');
    expect(resolved.data.exceptionId).toBe('EXC-OUT-hubspot-Deal-HS-503');
    expect(hubspot.data.deals['503']?.properties).toMatchObject({
      throughline_invoiced_to_date: 'EUR 1234.56',
    });
    expect(await callOf('hubspot', 'Deal', 'HS-503')).toMatchObject({
      status: 'SENT',
      attempts: 3,
      openExceptionId: null,
    });
  });

  it('skips deals of other CRMs', async () => {
    const requestsBefore = hubspot.requests.length;
    await probe.publish(projectCreated('SF-0061x00000AbCdE', 'PRJ-OUT-SF'));
    await settled();
    expect(hubspot.requests.length).toBe(requestsBefore);
    expect(await callOf('hubspot', 'Deal', 'SF-0061x00000AbCdE')).toBeNull();
  });

  it('posts subscribed events to the webhook once each, signed over timestamp and body', async () => {
    const invoice = invoiceIssued('INV-OUT-504', [{ dealId: 'HS-504', amountMinor: 5_000 }]);
    const won = createEvent(
      'DealWon',
      { ...sampleEventRecord('DealWon').data, dealId: 'HS-504' },
      { source: 'ingress' },
    );
    await probe.publish(invoice, won, won);
    await eventually(() => received.length >= 2);
    await probe.publish(invoice);
    await settled();

    const forEvent = (eventId: string) =>
      received.filter((r) => r.headers['x-throughline-event-id'] === eventId);
    expect(forEvent(invoice.envelope.eventId)).toHaveLength(1);
    expect(forEvent(won.envelope.eventId)).toHaveLength(1);
    for (const delivery of [...forEvent(invoice.envelope.eventId), ...forEvent(won.envelope.eventId)]) {
      const timestamp = String(delivery.headers['x-throughline-timestamp']);
      expect(delivery.headers['x-throughline-signature']).toBe(
        webhookSignature(WEBHOOK_SECRET, timestamp, delivery.body),
      );
      expect(Math.abs(Number(timestamp) - Date.now() / 1_000)).toBeLessThan(120);
    }
    const body = JSON.parse(forEvent(won.envelope.eventId)[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      eventId: won.envelope.eventId,
      eventType: 'DealWon',
      correlationId: won.envelope.correlationId,
      data: { dealId: 'HS-504' },
    });
    // The invoice reached the HubSpot deal too.
    expect(hubspot.data.deals['504']?.properties).toMatchObject({
      throughline_invoiced_to_date: 'EUR 50.00',
    });
    expect(await callOf('webhook:bi', 'DealWon', won.envelope.eventId)).toMatchObject({
      status: 'SENT',
      attempts: 1,
    });
  });

  it("routes a webhook subscriber's refusal to the subscriber's owner", async () => {
    const upserted = createEvent(
      'CustomerUpserted',
      { ...sampleEventRecord('CustomerUpserted').data, customerId: 'C-OUT-1' },
      { source: 'ingress' },
    );
    await probe.publish(upserted);
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === upserted.envelope.eventId,
    );
    expect(raised.data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'CustomerUpserted',
      code: 'OUTBOUND_CALL_REJECTED',
      details: { target: 'webhook:refuser', httpStatus: '422' },
    });
    expect(raised.data.message).toMatch(/unknown customer/);
  });

  it('counts calls, latency, errors and throttling per target on /metrics', async () => {
    hubspot.failNext({ status: 429, retryAfterSeconds: 0, pathPrefix: '/crm/v3/objects/deals/507' });
    hubspot.failNext({ status: 400, pathPrefix: '/crm/v3/objects/deals/508' });
    await probe.publish(projectCreated('HS-507', 'PRJ-OUT-7'), projectCreated('HS-508', 'PRJ-OUT-8'));
    await eventually(async () => (await callOf('hubspot', 'Deal', 'HS-507'))?.status === 'SENT', 30_000);
    await eventually(async () => (await callOf('hubspot', 'Deal', 'HS-508'))?.status === 'REJECTED', 30_000);

    const text = await (await fetch(`${service.url}/metrics`)).text();
    const hubspotMetric = (name: string, labels = '') =>
      new RegExp(`${name}\\{[^}]*target="hubspot"[^}]*${labels}[^}]*\\} [1-9]`);
    expect(text).toMatch(hubspotMetric('throughline_outbound_calls_total', 'outcome="delivered"'));
    expect(text).toMatch(hubspotMetric('throughline_outbound_calls_total', 'outcome="throttled"'));
    expect(text).toMatch(hubspotMetric('throughline_outbound_throttled_total'));
    expect(text).toMatch(hubspotMetric('throughline_outbound_errors_total', 'kind="rejected"'));
    expect(text).toMatch(hubspotMetric('throughline_outbound_call_duration_seconds_count'));
  });

  it('lists the calls made for a record over HTTP', async () => {
    await probe.publish(projectCreated('HS-506', 'PRJ-OUT-6'));
    await eventually(async () => (await callOf('hubspot', 'Deal', 'HS-506'))?.status === 'SENT', 30_000);
    const response = await fetch(`${service.url}/outbound-calls?externalId=HS-506`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      expect.objectContaining({
        target: 'hubspot',
        entityType: 'Deal',
        externalId: 'HS-506',
        targetRecordId: '506',
        status: 'SENT',
        attempts: 1,
        payloadSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
    expect((await fetch(`${service.url}/outbound-calls?status=DONE`)).status).toBe(400);
  });
});
