import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EventPayloads, EventRecord } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { causedBy, consumerLag, createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';
import { randomSuffix } from '@throughline/persistence/testing';

import { AppModule } from '../src/app.module';
import { loadSlaSettings } from '../src/config';

jest.setTimeout(120_000);

/** The example firm file docker-compose.yml mounts for the sla service. */
const ERP_SLA_FILE = join(__dirname, '..', '..', '..', 'deploy', 'sla', 'erp-sla.json');
const SLA = 'INVOICE_REACHED_ERP';

interface SlaView {
  name: string;
  ownerRole: string;
  thresholdMs: number | null;
  clocks: { open: number; breached: number; met: number; recovered: number; awaitingStart: number };
}

/** The sla service booted from a firm config file, with a probe on what it publishes. */
async function bootFrom(file: string): Promise<{ service: TestService; probe: EventProbe }> {
  const config = testServiceConfig('sla');
  const settings = loadSlaSettings({ SLA_CONFIG_FILE: file, SLA_CHECK_INTERVAL_MS: '300' });
  const service = await startTestService(AppModule.forConfig(config, settings), config);
  const probe = await new EventProbe(service.runtime as MessagingRuntime).start([
    'SlaBreached',
    'SlaRecovered',
  ]);
  return { service, probe };
}

/** Until the service has handled everything published to the topics it consumes. */
async function caughtUp(service: TestService): Promise<void> {
  const runtime = service.runtime as MessagingRuntime;
  const topics = runtime.consumer.eventTypes.map((eventType) => runtime.naming.topicFor(eventType));
  await eventually(
    async () => (await consumerLag(runtime.kafka, runtime.groupId, topics)).every((row) => row.lag === 0),
    60_000,
  );
}

async function erpSla(service: TestService): Promise<SlaView> {
  const response = await fetch(`${service.url}/slas`);
  expect(response.status).toBe(200);
  const sla = ((await response.json()) as SlaView[]).find((candidate) => candidate.name === SLA);
  if (!sla) throw new Error(`GET /slas has no ${SLA}`);
  return sla;
}

function invoiceIssued(invoiceId: string, issuedAt: number): EventRecord<'InvoiceIssued'> {
  return createEvent(
    'InvoiceIssued',
    { ...sampleEventRecord('InvoiceIssued').data, invoiceId, issuedAt, totalMinor: 131_450, currency: 'EUR' },
    { source: 'billing' },
    () => issuedAt,
  );
}

/** What outbound publishes once a target took a record sent for `issued`. */
function synced(
  issued: EventRecord<'InvoiceIssued'>,
  data: Partial<EventPayloads['OutboundRecordSynced']>,
): EventRecord<'OutboundRecordSynced'> {
  const syncedAt = data.syncedAt ?? issued.data.issuedAt + 1_000;
  return createEvent(
    'OutboundRecordSynced',
    {
      ...sampleEventRecord('OutboundRecordSynced').data,
      externalId: issued.data.invoiceId,
      sourceEventType: 'InvoiceIssued',
      sourceEventId: issued.envelope.eventId,
      syncedAt,
      ...data,
    },
    causedBy(issued, 'outbound'),
    () => syncedAt,
  );
}

describe('issued invoice reached the ERP (deploy/sla/erp-sla.json) against the real stack', () => {
  describe('booted with the example file as it is', () => {
    let service: TestService;
    let probe: EventProbe;

    beforeAll(async () => ({ service, probe } = await bootFrom(ERP_SLA_FILE)));
    afterAll(async () => {
      await probe?.stop();
      await service?.stop();
    });

    it('closes the clock when NetSuite took the invoice, never on HubSpot or another NetSuite record', async () => {
      const invoiceId = `INV-ERP-${randomSuffix()}`;
      const issued = invoiceIssued(invoiceId, Date.now());
      await probe.publish(
        issued,
        synced(issued, { target: 'hubspot', entityType: 'Invoice' }),
        synced(issued, { target: 'netsuite', entityType: 'Customer' }),
      );
      await caughtUp(service);
      expect(await erpSla(service)).toMatchObject({
        ownerRole: 'FINANCE_OPERATIONS',
        thresholdMs: 900_000,
        clocks: { open: 1, breached: 0, met: 0, recovered: 0, awaitingStart: 0 },
      });

      await probe.publish(
        synced(issued, { target: 'netsuite', entityType: 'Invoice', targetRecordId: '4711' }),
      );
      await eventually(async () => ((await erpSla(service)).clocks.met === 1 ? true : undefined));
      expect((await erpSla(service)).clocks).toEqual({
        open: 0,
        breached: 0,
        met: 1,
        recovered: 0,
        awaitingStart: 0,
      });
      await caughtUp(service);
      expect(probe.events('SlaBreached', (event) => event.data.entityId === invoiceId)).toEqual([]);
    });
  });

  describe('with the threshold of a copy cut to 1.5 s', () => {
    const THRESHOLD_MS = 1_500;
    let service: TestService;
    let probe: EventProbe;

    beforeAll(async () => {
      const firmConfig = JSON.parse(readFileSync(ERP_SLA_FILE, 'utf8')) as {
        slas: { thresholdMs: number }[];
      };
      const file = join(mkdtempSync(join(tmpdir(), 'erp-sla-')), 'erp-sla.json');
      writeFileSync(
        file,
        JSON.stringify({ slas: firmConfig.slas.map((sla) => ({ ...sla, thresholdMs: THRESHOLD_MS })) }),
      );
      ({ service, probe } = await bootFrom(file));
    });
    afterAll(async () => {
      await probe?.stop();
      await service?.stop();
    });

    it('breaches to FINANCE_OPERATIONS with the invoice total at risk while only HubSpot has it, then recovers', async () => {
      const invoiceId = `INV-ERP-${randomSuffix()}`;
      const issued = invoiceIssued(invoiceId, Date.now());
      await probe.publish(issued, synced(issued, { target: 'hubspot', entityType: 'Invoice' }));

      const breach = await probe.waitFor('SlaBreached', (event) => event.data.entityId === invoiceId);
      expect(breach.data).toEqual({
        breachId: `${SLA}:${invoiceId}`,
        sla: SLA,
        ownerRole: 'FINANCE_OPERATIONS',
        entityType: 'invoice',
        entityId: invoiceId,
        dealId: null,
        startedAt: issued.data.issuedAt,
        thresholdMs: THRESHOLD_MS,
        ageMs: expect.any(Number),
        moneyAtRiskMinor: 131_450,
        currency: 'EUR',
      });
      expect(breach.data.ageMs).toBeGreaterThan(THRESHOLD_MS);

      const reached = synced(issued, {
        target: 'netsuite',
        entityType: 'Invoice',
        syncedAt: issued.data.issuedAt + 4_000,
      });
      await probe.publish(reached);
      const recovered = await probe.waitFor('SlaRecovered', (event) => event.data.entityId === invoiceId);
      expect(recovered.data).toMatchObject({ breachId: `${SLA}:${invoiceId}`, totalMs: 4_000 });
      expect(recovered.envelope.causationId).toBe(reached.envelope.eventId);
    });
  });
});
