import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

import { EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { causedBy, createEvent, EventOrigin, MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { dropDatabase } from '@throughline/persistence';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { DealSummary, DealTimeline } from '../src/domain/deal-timeline';
import { ExceptionsByOwner } from '../src/domain/business-exception';
import { REPORTED_EVENT_TYPES } from '../src/domain/timeline-entry';
import { createServiceTopics } from './service-topics';

jest.setTimeout(90_000);

const BASE = Date.UTC(2026, 0, 5, 9, 0);
/** `minutes` after BASE, as an occurredAt and as the ISO string the API answers with. */
const at = (minutes: number) => BASE + minutes * 60_000;
const iso = (minutes: number) => new Date(at(minutes)).toISOString();

function event<T extends EventType>(
  eventType: T,
  data: Partial<EventPayloads[T]>,
  origin: EventOrigin,
  minutes: number,
): EventRecord<T> {
  return createEvent(eventType, { ...sampleEventRecord(eventType).data, ...data }, origin, () => at(minutes));
}

describe('reporting service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let db: Pool;
  const run = randomUUID().slice(0, 8);

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${service.url}${path}`);
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: (json ? JSON.parse(text) : text) as T };
  };

  /** Polls the timeline until it has `steps` steps (redeliveries or slow topics never satisfy it early). */
  const timelineWith = (dealId: string, steps: number, check: (t: DealTimeline) => boolean = () => true) =>
    eventually(async () => {
      const { status, body } = await get<DealTimeline>(`/deals/${dealId}/timeline`);
      return status === 200 && body.steps.length === steps && check(body) ? body : undefined;
    }, 30_000);

  /** Waits until the service has stored the entry of `eventId`, linked to a deal or not (yet). */
  const recorded = (eventId: string) =>
    eventually(async () => {
      const { rows } = await db.query('SELECT 1 FROM projection_1.timeline_entry WHERE event_id = $1', [
        eventId,
      ]);
      return rows.length === 1 ? true : undefined;
    }, 30_000);

  const exceptionsById = async (status: string, ids: string[]) => {
    const { body } = await get<ExceptionsByOwner>(`/exceptions?status=${status}`);
    return body.owners
      .map((owner) => ({ ...owner, exceptions: owner.exceptions.filter((e) => ids.includes(e.exceptionId)) }))
      .filter((owner) => owner.exceptions.length > 0)
      .map((owner) => ({ ...owner, count: owner.exceptions.length }));
  };

  const config = testServiceConfig('reporting');

  beforeAll(async () => {
    await createServiceTopics(config, REPORTED_EVENT_TYPES);
    service = await startTestService(AppModule.forConfig(config), config);
    // Reporting publishes nothing: the probe only publishes the inputs as their owners would.
    probe = new EventProbe(service.runtime as MessagingRuntime);
    db = new Pool({ connectionString: config.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.stop();
    // A service that failed to start cannot drop its database itself.
    await (service ? service.stop() : dropDatabase(config.databaseName));
  });

  it('builds the setup timeline of a deal, linking an assignment delivered before its project', async () => {
    const dealId = `D-${run}-1`;
    const projectId = `PRJ-${run}-LE-DE`;
    const won = event(
      'DealWon',
      {
        dealId,
        dealName: 'ERP rollout',
        customerName: 'Acme GmbH',
        amountMinor: 12_000_000,
        currency: 'EUR',
      },
      { source: 'ingress' },
      0,
    );
    const contract = event(
      'ContractApproved',
      {
        dealId,
        contractId: `CTR-${run}`,
        billingType: 'FIXED_FEE_MILESTONE',
        deliveries: [
          { ...sampleEventRecord('ContractApproved').data.deliveries[0], budgetMinor: 12_000_000 },
        ],
      },
      causedBy(won, 'contract'),
      1,
    );
    const project = event(
      'ProjectCreated',
      { projectId, dealId, contractId: `CTR-${run}`, currency: 'EUR', budgetMinor: 12_000_000 },
      causedBy(contract, 'project'),
      2,
    );
    const demand = event(
      'StaffingDemandPublished',
      {
        projectId,
        dealId,
        demandId: `DEM-${projectId}`,
        demands: [
          {
            ...sampleEventRecord('StaffingDemandPublished').data.demands[0],
            role: 'Architect',
            hoursHundredths: 12_050,
          },
        ],
      },
      causedBy(project, 'staffing'),
      3,
    );
    const billing = event(
      'BillingProvisioned',
      { projectId, dealId, billingScheduleId: `BS-${run}` },
      causedBy(project, 'billing'),
      4,
    );
    const assignment = (assignmentId: string, status: 'PROPOSED' | 'CONFIRMED', minutes: number) =>
      event(
        'AssignmentChanged',
        {
          assignmentId,
          projectId,
          personId: 'P-7',
          role: 'Architect',
          hoursHundredths: 8_000,
          forecastCostMinor: 560_000,
          status,
        },
        { source: 'staffing', correlationId: 'corr-staffing-desk' },
        minutes,
      );
    const early = assignment(`A-${run}-1`, 'PROPOSED', 5);
    const late = assignment(`A-${run}-2`, 'CONFIRMED', 6);
    const ready = event(
      'ProjectSetupCompleted',
      { dealId, projectIds: [projectId], status: 'READY', completedAt: at(7) },
      causedBy(won, 'contract'),
      7,
    );

    // The first assignment arrives before anything says which deal its project belongs to.
    await probe.publish(early);
    await recorded(early.envelope.eventId);
    expect((await get(`/deals/${dealId}/timeline`)).status).toBe(404);

    await probe.publish(won, contract, project, demand, billing);
    await timelineWith(dealId, 6);
    await probe.publish(late, ready);
    const timeline = await timelineWith(dealId, 8);

    const correlationId = won.envelope.correlationId;
    const step = (record: EventRecord, fields: object) => ({
      occurredAt: new Date(record.envelope.occurredAt).toISOString(),
      recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      eventId: record.envelope.eventId,
      eventType: record.envelope.eventType,
      source: record.envelope.source,
      correlationId: record.envelope.correlationId,
      causationId: record.envelope.causationId,
      ...fields,
    });
    expect(timeline).toEqual({
      dealId,
      dealName: 'ERP rollout',
      customerName: 'Acme GmbH',
      status: 'READY',
      openExceptions: 0,
      steps: [
        step(won, {
          step: 'DEAL_WON',
          entityType: 'Deal',
          entityId: dealId,
          status: 'COMPLETED',
          summary: 'Deal "ERP rollout" won for Acme GmbH (EUR 120,000.00)',
        }),
        step(contract, {
          step: 'CONTRACT_APPROVED',
          entityType: 'Contract',
          entityId: `CTR-${run}`,
          status: 'COMPLETED',
          summary: `Contract CTR-${run} approved (fixed fee, milestone billed): LE-DE EUR 120,000.00`,
        }),
        step(project, {
          step: 'PROJECT_CREATED',
          entityType: 'Project',
          entityId: projectId,
          status: 'COMPLETED',
          summary: `Project ${projectId} created (EUR 120,000.00 budget)`,
        }),
        step(demand, {
          step: 'STAFFING_DEMAND_PUBLISHED',
          entityType: 'Project',
          entityId: projectId,
          status: 'COMPLETED',
          summary: `Staffing demand DEM-${projectId} published for ${projectId}: Architect 120.5 h`,
        }),
        step(billing, {
          step: 'BILLING_PROVISIONED',
          entityType: 'Project',
          entityId: projectId,
          status: 'COMPLETED',
          summary: `Billing schedule BS-${run} provisioned for ${projectId} (2 items, EUR 15,000.00 fixed; revenue on milestone)`,
        }),
        step(early, {
          step: 'ASSIGNMENT_CHANGED',
          entityType: 'Assignment',
          entityId: `A-${run}-1`,
          status: 'PROPOSED',
          summary: `P-7 proposed as Architect on ${projectId} (80 h, forecast cost EUR 5,600.00)`,
        }),
        step(late, {
          step: 'ASSIGNMENT_CHANGED',
          entityType: 'Assignment',
          entityId: `A-${run}-2`,
          status: 'CONFIRMED',
          summary: `P-7 confirmed as Architect on ${projectId} (80 h, forecast cost EUR 5,600.00)`,
        }),
        step(ready, {
          step: 'SETUP_READY',
          entityType: 'Deal',
          entityId: dealId,
          status: 'READY',
          summary: `Setup ready: 1 project (${projectId}) fully provisioned`,
        }),
      ],
    });
    // One business flow: the setup steps share the deal's correlation id and chain their causes.
    expect(timeline.steps.filter((s) => s.step !== 'ASSIGNMENT_CHANGED').map((s) => s.correlationId)).toEqual(
      Array(6).fill(correlationId),
    );
    expect(timeline.steps[2].causationId).toBe(contract.envelope.eventId);

    const text = await get<string>(`/deals/${dealId}/timeline?format=text`);
    expect(text.status).toBe(200);
    const lines = text.body.trimEnd().split('\n');
    expect(lines[0]).toBe(`Deal ${dealId} "ERP rollout" for Acme GmbH: READY (0 open exceptions)`);
    expect(lines).toHaveLength(10);
    expect(lines[4]).toMatch(
      new RegExp(
        `^2026-01-05 09:02:00 +PROJECT_CREATED +Project ${projectId} +COMPLETED +project +Project ${projectId} created \\(EUR 120,000\\.00 budget\\)$`,
      ),
    );

    const deals = await get<{ deals: DealSummary[] }>('/deals');
    expect(deals.body.deals.find((d) => d.dealId === dealId)).toEqual({
      dealId,
      dealName: 'ERP rollout',
      customerName: 'Acme GmbH',
      currency: 'EUR',
      amountMinor: 12_000_000,
      status: 'READY',
      openExceptions: 0,
      stepCount: 8,
      lastActivityAt: iso(7),
    });
    expect(
      (await get<{ deals: DealSummary[] }>('/deals?status=READY')).body.deals.map((d) => d.dealId),
    ).toContain(dealId);
    expect(
      (await get<{ deals: DealSummary[] }>('/deals?status=BLOCKED')).body.deals.map((d) => d.dealId),
    ).not.toContain(dealId);
  });

  it('groups open business exceptions by owner, blocks the deal, and releases it once they are resolved', async () => {
    const dealId = `D-${run}-2`;
    const projectId = `PRJ-${run}-2`;
    const ids = [`EXC-${run}-rate`, `EXC-${run}-po`];
    const won = event('DealWon', { dealId }, { source: 'ingress' }, 0);
    const rateCard = event(
      'BusinessExceptionRaised',
      {
        exceptionId: ids[0],
        dealId,
        ownerRole: 'MASTER_DATA',
        entityType: 'Contract',
        entityId: `CTR-${run}-2`,
      },
      causedBy(won, 'contract'),
      1,
    );
    const project = event('ProjectCreated', { projectId, dealId }, causedBy(won, 'project'), 2);
    // Names no deal: reporting finds it through the project.
    const purchaseOrder = event(
      'BusinessExceptionRaised',
      {
        exceptionId: ids[1],
        dealId: null,
        ownerRole: 'FINANCE_OPERATIONS',
        entityType: 'Project',
        entityId: projectId,
        code: 'MISSING_PURCHASE_ORDER',
        message: 'Customer requires a PO number on invoices',
        remediation: 'Request the PO from the customer and enter it on the project',
        details: {},
      },
      causedBy(project, 'billing'),
      3,
    );
    const failed = event(
      'ProjectSetupCompleted',
      { dealId, projectIds: [projectId], status: 'FAILED' },
      causedBy(won, 'contract'),
      4,
    );
    await probe.publish(won, rateCard, project, purchaseOrder, failed);

    const blocked = await timelineWith(dealId, 5);
    expect(blocked.status).toBe('BLOCKED');
    expect(blocked.openExceptions).toBe(2);
    expect(blocked.steps.map((s) => [s.step, s.status])).toEqual([
      ['DEAL_WON', 'COMPLETED'],
      ['EXCEPTION_RAISED', 'RAISED'],
      ['PROJECT_CREATED', 'COMPLETED'],
      ['EXCEPTION_RAISED', 'RAISED'],
      ['SETUP_FAILED', 'FAILED'],
    ]);
    expect(await exceptionsById('open', ids)).toEqual([
      {
        ownerRole: 'FINANCE_OPERATIONS',
        count: 1,
        exceptions: [
          {
            exceptionId: ids[1],
            status: 'OPEN',
            dealId,
            entityType: 'Project',
            entityId: projectId,
            code: 'MISSING_PURCHASE_ORDER',
            message: 'Customer requires a PO number on invoices',
            remediation: 'Request the PO from the customer and enter it on the project',
            details: {},
            raisedAt: iso(3),
            resolvedAt: null,
            resolution: null,
          },
        ],
      },
      {
        ownerRole: 'MASTER_DATA',
        count: 1,
        exceptions: [
          {
            exceptionId: ids[0],
            status: 'OPEN',
            dealId,
            entityType: 'Contract',
            entityId: `CTR-${run}-2`,
            code: 'MISSING_RATE_CARD',
            message: 'No rate card for LE-UK in EUR effective 2025-03-31',
            remediation: 'Create or extend a rate card for LE-UK in the ERP',
            details: { legalEntityId: 'LE-UK', currency: 'EUR' },
            raisedAt: iso(1),
            resolvedAt: null,
            resolution: null,
          },
        ],
      },
    ]);
    const masterData = await get<ExceptionsByOwner>('/exceptions?ownerRole=MASTER_DATA');
    expect(masterData.body.owners.map((o) => o.ownerRole)).toEqual(['MASTER_DATA']);
    expect((await get<{ deals: DealSummary[] }>('/deals?status=BLOCKED')).body.deals).toContainEqual(
      expect.objectContaining({ dealId, status: 'BLOCKED', openExceptions: 2 }),
    );

    await probe.publish(
      event(
        'BusinessExceptionResolved',
        {
          exceptionId: ids[0],
          dealId,
          entityType: 'Contract',
          entityId: `CTR-${run}-2`,
          resolution: 'Rate card extended',
        },
        causedBy(rateCard, 'contract'),
        5,
      ),
    );
    const oneOpen = await timelineWith(dealId, 6);
    expect([oneOpen.status, oneOpen.openExceptions]).toEqual(['BLOCKED', 1]);

    await probe.publish(
      event(
        'BusinessExceptionResolved',
        {
          exceptionId: ids[1],
          dealId: null,
          entityType: 'Project',
          entityId: projectId,
          resolution: 'PO 4711 entered',
        },
        causedBy(purchaseOrder, 'billing'),
        6,
      ),
    );
    const released = await timelineWith(dealId, 7);
    // Resolved after the failed setup: the setup is being retried.
    expect([released.status, released.openExceptions]).toEqual(['IN_PROGRESS', 0]);
    expect(released.steps[6]).toMatchObject({
      step: 'EXCEPTION_RESOLVED',
      status: 'RESOLVED',
      summary: `Exception ${ids[1]} on Project ${projectId} resolved: PO 4711 entered`,
    });
    expect(await exceptionsById('open', ids)).toEqual([]);
    const resolved = await exceptionsById('resolved', ids);
    expect(
      resolved.map((o) => [
        o.ownerRole,
        o.exceptions.map((e) => [e.exceptionId, e.resolvedAt, e.resolution]),
      ]),
    ).toEqual([
      ['FINANCE_OPERATIONS', [[ids[1], iso(6), 'PO 4711 entered']]],
      ['MASTER_DATA', [[ids[0], iso(5), 'Rate card extended']]],
    ]);
    expect((await exceptionsById('all', ids)).map((o) => o.count)).toEqual([1, 1]);

    await probe.publish(
      event(
        'ProjectSetupCompleted',
        { dealId, projectIds: [projectId], status: 'READY' },
        causedBy(won, 'contract'),
        7,
      ),
    );
    expect((await timelineWith(dealId, 8)).status).toBe('READY');
  });

  it('shows the deal’s outbound calls, with the NetSuite invoice that bills it even when its sync came first', async () => {
    const dealId = `HS-${run}-9`;
    const projectId = `PRJ-${dealId}-LE-DE`;
    const invoiceId = `INV-${run}-9`;
    const won = event('DealWon', { dealId }, { source: 'ingress' }, 0);
    const project = event('ProjectCreated', { dealId, projectId }, causedBy(won, 'project'), 1);
    const issued = event(
      'InvoiceIssued',
      {
        invoiceId,
        lines: sampleEventRecord('InvoiceIssued').data.lines.map((line) => ({ ...line, projectId, dealId })),
      },
      { source: 'billing' },
      5,
    );
    const synced = (
      cause: EventRecord,
      minutes: number,
      data: Pick<
        EventPayloads['OutboundRecordSynced'],
        'target' | 'entityType' | 'externalId' | 'targetRecordId'
      >,
    ) =>
      event(
        'OutboundRecordSynced',
        { ...data, sourceEventType: cause.envelope.eventType, sourceEventId: cause.envelope.eventId },
        causedBy(cause, 'outbound'),
        minutes,
      );
    const crm = synced(project, 2, {
      target: 'hubspot',
      entityType: 'Deal',
      externalId: dealId,
      targetRecordId: '9',
    });
    const job = synced(project, 3, {
      target: 'netsuite',
      entityType: 'Project',
      externalId: projectId,
      targetRecordId: '880',
    });
    const erp = synced(issued, 6, {
      target: 'netsuite',
      entityType: 'Invoice',
      externalId: invoiceId,
      targetRecordId: '4711',
    });
    const customer = synced(issued, 6, {
      target: 'netsuite',
      entityType: 'Customer',
      externalId: issued.data.customerId,
      targetRecordId: '12',
    });

    // The invoice's sync is recorded before reporting knows which deal the invoice bills.
    await probe.publish(erp, customer);
    await recorded(erp.envelope.eventId);
    await probe.publish(won, project, crm, job, issued);
    const timeline = await timelineWith(dealId, 5);
    expect(timeline.steps.map((s) => [s.step, s.entityType, s.entityId, s.status, s.summary])).toEqual([
      ['DEAL_WON', 'Deal', dealId, 'COMPLETED', expect.any(String)],
      ['PROJECT_CREATED', 'Project', projectId, 'COMPLETED', expect.any(String)],
      ['OUTBOUND_SYNCED', 'Deal', dealId, 'SYNCED', `hubspot Deal ${dealId} → 9 synced`],
      ['OUTBOUND_SYNCED', 'Project', projectId, 'SYNCED', `netsuite Project ${projectId} → 880 synced`],
      ['OUTBOUND_SYNCED', 'Invoice', invoiceId, 'SYNCED', `netsuite Invoice ${invoiceId} → 4711 synced`],
    ]);
    expect(timeline.steps[4].causationId).toBe(issued.envelope.eventId);

    const text = await get<string>(`/deals/${dealId}/timeline?format=text`);
    expect(text.body.trimEnd().split('\n')[6]).toMatch(
      new RegExp(
        `^2026-01-05 09:06:00 +OUTBOUND_SYNCED +Invoice ${invoiceId} +SYNCED +outbound +netsuite Invoice ${invoiceId} → 4711 synced$`,
      ),
    );
    const deals = await get<{ deals: DealSummary[] }>('/deals');
    expect(deals.body.deals.find((d) => d.dealId === dealId)).toMatchObject({
      stepCount: 5,
      lastActivityAt: iso(6),
    });
  });

  it('adds no second entry for a redelivered event', async () => {
    const dealId = `D-${run}-3`;
    const won = event('DealWon', { dealId }, { source: 'ingress' }, 0);
    const raised = event(
      'BusinessExceptionRaised',
      { exceptionId: `EXC-${run}-dup`, dealId, entityType: 'Deal', entityId: dealId },
      causedBy(won, 'contract'),
      1,
    );
    await probe.publish(won, won, raised);
    await probe.publish(raised, won);
    await timelineWith(dealId, 2);
    // Give the redeliveries time to be consumed; they must change nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const { body: timeline } = await get<DealTimeline>(`/deals/${dealId}/timeline`);
    expect(timeline.steps.map((s) => s.eventId)).toEqual([won.envelope.eventId, raised.envelope.eventId]);
    expect(timeline.openExceptions).toBe(1);
    expect((await exceptionsById('open', [`EXC-${run}-dup`]))[0].count).toBe(1);
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM projection_1.timeline_entry WHERE deal_id = $1',
      [dealId],
    );
    expect(rows[0].n).toBe(2);
  });

  it('ends resolved when an exception is resolved before it is raised', async () => {
    const dealId = `D-${run}-4`;
    const exceptionId = `EXC-${run}-ooo`;
    const won = event('DealWon', { dealId }, { source: 'ingress' }, 0);
    const raised = event(
      'BusinessExceptionRaised',
      { exceptionId, dealId, entityType: 'Contract', entityId: `CTR-${run}-4` },
      causedBy(won, 'contract'),
      1,
    );
    // The resolution names no deal and arrives first: it waits for the raise to link it.
    const resolved = event(
      'BusinessExceptionResolved',
      {
        exceptionId,
        dealId: null,
        entityType: 'Contract',
        entityId: `CTR-${run}-4`,
        resolution: 'Rate card created',
      },
      causedBy(raised, 'contract'),
      2,
    );
    await probe.publish(won, resolved);
    await recorded(resolved.envelope.eventId);
    expect(await exceptionsById('all', [exceptionId])).toEqual([]);

    await probe.publish(raised);
    const timeline = await timelineWith(dealId, 3);
    expect(timeline.steps.map((s) => [s.step, s.occurredAt])).toEqual([
      ['DEAL_WON', iso(0)],
      ['EXCEPTION_RAISED', iso(1)],
      ['EXCEPTION_RESOLVED', iso(2)],
    ]);
    expect([timeline.status, timeline.openExceptions]).toEqual(['IN_PROGRESS', 0]);
    expect(await exceptionsById('open', [exceptionId])).toEqual([]);
    expect(await exceptionsById('resolved', [exceptionId])).toEqual([
      {
        ownerRole: 'MASTER_DATA',
        count: 1,
        exceptions: [
          expect.objectContaining({
            exceptionId,
            status: 'RESOLVED',
            dealId,
            raisedAt: iso(1),
            resolvedAt: iso(2),
            resolution: 'Rate card created',
          }),
        ],
      },
    ]);
  });

  it('lists breached SLAs on entities without a deal (time entries, invoices), open until recovered', async () => {
    const origin = { source: 'sla' };
    const entryId = `TE-${run}-late`;
    const invoiceId = `INV-${run}-late`;
    const lateEntry = event(
      'SlaBreached',
      {
        breachId: `TIME_TO_BILLING:${entryId}`,
        sla: 'TIME_TO_BILLING',
        ownerRole: 'FINANCE_OPERATIONS',
        entityType: 'TimeEntry',
        entityId: entryId,
        dealId: null,
        thresholdMs: 3_600_000,
        ageMs: 3_700_000,
        moneyAtRiskMinor: null,
        currency: null,
      },
      origin,
      100,
    );
    const lateInvoice = event(
      'SlaBreached',
      {
        breachId: `INVOICE_AFTER_CLOSE:${invoiceId}`,
        sla: 'INVOICE_AFTER_CLOSE',
        ownerRole: 'FINANCE_OPERATIONS',
        entityType: 'Invoice',
        entityId: invoiceId,
        dealId: null,
        moneyAtRiskMinor: 221_230,
        currency: 'EUR',
      },
      origin,
      110,
    );
    const invoiceRecovered = event(
      'SlaRecovered',
      {
        breachId: `INVOICE_AFTER_CLOSE:${invoiceId}`,
        sla: 'INVOICE_AFTER_CLOSE',
        entityType: 'Invoice',
        entityId: invoiceId,
        dealId: null,
        recoveredAt: at(130),
        totalMs: 1_800_000,
      },
      origin,
      130,
    );
    await probe.publish(invoiceRecovered, lateEntry, lateInvoice);
    type Breaches = { breaches: { entityId: string; status: string; breach: string }[] };
    const mine = (body: Breaches) => body.breaches.filter((b) => b.entityId.includes(run));
    const all = await eventually(async () => {
      const { body } = await get<Breaches>('/sla-breaches?status=all');
      // SlaBreached and SlaRecovered are on different topics: wait for all three events.
      const rows = mine(body);
      return rows.length === 2 && rows.some((b) => b.status === 'RECOVERED') ? body : undefined;
    }, 30_000);
    expect(mine(all).map((b) => [b.entityId, b.status])).toEqual([
      [invoiceId, 'RECOVERED'],
      [entryId, 'OPEN'],
    ]);
    expect(mine(all)[0]?.breach).toContain('EUR 2,212.30 at risk');
    const open = await get<Breaches>('/sla-breaches');
    expect(mine(open.body).map((b) => b.entityId)).toEqual([entryId]);
    expect((await get('/sla-breaches?status=closed')).status).toBe(400);
  });

  it('answers unknown deals with 404 and bad queries with 400, each with a reason', async () => {
    const unknown = await get<{ error: string }>(`/deals/D-${run}-nope/timeline`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe(`Unknown deal D-${run}-nope: no event of this deal has been recorded`);

    const badStatus = await get<{ error: string }>('/exceptions?status=closed');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error).toMatch(/^Invalid request: status: /);
    expect((await get('/exceptions?ownerRole=CEO')).status).toBe(400);
    expect((await get('/deals?status=DONE')).status).toBe(400);
    expect((await get(`/deals/D-${run}-1/timeline?format=xml`)).status).toBe(400);
  });

  it('reports health and readiness', async () => {
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${service.url}/health/ready`)).json()).toEqual({ status: 'ready' });
  });
});
