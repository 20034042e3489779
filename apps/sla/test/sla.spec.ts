import { EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { DEFAULT_SLAS, resolveSlaConfig } from '../src/domain/sla-definition';

jest.setTimeout(90_000);

const THRESHOLD_MS = 1_500;

/** An event as another service would publish it, stamped at `occurredAt`. */
function eventAt<T extends EventType>(
  eventType: T,
  data: Partial<EventPayloads[T]>,
  occurredAt = Date.now(),
): EventRecord<T> {
  return createEvent(
    eventType,
    { ...sampleEventRecord(eventType).data, ...data },
    { source: 'test' },
    () => occurredAt,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sla service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${service.url}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    const config = testServiceConfig('sla');
    // The built-in SLAs with thresholds short enough to breach during the test.
    const slas = resolveSlaConfig(undefined, {
      slas: DEFAULT_SLAS.slas.map((sla) => ({ ...sla, thresholdMs: THRESHOLD_MS })),
    });
    service = await startTestService(AppModule.forConfig(config, { slas, checkIntervalMs: 300 }), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start(['SlaBreached', 'SlaRecovered']);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  it('raises one SlaBreached when project setup is late, then SlaRecovered when it is READY', async () => {
    const dealWon = eventAt('DealWon', { dealId: 'D-SLA-LATE', amountMinor: 1_250_000, currency: 'EUR' });
    const startedAt = dealWon.envelope.occurredAt;
    await probe.publish(dealWon);

    const breach = await probe.waitFor('SlaBreached', (e) => e.data.entityId === 'D-SLA-LATE');
    expect(breach.data).toEqual({
      breachId: 'PROJECT_SETUP:D-SLA-LATE',
      sla: 'PROJECT_SETUP',
      ownerRole: 'DELIVERY',
      entityType: 'deal',
      entityId: 'D-SLA-LATE',
      dealId: 'D-SLA-LATE',
      startedAt,
      thresholdMs: THRESHOLD_MS,
      ageMs: expect.any(Number),
      moneyAtRiskMinor: 1_250_000,
      currency: 'EUR',
    });
    expect(breach.data.ageMs).toBeGreaterThan(THRESHOLD_MS);
    expect(breach.data.ageMs).toBeLessThan(THRESHOLD_MS + 10_000);
    expect(breach.envelope.correlationId).toBe(dealWon.envelope.correlationId);
    expect(breach.envelope.causationId).toBe(dealWon.envelope.eventId);

    const open =
      await get<{ breachId: string; ownerRole: string; moneyAtRiskMinor: number; status: string }[]>(
        '/breaches?status=open',
      );
    expect(open).toEqual([
      expect.objectContaining({
        breachId: 'PROJECT_SETUP:D-SLA-LATE',
        status: 'OPEN',
        ownerRole: 'DELIVERY',
        moneyAtRiskMinor: 1_250_000,
        currency: 'EUR',
      }),
    ]);

    // A FAILED outcome does not close the clock; READY does.
    await probe.publish(
      eventAt('ProjectSetupCompleted', { dealId: 'D-SLA-LATE', status: 'FAILED' }, startedAt + 1_900),
    );
    const ready = eventAt(
      'ProjectSetupCompleted',
      { dealId: 'D-SLA-LATE', status: 'READY' },
      startedAt + 2_000,
    );
    await probe.publish(ready);
    const recovered = await probe.waitFor('SlaRecovered', (e) => e.data.entityId === 'D-SLA-LATE');
    expect(recovered.data).toEqual({
      breachId: 'PROJECT_SETUP:D-SLA-LATE',
      sla: 'PROJECT_SETUP',
      entityType: 'deal',
      entityId: 'D-SLA-LATE',
      dealId: 'D-SLA-LATE',
      recoveredAt: startedAt + 2_000,
      totalMs: 2_000,
    });
    expect(recovered.envelope.causationId).toBe(ready.envelope.eventId);

    await sleep(1_000);
    expect(probe.events('SlaBreached', (e) => e.data.entityId === 'D-SLA-LATE')).toHaveLength(1);
    expect(await get('/breaches?status=open')).toEqual([]);
    expect(await get('/breaches?status=recovered')).toEqual([
      expect.objectContaining({ breachId: 'PROJECT_SETUP:D-SLA-LATE', status: 'RECOVERED', ageMs: 2_000 }),
    ]);
  });

  it('never breaches a deal whose setup completes in time', async () => {
    const dealWon = eventAt('DealWon', { dealId: 'D-SLA-OK' });
    const ready = eventAt(
      'ProjectSetupCompleted',
      { dealId: 'D-SLA-OK', status: 'READY' },
      dealWon.envelope.occurredAt + 200,
    );
    await probe.publish(dealWon, ready);
    await sleep(THRESHOLD_MS + 1_500);
    expect(probe.events('SlaBreached', (e) => e.data.entityId === 'D-SLA-OK')).toEqual([]);
    const slas = await get<{ name: string; clocks: Record<string, number> }[]>('/slas');
    expect(slas.find((sla) => sla.name === 'PROJECT_SETUP')?.clocks).toEqual({
      open: 0,
      breached: 0,
      met: 1,
      recovered: 1,
      awaitingStart: 0,
    });
  });

  it('counts breaches in the shared Prometheus counter', async () => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /throughline_sla_breaches_total\{[^}]*sla="PROJECT_SETUP"[^}]*owner="DELIVERY"[^}]*\} 1\n/,
    );
    expect(metrics).not.toMatch(/throughline_sla_breaches_total\{[^}]*sla="STAFFING_DEMAND"/);
  });

  it('watches staffing demand per project with the project budget at risk', async () => {
    await probe.publish(
      eventAt('ProjectCreated', {
        projectId: 'P-SLA-1',
        dealId: 'D-SLA-P',
        budgetMinor: 480_000,
        currency: 'USD',
      }),
    );
    const breach = await probe.waitFor('SlaBreached', (e) => e.data.entityId === 'P-SLA-1');
    expect(breach.data).toMatchObject({
      breachId: 'STAFFING_DEMAND:P-SLA-1',
      ownerRole: 'RESOURCE_MANAGEMENT',
      entityType: 'project',
      dealId: 'D-SLA-P',
      moneyAtRiskMinor: 480_000,
      currency: 'USD',
    });
  });

  it('tolerates end before start and reports exact ROI figures over the clocks', async () => {
    // Setups already done when their DealWon arrives: 300 ms, 1 s and 4 s (late) after it.
    const base = Date.now() - 60_000;
    const deals = [
      { dealId: 'D-ROI-1', startedAt: base, tookMs: 300 },
      { dealId: 'D-ROI-2', startedAt: base + 10, tookMs: 1_000 },
      { dealId: 'D-ROI-3', startedAt: base + 20, tookMs: 4_000 },
    ];
    await probe.publish(
      ...deals.map((deal) =>
        eventAt(
          'ProjectSetupCompleted',
          { dealId: deal.dealId, status: 'READY' },
          deal.startedAt + deal.tookMs,
        ),
      ),
    );
    await eventually(async () => {
      const slas = await get<{ name: string; clocks: { awaitingStart: number } }[]>('/slas');
      return slas.find((sla) => sla.name === 'PROJECT_SETUP')?.clocks.awaitingStart === 3 ? true : undefined;
    });
    await probe.publish(...deals.map((deal) => eventAt('DealWon', { dealId: deal.dealId }, deal.startedAt)));

    const late = await probe.waitFor('SlaRecovered', (e) => e.data.entityId === 'D-ROI-3');
    expect(late.data.totalMs).toBe(4_000);
    expect(probe.events('SlaBreached', (e) => e.data.entityId === 'D-ROI-3')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ ageMs: 4_000, breachId: 'PROJECT_SETUP:D-ROI-3' }),
      }),
    ]);
    const roi = await eventually(async () => {
      const figures = await get<{ projectSetupCycleTime: { closedClocks: number } }>('/roi');
      return figures.projectSetupCycleTime.closedClocks === 5 ? figures : undefined;
    });
    // Closed setups took 200, 300, 1000, 2000 and 4000 ms; recovered ones were 500 and 2500 ms late.
    expect(roi).toEqual({
      projectSetupCycleTime: { sla: 'PROJECT_SETUP', closedClocks: 5, p50Ms: 1_000, p95Ms: 4_000 },
      breachesBySla: { PROJECT_SETUP: 2, STAFFING_DEMAND: 1, FORECAST_REFRESH: 0 },
      recoveredBreaches: 2,
      meanTimeToRecoveryMs: 1_500,
    });
    expect(probe.events('SlaBreached', (e) => ['D-ROI-1', 'D-ROI-2'].includes(e.data.entityId))).toEqual([]);
  });

  it('lists the configured SLAs and rejects a bad breach filter', async () => {
    const slas =
      await get<{ name: string; enabled: boolean; ownerRole: string; thresholdMs: number }[]>('/slas');
    expect(slas.map((sla) => [sla.name, sla.ownerRole, sla.enabled, sla.thresholdMs])).toEqual([
      ['PROJECT_SETUP', 'DELIVERY', true, THRESHOLD_MS],
      ['STAFFING_DEMAND', 'RESOURCE_MANAGEMENT', true, THRESHOLD_MS],
      ['FORECAST_REFRESH', 'RESOURCE_MANAGEMENT', false, THRESHOLD_MS],
    ]);
    const all = await get<{ breachId: string }[]>('/breaches?status=all');
    expect(all.map((breach) => breach.breachId).sort()).toEqual([
      'PROJECT_SETUP:D-ROI-3',
      'PROJECT_SETUP:D-SLA-LATE',
      'STAFFING_DEMAND:P-SLA-1',
    ]);
    const bad = await fetch(`${service.url}/breaches?status=closed`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/status/);
  });
});
