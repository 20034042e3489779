import { sampleEventRecord } from '@throughline/contracts/testing';
import { causedBy, createEvent, EventPublisher } from '@throughline/messaging';
import { createMessagingTestContext, MessagingTestContext } from '@throughline/messaging/testing';
import { randomSuffix } from '@throughline/persistence/testing';

import { run } from '../src/interface/cli';

jest.setTimeout(120_000);

describe('throughline lookup against the real stack', () => {
  let ctx: MessagingTestContext;
  const dealId = `D-${randomSuffix()}`;
  const projectId = `PRJ-${dealId}-LE-DE`;
  const invoiceId = `INV-${dealId}`;

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await run(
      argv,
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      {
        env: {
          ...process.env,
          TOPIC_PREFIX: ctx.naming.prefix,
          // No services run in this test: their state is reported as unavailable, not a crash.
          CONTRACT_URL: 'http://127.0.0.1:9',
          PROJECT_URL: 'http://127.0.0.1:9',
          BILLING_URL: 'http://127.0.0.1:9',
          REPORTING_URL: 'http://127.0.0.1:9',
        },
      },
    );
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    ctx = await createMessagingTestContext([
      'DealWon',
      'ContractApproved',
      'ProjectCreated',
      'StaffingDemandPublished',
      'BillingPeriodClosed',
      'InvoiceIssued',
      'PaymentReceived',
      'OutboundRecordSynced',
    ]);
    const publisher = new EventPublisher(ctx.kafka, ctx.codec(), ctx.naming);
    await publisher.connect();
    const won = createEvent(
      'DealWon',
      { ...sampleEventRecord('DealWon').data, dealId },
      { source: 'ingress' },
      () => 1_000,
    );
    const approved = createEvent(
      'ContractApproved',
      { ...sampleEventRecord('ContractApproved').data, dealId },
      causedBy(won, 'contract'),
      () => 2_000,
    );
    const created = createEvent(
      'ProjectCreated',
      { ...sampleEventRecord('ProjectCreated').data, dealId, projectId },
      causedBy(approved, 'project'),
      () => 3_000,
    );
    const demand = createEvent(
      'StaffingDemandPublished',
      { ...sampleEventRecord('StaffingDemandPublished').data, dealId, projectId },
      causedBy(created, 'staffing'),
      () => 4_000,
    );
    const unrelated = createEvent(
      'DealWon',
      { ...sampleEventRecord('DealWon').data, dealId: `${dealId}-other` },
      { source: 'ingress' },
    );
    const closed = createEvent(
      'BillingPeriodClosed',
      {
        ...sampleEventRecord('BillingPeriodClosed').data,
        draftInvoices: [{ ...sampleEventRecord('BillingPeriodClosed').data.draftInvoices[0], invoiceId }],
      },
      { source: 'billing' },
      () => 5_000,
    );
    const issued = createEvent(
      'InvoiceIssued',
      {
        ...sampleEventRecord('InvoiceIssued').data,
        invoiceId,
        lines: sampleEventRecord('InvoiceIssued').data.lines.map((line) => ({ ...line, projectId, dealId })),
      },
      { source: 'billing' },
      () => 6_000,
    );
    // What outbound publishes once HubSpot took the deal's projects and NetSuite the invoice.
    const dealSynced = createEvent(
      'OutboundRecordSynced',
      {
        ...sampleEventRecord('OutboundRecordSynced').data,
        externalId: dealId,
        target: 'hubspot',
        entityType: 'Deal',
        targetRecordId: '987654',
        sourceEventType: 'ProjectCreated',
        sourceEventId: created.envelope.eventId,
      },
      causedBy(created, 'outbound'),
      () => 3_500,
    );
    const invoiceSynced = createEvent(
      'OutboundRecordSynced',
      {
        ...sampleEventRecord('OutboundRecordSynced').data,
        externalId: invoiceId,
        target: 'netsuite',
        entityType: 'Invoice',
        targetRecordId: '4711',
        sourceEventType: 'InvoiceIssued',
        sourceEventId: issued.envelope.eventId,
      },
      causedBy(issued, 'outbound'),
      () => 6_500,
    );
    const paid = createEvent(
      'PaymentReceived',
      { ...sampleEventRecord('PaymentReceived').data, invoiceId },
      { source: 'ingress' },
      () => 7_000,
    );
    // Published out of order, on different topics: lookup puts them back in the order they happened.
    await publisher.publish(
      [invoiceSynced, demand, paid, unrelated, created, issued, dealSynced, won, closed, approved].map(
        (record) => ({ record }),
      ),
    );
    await publisher.disconnect();
  });

  it('prints a deal’s whole flow in order, with its outbound calls and each service’s state', async () => {
    const result = await cli('lookup', dealId);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^7 event\(s\) for "D-/);
    expect(lines[1]).toMatch(/CORRELATION ID +OUTBOUND CALL$/);
    expect(lines.slice(2, 9).map((line) => line.split(/\s{2,}/)[1])).toEqual([
      'DealWon',
      'ContractApproved',
      'ProjectCreated',
      'OutboundRecordSynced',
      'StaffingDemandPublished',
      'InvoiceIssued',
      'OutboundRecordSynced',
    ]);
    expect(lines[5]).toMatch(new RegExp(`  hubspot Deal ${dealId} → 987654 synced$`));
    expect(lines[8]).toMatch(new RegExp(`  netsuite Invoice ${invoiceId} → 4711 synced$`));
    expect(result.stdout).toContain(`contract — deal ${dealId} (no state)`);
    expect(result.stdout).toContain(`billing — project ${projectId} (no state)`);
  });

  it('finds the same flow from a project id, with the invoices that bill it, and answers JSON', async () => {
    const result = await cli('lookup', projectId, '--json');
    expect(result.code).toBe(0);
    const found = JSON.parse(result.stdout) as { events: { eventType: string; correlationId: string }[] };
    expect(found.events.map((event) => event.eventType)).toEqual([
      'DealWon',
      'ContractApproved',
      'ProjectCreated',
      'OutboundRecordSynced',
      'StaffingDemandPublished',
      'InvoiceIssued',
      'OutboundRecordSynced',
    ]);
    expect(new Set(found.events.slice(0, 5).map((event) => event.correlationId)).size).toBe(1);
  });

  it('follows an invoice from the period close to its payment, with billing’s state of it', async () => {
    const result = await cli('lookup', invoiceId, '--json');
    expect(result.code).toBe(0);
    const found = JSON.parse(result.stdout) as {
      events: { eventType: string }[];
      states: { service: string; entity: string }[];
    };
    expect(found.events.map((event) => event.eventType)).toEqual([
      'BillingPeriodClosed',
      'InvoiceIssued',
      'OutboundRecordSynced',
      'PaymentReceived',
    ]);
    expect(found.states).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'billing', entity: `invoice ${invoiceId}` }),
        expect.objectContaining({ service: 'project', entity: `project ${projectId} plan` }),
      ]),
    );
  });

  it('says when nothing matches, and rejects bad arguments', async () => {
    expect((await cli('lookup', 'no-such-id')).code).toBe(1);
    const missing = await cli('lookup');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing the id/);
    expect((await cli('lookup', dealId, '--since', 'yesterday-ish')).code).toBe(2);
  });
});
