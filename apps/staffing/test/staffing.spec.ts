import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import {
  startTestService,
  testAuthorization,
  testServiceConfig,
  TestService,
  testSubject,
} from '@throughline/messaging-nest/testing';
import { sampleEventRecord } from '@throughline/contracts/testing';

import { AppModule } from '../src/app.module';
import { STAFFING_DB } from '../src/application/staffing.service';
import { StaffingDb } from '../src/infrastructure/staffing-db';

jest.setTimeout(60_000);

describe('staffing service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  const project = {
    ...sampleEventRecord('ProjectCreated').data,
    projectId: 'PRJ-STAFF-1',
    dealId: 'D-1',
    currency: 'EUR',
    startDate: '2026-12-01',
    endDate: '2027-03-31',
    roles: [{ role: 'Architect', hoursHundredths: 10_000, rateMinor: 15_000, skills: ['SAP'] }],
  };

  beforeAll(async () => {
    const config = testServiceConfig('staffing');
    service = await startTestService(AppModule.forConfig(config), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'StaffingDemandPublished',
      'AssignmentChanged',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  it('publishes role demand for a new project exactly once, even when ProjectCreated is redelivered', async () => {
    const created = createEvent('ProjectCreated', project, { source: 'project' });
    await probe.publish(created, created);
    const demand = await probe.waitFor('StaffingDemandPublished', (e) => e.data.projectId === 'PRJ-STAFF-1');
    expect(demand.envelope.correlationId).toBe(created.envelope.correlationId);
    expect(demand.envelope.causationId).toBe(created.envelope.eventId);
    expect(demand.data.demands).toEqual([
      expect.objectContaining({ role: 'Architect', hoursHundredths: 10_000, skills: ['SAP'] }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(probe.events('StaffingDemandPublished', (e) => e.data.projectId === 'PRJ-STAFF-1')).toHaveLength(
      1,
    );
  });

  it('carries the W3C trace context from the cause to the events it causes', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const created = createEvent(
      'ProjectCreated',
      { ...project, projectId: 'PRJ-STAFF-TRACE' },
      { source: 'project' },
    );
    await service.runtime.publisher.publish([{ record: created, headers: { traceparent } }]);
    const demand = await probe.waitFor(
      'StaffingDemandPublished',
      (e) => e.data.projectId === 'PRJ-STAFF-TRACE',
    );
    expect(demand.headers['traceparent']).toBe(traceparent);
  });

  it('accepts an assignment and publishes its forecast cost', async () => {
    const response = await fetch(`${service.url}/assignments/A-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-assign-1' },
      body: JSON.stringify({
        projectId: 'PRJ-STAFF-1',
        personId: 'P-7',
        role: 'Architect',
        hoursHundredths: 8_000,
        startDate: '2026-12-01',
        endDate: '2027-01-31',
        costRateMinor: 7_000,
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      forecastCostMinor: 560_000,
      currency: 'EUR',
      status: 'CONFIRMED',
    });
    const changed = await probe.waitFor('AssignmentChanged', (e) => e.data.assignmentId === 'A-1');
    expect(changed.envelope.correlationId).toBe('corr-assign-1');
    expect(changed.data.forecastCostMinor).toBe(560_000);
  });

  it('records who changed an assignment: the caller of the PUT, from its token (#11)', async () => {
    const client = 'throughline-tests-delegate';
    const subject = await testSubject(client);
    // Not a constant that happens to match: the default test client is someone else.
    expect(subject).not.toBe(await testSubject());
    const projectId = 'PRJ-STAFF-ACTOR';
    await probe.publish(createEvent('ProjectCreated', { ...project, projectId }, { source: 'project' }));
    await probe.waitFor('StaffingDemandPublished', (e) => e.data.projectId === projectId);
    const response = await fetch(`${service.url}/assignments/A-ACTOR`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: await testAuthorization(['staffing:write'], client),
      },
      body: JSON.stringify({
        projectId,
        personId: 'P-8',
        role: 'Architect',
        hoursHundredths: 800,
        startDate: '2026-12-01',
        endDate: '2026-12-31',
        costRateMinor: 7_000,
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ assignmentId: 'A-ACTOR', changedBy: subject });
    const changed = await probe.waitFor('AssignmentChanged', (e) => e.data.assignmentId === 'A-ACTOR');
    expect(changed.data.changedBy).toBe(subject);
  });

  it('re-publishes the demand after a plan change, once per plan version, keeping assignments', async () => {
    const projectId = 'PRJ-STAFF-PLAN';
    const created = createEvent('ProjectCreated', { ...project, projectId }, { source: 'project' });
    await probe.publish(created);
    await probe.waitFor('StaffingDemandPublished', (e) => e.data.demandId === `DEM-${projectId}`);
    const assign = (assignmentId: string, role: string, endDate: string) =>
      fetch(`${service.url}/assignments/${assignmentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          projectId,
          personId: 'P-1',
          role,
          hoursHundredths: 1_000,
          startDate: '2027-03-01',
          endDate,
          costRateMinor: 5_000,
        }),
      });
    expect((await assign('A-PLAN-1', 'Architect', '2027-03-31')).status).toBe(200);
    // Before the change order the project has no Data engineer and ends on 2027-03-31.
    expect((await assign('A-PLAN-2', 'Data engineer', '2027-04-30')).status).toBe(400);

    const plan = {
      ...sampleEventRecord('ProjectPlanChanged').data,
      projectId,
      dealId: 'D-1',
      planVersion: 2,
      changeOrderId: 'CO-PLAN-1',
      currency: 'EUR',
      startDate: '2026-12-01',
      endDate: '2027-04-30',
      baselineEndDate: '2027-03-31',
      roles: [
        {
          role: 'Architect',
          hoursHundredths: 12_000,
          baselineHoursHundredths: 10_000,
          rateMinor: 15_000,
          skills: ['SAP'],
        },
        {
          role: 'Data engineer',
          hoursHundredths: 8_000,
          baselineHoursHundredths: 0,
          rateMinor: 12_000,
          skills: [],
        },
      ],
    };
    const changed = createEvent('ProjectPlanChanged', plan, { source: 'project' });
    await probe.publish(
      changed,
      changed, // redelivered
      createEvent('ProjectPlanChanged', plan, { source: 'project' }), // same plan version again
      createEvent('ProjectPlanChanged', { ...plan, planVersion: 1 }, { source: 'project' }), // older
    );
    const demand = await probe.waitFor(
      'StaffingDemandPublished',
      (e) => e.data.demandId === `DEM-${projectId}-v2`,
    );
    expect(demand.envelope.causationId).toBe(changed.envelope.eventId);
    expect(demand.envelope.correlationId).toBe(changed.envelope.correlationId);
    expect(demand.data).toEqual({
      demandId: `DEM-${projectId}-v2`,
      projectId,
      dealId: 'D-1',
      demands: [
        {
          demandLineId: `${projectId}:Architect`,
          role: 'Architect',
          skills: ['SAP'],
          hoursHundredths: 12_000,
          startDate: '2026-12-01',
          endDate: '2027-04-30',
        },
        {
          demandLineId: `${projectId}:Data engineer`,
          role: 'Data engineer',
          skills: [],
          hoursHundredths: 8_000,
          startDate: '2026-12-01',
          endDate: '2027-04-30',
        },
      ],
    });
    // The new role and the later end date are staffable now; the earlier assignment still stands.
    expect((await assign('A-PLAN-2', 'Data engineer', '2027-04-30')).status).toBe(200);
    const db = service.app.get<StaffingDb>(STAFFING_DB);
    expect(await db.assignment.count({ where: { projectId } })).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(probe.events('StaffingDemandPublished', (e) => e.data.projectId === projectId)).toHaveLength(2);
  });

  it('creates the demand from a plan change that arrives before ProjectCreated', async () => {
    const projectId = 'PRJ-STAFF-EARLY';
    const plan = {
      ...sampleEventRecord('ProjectPlanChanged').data,
      projectId,
      dealId: 'D-2',
      planVersion: 2,
      startDate: '2026-12-01',
      endDate: '2027-05-31',
      roles: [
        { role: 'Architect', hoursHundredths: 500, baselineHoursHundredths: 400, rateMinor: 1, skills: [] },
      ],
    };
    await probe.publish(createEvent('ProjectPlanChanged', plan, { source: 'project' }));
    await probe.waitFor('StaffingDemandPublished', (e) => e.data.demandId === `DEM-${projectId}-v2`);
    await probe.publish(createEvent('ProjectCreated', { ...project, projectId }, { source: 'project' }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(probe.events('StaffingDemandPublished', (e) => e.data.projectId === projectId)).toHaveLength(1);
  });

  it('answers bad input with a 4xx and a reason', async () => {
    const put = (body: unknown) =>
      fetch(`${service.url}/assignments/A-2`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const missing = await put({ projectId: 'PRJ-STAFF-1' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/personId/);

    const valid = {
      projectId: 'PRJ-STAFF-1',
      personId: 'P',
      role: 'Architect',
      hoursHundredths: 1,
      startDate: '2026-12-01',
      endDate: '2026-12-02',
      costRateMinor: 1,
    };
    expect((await put({ ...valid, projectId: 'NOPE' })).status).toBe(404);
    const wrongRole = await put({ ...valid, role: 'Designer' });
    expect(wrongRole.status).toBe(400);
    expect(((await wrongRole.json()) as { error: string }).error).toMatch(/no demand for role "Designer"/);
  });

  it('exposes Prometheus metrics: events handled, dead-letter depth, consumer lag, outbox backlog', async () => {
    const producer = service.runtime.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: service.runtime.naming.topicFor('ProjectCreated'),
      messages: [{ key: 'poison', value: Buffer.from('not avro') }],
    });
    await producer.disconnect();
    const metricsText = async () => (await fetch(`${service.url}/metrics`)).text();
    const text = await eventually(async () => {
      const body = await metricsText();
      // The dead letter is written before the handled-event counter moves: wait for both.
      const deadLettered = /throughline_events_consumed_total\{[^}]*outcome="dead_lettered"[^}]*\} 1/;
      return /throughline_dead_letter_depth\{[^}]*\} 1/.test(body) && deadLettered.test(body)
        ? body
        : undefined;
    });
    expect(text).toMatch(
      /throughline_events_consumed_total\{[^}]*event_type="ProjectCreated"[^}]*outcome="handled"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/throughline_events_consumed_total\{[^}]*outcome="dead_lettered"[^}]*\} 1/);
    expect(text).toMatch(/throughline_consumer_lag\{[^}]*topic="[^"]*project-created"[^}]*\} 0/);
    expect(text).toMatch(/throughline_outbox_backlog\{[^}]*\} 0/);
    expect(text).toMatch(/throughline_handler_duration_seconds_bucket/);
  });

  it('reports health and readiness', async () => {
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${service.url}/health/ready`)).json()).toEqual({ status: 'ready' });
  });
});
