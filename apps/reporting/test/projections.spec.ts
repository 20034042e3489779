import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

import { EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { causedBy, createEvent, EventOrigin, MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { dropDatabase } from '@throughline/persistence';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { ProjectionView } from '../src/application/projection-rebuilds';
import { DealSummary, DealTimeline } from '../src/domain/deal-timeline';
import { REPORTED_EVENT_TYPES } from '../src/domain/timeline-entry';
import { createServiceTopics } from './service-topics';

jest.setTimeout(120_000);

const BASE = Date.UTC(2026, 0, 5, 9, 0);
const at = (minutes: number) => BASE + minutes * 60_000;

function event<T extends EventType>(
  eventType: T,
  data: Partial<EventPayloads[T]>,
  origin: EventOrigin,
  minutes: number,
): EventRecord<T> {
  return createEvent(eventType, { ...sampleEventRecord(eventType).data, ...data }, origin, () => at(minutes));
}

const idsOf = (records: readonly EventRecord[]) => records.map((record) => record.envelope.eventId);
/** Steps without recordedAt, which says when a projection recorded the step, not what happened. */
const facts = (timeline: DealTimeline) => timeline.steps.map(({ recordedAt: _, ...step }) => step);

/**
 * Rebuilds run in their own service and database: the projection registry and every event count
 * below belong to this file's events alone.
 */
describe('reporting projection rebuilds against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let db: Pool;
  const run = randomUUID().slice(0, 8);
  const config = testServiceConfig('reporting');

  const request = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const get = <T>(path: string) => request<T>('GET', path);
  const projections = async () =>
    (await get<{ projections: ProjectionView[] }>('/projections')).body.projections;
  const projection = async (version: number) => (await projections()).find((p) => p.version === version);
  const activeAgain = (version: number) =>
    eventually(async () => ((await projection(version))?.state === 'ACTIVE' ? true : undefined), 60_000);
  const timelineWith = (dealId: string, steps: number) =>
    eventually(async () => {
      const { status, body } = await get<DealTimeline>(`/deals/${dealId}/timeline`);
      return status === 200 && body.steps.length === steps ? body : undefined;
    }, 30_000);
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(sql, params)).rows[0].n;

  // Deal A: a full setup with a project exception raised and resolved on the way.
  const dealA = `D-${run}-A`;
  const projectA = `PRJ-${run}-A`;
  const wonA = event('DealWon', { dealId: dealA, dealName: 'ERP rollout' }, { source: 'ingress' }, 0);
  const contractA = event(
    'ContractApproved',
    { dealId: dealA, contractId: `CTR-${run}-A` },
    causedBy(wonA, 'contract'),
    1,
  );
  const projectCreatedA = event(
    'ProjectCreated',
    { dealId: dealA, projectId: projectA, contractId: `CTR-${run}-A` },
    causedBy(contractA, 'project'),
    2,
  );
  const demandA = event(
    'StaffingDemandPublished',
    { dealId: dealA, projectId: projectA, demandId: `DEM-${run}-A` },
    causedBy(projectCreatedA, 'staffing'),
    3,
  );
  const billingA = event(
    'BillingProvisioned',
    { dealId: dealA, projectId: projectA, billingScheduleId: `BS-${run}-A` },
    causedBy(projectCreatedA, 'billing'),
    4,
  );
  const poMissing = event(
    'BusinessExceptionRaised',
    {
      exceptionId: `EXC-${run}-po`,
      dealId: null,
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Project',
      entityId: projectA,
      code: 'MISSING_PURCHASE_ORDER',
      details: {},
    },
    causedBy(projectCreatedA, 'billing'),
    5,
  );
  const poEntered = event(
    'BusinessExceptionResolved',
    {
      exceptionId: `EXC-${run}-po`,
      dealId: null,
      entityType: 'Project',
      entityId: projectA,
      resolution: 'PO 4711 entered',
    },
    causedBy(poMissing, 'billing'),
    6,
  );
  const readyA = event(
    'ProjectSetupCompleted',
    { dealId: dealA, projectIds: [projectA], status: 'READY' },
    causedBy(wonA, 'contract'),
    7,
  );
  const assignmentA = (n: number, minutes: number) =>
    event(
      'AssignmentChanged',
      { assignmentId: `A-${run}-${n}`, projectId: projectA, status: 'CONFIRMED' },
      { source: 'staffing' },
      minutes,
    );

  // Deal B: an assignment before its project is known, then a setup blocked by an exception.
  const dealB = `D-${run}-B`;
  const projectB = `PRJ-${run}-B`;
  const wonB = event(
    'DealWon',
    { dealId: dealB, dealName: 'Finance transformation' },
    { source: 'ingress' },
    10,
  );
  const earlyB = event(
    'AssignmentChanged',
    { assignmentId: `B-${run}-1`, projectId: projectB, status: 'PROPOSED' },
    { source: 'staffing' },
    11,
  );
  const projectCreatedB = event(
    'ProjectCreated',
    { dealId: dealB, projectId: projectB },
    causedBy(wonB, 'project'),
    12,
  );
  const rateCardMissing = event(
    'BusinessExceptionRaised',
    { exceptionId: `EXC-${run}-rate`, dealId: dealB, entityType: 'Contract', entityId: `CTR-${run}-B` },
    causedBy(wonB, 'contract'),
    13,
  );
  const failedB = event(
    'ProjectSetupCompleted',
    { dealId: dealB, projectIds: [projectB], status: 'FAILED' },
    causedBy(wonB, 'contract'),
    14,
  );
  const rateCardCreated = event(
    'BusinessExceptionResolved',
    {
      exceptionId: `EXC-${run}-rate`,
      dealId: dealB,
      entityType: 'Contract',
      entityId: `CTR-${run}-B`,
      resolution: 'Rate card created',
    },
    causedBy(rateCardMissing, 'contract'),
    15,
  );

  // Deal C: won while the rebuild runs; its project arrives after the switch.
  const dealC = `D-${run}-C`;
  const wonC = event('DealWon', { dealId: dealC }, { source: 'ingress' }, 20);
  const contractC = event(
    'ContractApproved',
    { dealId: dealC, contractId: `CTR-${run}-C` },
    causedBy(wonC, 'contract'),
    21,
  );
  const projectCreatedC = event(
    'ProjectCreated',
    { dealId: dealC, projectId: `PRJ-${run}-C` },
    causedBy(contractC, 'project'),
    22,
  );

  beforeAll(async () => {
    await createServiceTopics(config, REPORTED_EVENT_TYPES);
    // A slow lag check keeps each rebuild BUILDING for a while, so the test can watch it.
    service = await startTestService(AppModule.forConfig(config, { rebuildPollMs: 5_000 }), config);
    probe = new EventProbe(service.runtime as MessagingRuntime);
    db = new Pool({ connectionString: config.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await db?.end();
    await probe?.stop();
    await (service ? service.stop() : dropDatabase(config.databaseName));
  });

  it('starts with projection 1 active, built from the beginning of the log', async () => {
    expect(await projections()).toEqual([
      {
        version: 1,
        schema: 'projection_1',
        state: 'ACTIVE',
        from: 'beginning',
        createdAt: expect.any(String),
        activatedAt: expect.any(String),
        retiredAt: null,
        droppedAt: null,
        eventCount: 0,
        rebuild: null,
        refusal: null,
      },
    ]);
  });

  it('rebuilds from the beginning while serving and consuming, then switches without loss or duplicates', async () => {
    await probe.publish(wonA, contractA, projectCreatedA, demandA, billingA, poMissing, poEntered, readyA);
    await probe.publish(wonB, earlyB, projectCreatedB, rateCardMissing, failedB);
    const beforeA = await timelineWith(dealA, 8);
    const beforeB = await timelineWith(dealB, 5);
    expect([beforeA.status, beforeB.status, beforeB.openExceptions]).toEqual(['READY', 'BLOCKED', 1]);

    const started = await request<ProjectionView>('POST', '/projections/rebuild', { from: 'beginning' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      version: 2,
      schema: 'projection_2',
      state: 'BUILDING',
      from: 'beginning',
    });
    expect((await request('POST', '/projections/rebuild', { from: 'beginning' })).status).toBe(409);
    const building = await projections();
    expect(building.map((p) => [p.version, p.state])).toEqual([
      [1, 'ACTIVE'],
      [2, 'BUILDING'],
    ]);
    expect(building[1].rebuild).toEqual({
      consumerGroup: `${config.topicPrefix}throughline.reporting.rebuild.2`,
      lag: expect.any(Number),
      partitionsBehind: expect.any(Number),
      caughtUp: expect.any(Boolean),
    });

    // While it builds: new events keep arriving, and the active projection keeps answering in full.
    const during = [assignmentA(1, 8), assignmentA(2, 9), rateCardCreated, wonC, contractC];
    const answers: number[] = [];
    for (const record of during) {
      await probe.publish(record);
      const timeline = await get<DealTimeline>(`/deals/${dealA}/timeline`);
      answers.push(
        timeline.status,
        (await get('/deals')).status,
        (await get('/exceptions?status=all')).status,
      );
      expect(timeline.body.steps.length).toBeGreaterThanOrEqual(8);
    }
    expect(answers.every((status) => status === 200)).toBe(true);
    await timelineWith(dealA, 10);
    await timelineWith(dealB, 6);
    await timelineWith(dealC, 2);
    await activeAgain(2);
    const switched = await projections();
    // Caught up means every event in the log is in: the 13 before the rebuild and the 5 during it.
    expect(switched.map((p) => [p.version, p.state, p.rebuild])).toEqual([
      [1, 'RETIRED', null],
      [2, 'ACTIVE', null],
    ]);
    expect(switched[1].eventCount).toBe(18);

    // After the switch the live consumer writes to projection 2 alone.
    const after = [assignmentA(3, 16), projectCreatedC];
    await probe.publish(...after);
    const timelineA = await timelineWith(dealA, 11);
    expect(facts(timelineA).slice(0, 8)).toEqual(facts(beforeA));
    expect(timelineA.steps.map((step) => step.eventId)).toEqual(
      idsOf([
        wonA,
        contractA,
        projectCreatedA,
        demandA,
        billingA,
        poMissing,
        poEntered,
        readyA,
        ...during.slice(0, 2),
        after[0],
      ]),
    );
    const timelineB = await timelineWith(dealB, 6);
    expect(facts(timelineB).slice(0, 5)).toEqual(facts(beforeB));
    expect([timelineB.status, timelineB.openExceptions]).toEqual(['IN_PROGRESS', 0]);
    expect((await timelineWith(dealC, 3)).steps.map((step) => step.eventId)).toEqual(
      idsOf([wonC, contractC, projectCreatedC]),
    );

    // The rebuilt projection holds every event once, the same entries and exceptions as the old one
    // held, and the events after the switch, which the retired one no longer receives.
    const all = [
      wonA,
      contractA,
      projectCreatedA,
      demandA,
      billingA,
      poMissing,
      poEntered,
      readyA,
      wonB,
      earlyB,
      projectCreatedB,
      rateCardMissing,
      failedB,
      ...during,
      ...after,
    ];
    const ids = async (sql: string) =>
      (await db.query<{ event_id: string }>(sql)).rows.map((row) => row.event_id).sort();
    expect(await ids('SELECT event_id FROM projection_2.timeline_entry')).toEqual(idsOf(all).sort());
    const entries = (schema: string) =>
      `SELECT event_id, deal_id, project_id, exception_id, step, status, summary, occurred_at FROM ${schema}.timeline_entry`;
    expect(await ids(`${entries('projection_1')} EXCEPT ${entries('projection_2')}`)).toEqual([]);
    expect(await ids(`${entries('projection_2')} EXCEPT ${entries('projection_1')}`)).toEqual(
      expect.arrayContaining(idsOf(after)),
    );
    expect(
      await ids(
        `SELECT event_id FROM projection_1.timeline_entry WHERE event_id IN ('${idsOf(after).join("','")}')`,
      ),
    ).toEqual([]);
    expect(
      (
        await db.query(
          'SELECT exception_id, status, owner_role, deal_id FROM projection_2.business_exception ORDER BY 1',
        )
      ).rows,
    ).toEqual([
      { exception_id: `EXC-${run}-po`, status: 'RESOLVED', owner_role: 'FINANCE_OPERATIONS', deal_id: dealA },
      { exception_id: `EXC-${run}-rate`, status: 'RESOLVED', owner_role: 'MASTER_DATA', deal_id: dealB },
    ]);
    expect(
      await count('SELECT count(*)::int AS n FROM messaging_inbox WHERE consumer_group LIKE $1', [
        '%@projection_2',
      ]),
    ).toBe(20);
    // The finished rebuild leaves no consumer group behind.
    const admin = service.runtime.kafka.admin();
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
    await admin.disconnect();
    expect(groups).not.toContain(started.body.rebuild?.consumerGroup);
  });

  it('rebuilds from a timestamp with only the events after it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    const dealD = `D-${run}-D`;
    const wonD = event('DealWon', { dealId: dealD, dealName: 'Cloud migration' }, { source: 'ingress' }, 30);
    const contractD = event(
      'ContractApproved',
      { dealId: dealD, contractId: `CTR-${run}-D` },
      causedBy(wonD, 'contract'),
      31,
    );
    await probe.publish(wonD, contractD);
    await timelineWith(dealD, 2);

    const started = await request<ProjectionView>('POST', '/projections/rebuild', { from });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ version: 3, state: 'BUILDING', from });
    await activeAgain(3);

    expect((await projections()).map((p) => [p.version, p.state, p.from, p.eventCount])).toEqual([
      [1, 'RETIRED', 'beginning', 18],
      [2, 'RETIRED', 'beginning', 22],
      [3, 'ACTIVE', from, 2],
    ]);
    const deals = await get<{ deals: DealSummary[] }>('/deals');
    expect(deals.body.deals.map((deal) => [deal.dealId, deal.dealName, deal.stepCount])).toEqual([
      [dealD, 'Cloud migration', 2],
    ]);
    expect((await get(`/deals/${dealA}/timeline`)).status).toBe(404);
    expect((await timelineWith(dealD, 2)).steps.map((step) => step.eventId)).toEqual(
      idsOf([wonD, contractD]),
    );
  });

  it('drops retired projections only, and rejects bad rebuild requests with a reason', async () => {
    const dropped = await request<ProjectionView>('DELETE', '/projections/1');
    expect(dropped.status).toBe(200);
    expect(dropped.body).toMatchObject({
      version: 1,
      state: 'RETIRED',
      droppedAt: expect.any(String),
      eventCount: null,
    });
    expect(
      await count(
        `SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'projection_1'`,
      ),
    ).toBe(0);
    expect((await request('DELETE', '/projections/1')).status).toBe(409);
    expect((await request('DELETE', '/projections/3')).status).toBe(409);
    expect((await request('DELETE', '/projections/99')).status).toBe(404);
    expect((await request('DELETE', '/projections/one')).status).toBe(400);
    // Found by the fuzz suite (tools/fuzz): a version past the integer column was a 500.
    expect((await request('DELETE', '/projections/99999999999999999999')).status).toBe(400);
    expect((await request('DELETE', '/projections/2147483648')).status).toBe(400);

    const notATime = await request<{ error: string }>('POST', '/projections/rebuild', { from: 'yesterday' });
    expect(notATime.status).toBe(400);
    expect(notATime.body.error).toMatch(/^Invalid request: from: /);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await request('POST', '/projections/rebuild', { from: future })).status).toBe(400);
    expect((await request('POST', '/projections/rebuild', {})).status).toBe(400);
    // Found by the fuzz suite (tools/fuzz): both started a rebuild.
    expect((await request('POST', '/projections/rebuild', { from: 'beginning', extra: 1 })).status).toBe(400);
    expect((await request('POST', '/projections/rebuild', { from: '0001-01-01T00:00:00Z' })).status).toBe(
      400,
    );
    expect((await projections()).map((p) => p.state)).toEqual(['RETIRED', 'RETIRED', 'ACTIVE']);
  });

  it('refuses to switch when the log no longer holds what the active projection was built from', async () => {
    const dealE = `D-${run}-E`;
    const wonE = event('DealWon', { dealId: dealE, dealName: 'Data platform' }, { source: 'ingress' }, 40);
    await probe.publish(wonE);
    await timelineWith(dealE, 1);
    // Projection 3 was built from the first DealWon at or after its timestamp; remove that and
    // everything after it from the log, as retention would.
    const topic = service.runtime.naming.topicFor('DealWon');
    const admin = service.runtime.kafka.admin();
    await admin.connect();
    const { rows: firsts } = await db.query<{ partition: number; first_offset: string }>(
      'SELECT partition, first_offset FROM projection_source WHERE version = 3 AND topic = $1',
      [topic],
    );
    const activeFirst = new Map(firsts.map((row) => [row.partition, Number(row.first_offset)]));
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.deleteTopicRecords({
      topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    await admin.disconnect();
    const lost = ends
      .filter(({ partition, high }) => Number(high) > (activeFirst.get(partition) ?? 0))
      .map(({ partition, high }) => ({
        partition,
        from: activeFirst.get(partition) ?? 0,
        to: Number(high) - 1,
      }))
      // The refusal lists partitions in order; the admin API answers in any order.
      .sort((a, b) => a.partition - b.partition);
    expect(lost.length).toBeGreaterThan(0);

    const started = await request<ProjectionView>('POST', '/projections/rebuild', { from: 'beginning' });
    expect(started.body).toMatchObject({ version: 4, state: 'BUILDING' });
    const refused = await eventually(async () => {
      const view = await projection(4);
      return view?.state === 'REFUSED' ? view : undefined;
    }, 60_000);
    expect(refused.refusal?.missing).toEqual([
      { topic, eventType: 'DealWon', missingEvents: 2, lostOffsets: lost },
    ]);
    expect(refused.refusal?.reason).toContain(
      `(2 of its events missing; ${topic}: partition ${lost[0].partition} offsets ${lost[0].from}-${lost[0].to}`,
    );
    // The active projection stays in place and keeps answering in full.
    expect((await projections()).map((p) => [p.version, p.state])).toEqual([
      [1, 'RETIRED'],
      [2, 'RETIRED'],
      [3, 'ACTIVE'],
      [4, 'REFUSED'],
    ]);
    expect(
      (await get<{ deals: DealSummary[] }>('/deals')).body.deals.map((deal) => deal.dealId).sort(),
    ).toEqual([`D-${run}-D`, dealE].sort());
    // A refused projection receives no more live events, and can be dropped.
    expect((await request<ProjectionView>('DELETE', '/projections/4')).body).toMatchObject({
      state: 'REFUSED',
      droppedAt: expect.any(String),
    });
  });
});
