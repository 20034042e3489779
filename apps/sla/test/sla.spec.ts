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

/** Deep equality with asymmetric matchers, for polling until a figure settles. */
function equals(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toMatchObject(expected as Record<string, unknown>);
    return true;
  } catch {
    return false;
  }
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
    // The built-in SLAs with thresholds short enough to breach during the test, and a firm-wide
    // holiday after the test's dates (shown by GET /slas, no deadline here crosses it).
    const slas = resolveSlaConfig(
      { holidays: ['2026-12-25'] },
      {
        slas: DEFAULT_SLAS.slas.map((sla) =>
          sla.businessDays === undefined ? { ...sla, thresholdMs: THRESHOLD_MS } : sla,
        ),
      },
    );
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
      cycleTimeBySla: {
        PROJECT_SETUP: { sla: 'PROJECT_SETUP', closedClocks: 5, p50Ms: 1_000, p95Ms: 4_000 },
        STAFFING_DEMAND: { sla: 'STAFFING_DEMAND', closedClocks: 0, p50Ms: null, p95Ms: null },
        FORECAST_REFRESH: { sla: 'FORECAST_REFRESH', closedClocks: 0, p50Ms: null, p95Ms: null },
        TIME_TO_BILLING: { sla: 'TIME_TO_BILLING', closedClocks: 0, p50Ms: null, p95Ms: null },
        INVOICE_AFTER_CLOSE: { sla: 'INVOICE_AFTER_CLOSE', closedClocks: 0, p50Ms: null, p95Ms: null },
      },
      breachesBySla: {
        PROJECT_SETUP: 2,
        STAFFING_DEMAND: 1,
        FORECAST_REFRESH: 0,
        TIME_TO_BILLING: 0,
        INVOICE_AFTER_CLOSE: 0,
      },
      recoveredBreaches: 2,
      meanTimeToRecoveryMs: 1_500,
      billingLeakage: { asOf: expect.any(String), actuals: 0, unpriced: 0, byCurrency: [] },
      businessExceptions: {
        raised: 0,
        open: 0,
        resolved: 0,
        timeToResolution: { p50Ms: null, p95Ms: null },
      },
    });
    expect(probe.events('SlaBreached', (e) => ['D-ROI-1', 'D-ROI-2'].includes(e.data.entityId))).toEqual([]);
  });

  it('breaches TIME_TO_BILLING while the entry is unpriced and recovers it once priced, with its amount', async () => {
    const approved = eventAt('TimeEntryApproved', { entryId: 'TE-SLA-1', projectId: 'PRJ-D1-LE-DE' });
    const startedAt = approved.envelope.occurredAt;
    await probe.publish(approved);
    // Billing has it but no rate card covers it: not yet billed, so the clock keeps running.
    await probe.publish(
      eventAt(
        'ActualChanged',
        {
          actualId: 'TE-SLA-1',
          kind: 'TIME',
          status: 'UNPRICED',
          billAmountMinor: 0,
          billingPeriod: '2099-01',
        },
        startedAt + 300,
      ),
    );
    const breach = await probe.waitFor('SlaBreached', (e) => e.data.entityId === 'TE-SLA-1');
    expect(breach.data).toMatchObject({
      breachId: 'TIME_TO_BILLING:TE-SLA-1',
      sla: 'TIME_TO_BILLING',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'timeEntry',
      startedAt,
      thresholdMs: THRESHOLD_MS,
      moneyAtRiskMinor: null,
      currency: null,
    });
    expect(breach.envelope.causationId).toBe(approved.envelope.eventId);

    const priced = eventAt(
      'ActualChanged',
      {
        actualId: 'TE-SLA-1',
        kind: 'TIME',
        status: 'UNBILLED',
        billAmountMinor: 112_500,
        currency: 'EUR',
        billingPeriod: '2099-01',
      },
      startedAt + 2_500,
    );
    await probe.publish(priced);
    const recovered = await probe.waitFor('SlaRecovered', (e) => e.data.entityId === 'TE-SLA-1');
    expect(recovered.data).toMatchObject({
      breachId: 'TIME_TO_BILLING:TE-SLA-1',
      recoveredAt: startedAt + 2_500,
      totalMs: 2_500,
    });
    expect(recovered.envelope.causationId).toBe(priced.envelope.eventId);
    const recoveredBreaches = await get<{ breachId: string }[]>('/breaches?status=recovered');
    expect(recoveredBreaches).toContainEqual(
      expect.objectContaining({
        breachId: 'TIME_TO_BILLING:TE-SLA-1',
        ageMs: 2_500,
        moneyAtRiskMinor: 112_500,
        currency: 'EUR',
      }),
    );
  });

  it('gives invoices one business day after a Friday close (due Monday) and recovers a late one', async () => {
    // Closed Friday 2026-11-13 10:00 UTC: both drafts are due Monday 2026-11-16 10:00 UTC.
    const closedAt = Date.parse('2026-11-13T10:00:00Z');
    const draft = { customerId: 'C-1', legalEntityId: 'LE-DE', lineCount: 1 };
    const issued = (invoiceId: string, issuedAt: number) =>
      eventAt('InvoiceIssued', { invoiceId, issuedAt }, issuedAt);
    // INV-SLA-A was issued Monday 09:00 (71 h after the close) and arrives before the close itself.
    await probe.publish(issued('INV-SLA-A', Date.parse('2026-11-16T09:00:00Z')));
    const close = eventAt(
      'BillingPeriodClosed',
      {
        period: '2026-10',
        closedAt,
        draftInvoices: [
          { ...draft, invoiceId: 'INV-SLA-A', currency: 'EUR', totalMinor: 131_450 },
          { ...draft, invoiceId: 'INV-SLA-B', currency: 'USD', totalMinor: 99_000 },
        ],
      },
      closedAt + 60_000,
    );
    await probe.publish(close);

    const breach = await probe.waitFor('SlaBreached', (e) => e.data.sla === 'INVOICE_AFTER_CLOSE');
    expect(breach.data).toMatchObject({
      breachId: 'INVOICE_AFTER_CLOSE:INV-SLA-B',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'invoice',
      entityId: 'INV-SLA-B',
      startedAt: closedAt,
      thresholdMs: 72 * 3_600_000,
      moneyAtRiskMinor: 99_000,
      currency: 'USD',
    });
    // Issued Tuesday 10:00, four days after the close.
    await probe.publish(issued('INV-SLA-B', Date.parse('2026-11-17T10:00:00Z')));
    const recovered = await probe.waitFor('SlaRecovered', (e) => e.data.entityId === 'INV-SLA-B');
    expect(recovered.data.totalMs).toBe(96 * 3_600_000);
    await sleep(1_000);
    expect(probe.events('SlaBreached', (e) => e.data.entityId === 'INV-SLA-A')).toEqual([]);
    const slas = await get<{ name: string; clocks: Record<string, number> }[]>('/slas');
    expect(slas.find((sla) => sla.name === 'INVOICE_AFTER_CLOSE')?.clocks).toEqual({
      open: 0,
      breached: 0,
      met: 1,
      recovered: 1,
      awaitingStart: 0,
    });
  });

  it('watches the forecast refresh of each assignment change by its event id', async () => {
    const refreshedChange = eventAt('AssignmentChanged', { assignmentId: 'A-SLA-1', projectId: 'PRJ-F-1' });
    const staleChange = eventAt('AssignmentChanged', { assignmentId: 'A-SLA-2', projectId: 'PRJ-F-1' });
    await probe.publish(
      refreshedChange,
      staleChange,
      eventAt(
        'ProjectForecastUpdated',
        { projectId: 'PRJ-F-1', triggerEventId: refreshedChange.envelope.eventId },
        refreshedChange.envelope.occurredAt + 200,
      ),
    );
    const breach = await probe.waitFor('SlaBreached', (e) => e.data.sla === 'FORECAST_REFRESH');
    expect(breach.data).toMatchObject({
      entityId: staleChange.envelope.eventId,
      ownerRole: 'RESOURCE_MANAGEMENT',
      entityType: 'assignmentChange',
    });
    expect(probe.events('SlaBreached', (e) => e.data.entityId === refreshedChange.envelope.eventId)).toEqual(
      [],
    );
  });

  it('reports billing leakage and business exception figures from the event history', async () => {
    const expense = (actualId: string, changes: Partial<EventPayloads['ActualChanged']>, changedAt: number) =>
      eventAt(
        'ActualChanged',
        {
          actualId,
          kind: 'EXPENSE',
          projectId: 'PRJ-ROI-1',
          role: null,
          billable: true,
          billingPeriod: '2026-09',
          currency: 'EUR',
          changedAt,
          ...changes,
        },
        changedAt,
      );
    const t = Date.parse('2026-09-30T12:00:00Z');
    await probe.publish(
      expense('X-1', { status: 'UNBILLED', billAmountMinor: 18_950 }, t),
      expense('X-1', { status: 'READY_TO_INVOICE', billAmountMinor: 18_950 }, t + 1_000),
      // Invoiced; an older status arriving after it does not move it back.
      expense('X-2', { status: 'INVOICED', billAmountMinor: 50_000 }, t + 2_000),
      expense('X-2', { status: 'UNBILLED', billAmountMinor: 50_000 }, t),
      expense('X-3', { status: 'UNBILLED', billAmountMinor: 7_525, currency: 'USD' }, t),
      // Its period has not ended.
      expense('X-4', { status: 'UNBILLED', billAmountMinor: 1_000, billingPeriod: '2099-01' }, t),
      expense('X-5', { status: 'UNBILLED', billAmountMinor: 0, billable: false }, t),
      expense('X-6', { status: 'UNPRICED', billAmountMinor: 0 }, t),
      expense('X-7', { status: 'WRITTEN_OFF', billAmountMinor: 3_000 }, t),
    );
    const base = Date.now() - 600_000;
    const raised = (exceptionId: string, at: number) =>
      eventAt('BusinessExceptionRaised', { exceptionId, entityId: `E-${exceptionId}` }, at);
    const resolved = (exceptionId: string, at: number) =>
      eventAt('BusinessExceptionResolved', { exceptionId, entityId: `E-${exceptionId}` }, at);
    await probe.publish(
      raised('EX-1', base),
      resolved('EX-1', base + 60_000),
      // Raised again before it was resolved: still measured from the first raise (90 s).
      raised('EX-2', base),
      raised('EX-2', base + 30_000),
      resolved('EX-2', base + 90_000),
      raised('EX-3', base),
      resolved('EX-4', base + 5_000),
      raised('EX-4', base),
    );

    const expected = {
      cycleTimeBySla: expect.objectContaining({
        // TE-SLA-1 was priced 2.5 s after approval; INV-SLA-A took 71 h, INV-SLA-B 96 h.
        TIME_TO_BILLING: { sla: 'TIME_TO_BILLING', closedClocks: 1, p50Ms: 2_500, p95Ms: 2_500 },
        INVOICE_AFTER_CLOSE: {
          sla: 'INVOICE_AFTER_CLOSE',
          closedClocks: 2,
          p50Ms: 71 * 3_600_000,
          p95Ms: 96 * 3_600_000,
        },
      }),
      billingLeakage: {
        asOf: expect.any(String),
        actuals: 3,
        unpriced: 1,
        byCurrency: [
          { currency: 'EUR', amountMinor: 18_950, actuals: 2 },
          { currency: 'USD', amountMinor: 7_525, actuals: 1 },
        ],
      },
      businessExceptions: {
        raised: 4,
        open: 1,
        resolved: 3,
        timeToResolution: { p50Ms: 60_000, p95Ms: 90_000 },
      },
    };
    let figures: unknown;
    await eventually(async () => {
      figures = await get('/roi');
      return equals(figures, expected) ? true : undefined;
    }).catch(() => undefined);
    expect(figures).toMatchObject(expected);
  });

  it('lists the configured SLAs and rejects a bad breach filter', async () => {
    const slas =
      await get<
        { name: string; enabled: boolean; ownerRole: string; thresholdMs: number; holidays: string[] }[]
      >('/slas');
    expect(slas.map((sla) => [sla.name, sla.ownerRole, sla.enabled, sla.thresholdMs, sla.holidays])).toEqual([
      ['PROJECT_SETUP', 'DELIVERY', true, THRESHOLD_MS, []],
      ['STAFFING_DEMAND', 'RESOURCE_MANAGEMENT', true, THRESHOLD_MS, []],
      ['FORECAST_REFRESH', 'RESOURCE_MANAGEMENT', true, THRESHOLD_MS, []],
      ['TIME_TO_BILLING', 'FINANCE_OPERATIONS', true, THRESHOLD_MS, []],
      ['INVOICE_AFTER_CLOSE', 'FINANCE_OPERATIONS', true, null, ['2026-12-25']],
    ]);
    const all = await get<{ breachId: string }[]>('/breaches?status=all');
    expect(all.map((breach) => breach.breachId).sort()).toEqual([
      expect.stringMatching(/^FORECAST_REFRESH:/),
      'INVOICE_AFTER_CLOSE:INV-SLA-B',
      'PROJECT_SETUP:D-ROI-3',
      'PROJECT_SETUP:D-SLA-LATE',
      'STAFFING_DEMAND:P-SLA-1',
      'TIME_TO_BILLING:TE-SLA-1',
    ]);
    const bad = await fetch(`${service.url}/breaches?status=closed`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/status/);
  });

  it('leaves a met TIME_TO_BILLING clock alone when its entry is corrected (TimeEntryApproved revision 2)', async () => {
    const projectId = 'PRJ-D1-LE-DE';
    const clocks = async () =>
      (await get<{ name: string; clocks: Record<string, number> }[]>('/slas')).find(
        (sla) => sla.name === 'TIME_TO_BILLING',
      )?.clocks;
    const priced = (actualId: string, at: number) =>
      eventAt(
        'ActualChanged',
        { actualId, kind: 'TIME', status: 'UNBILLED', billAmountMinor: 50_000, currency: 'EUR' },
        at,
      );
    const before = await clocks();
    if (!before) throw new Error('expected TIME_TO_BILLING clocks');
    const approved = eventAt('TimeEntryApproved', { entryId: 'TE-SLA-FIX', projectId, revision: 1 });
    const startedAt = approved.envelope.occurredAt;
    await probe.publish(approved, priced('TE-SLA-FIX', startedAt + 300));
    await eventually(async () => ((await clocks())?.met === before.met + 1 ? true : undefined));

    // Corrected after its threshold; the next entry of the project follows it on the same partition, so
    // once that one's clock is met the correction has been consumed.
    const correction = eventAt(
      'TimeEntryApproved',
      {
        entryId: 'TE-SLA-FIX',
        projectId,
        revision: 2,
        correctionReason: 'wrong hours',
        hoursHundredths: 500,
      },
      startedAt + 2 * THRESHOLD_MS,
    );
    const next = eventAt('TimeEntryApproved', { entryId: 'TE-SLA-FIX-NEXT', projectId, revision: 1 });
    await probe.publish(correction, next, priced('TE-SLA-FIX-NEXT', next.envelope.occurredAt + 300));
    await eventually(async () => ((await clocks())?.met === before.met + 2 ? true : undefined));
    // Long enough for the check (every 300 ms) to breach a clock the correction had restarted.
    await sleep(THRESHOLD_MS + 1_000);
    expect(await clocks()).toEqual({ ...before, met: before.met + 2 });
    expect(probe.events('SlaBreached', (e) => e.data.entityId.startsWith('TE-SLA-FIX'))).toEqual([]);
    expect(probe.events('SlaRecovered', (e) => e.data.entityId.startsWith('TE-SLA-FIX'))).toEqual([]);
  });
});
