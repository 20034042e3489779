import { epochDay } from '@throughline/calendar';
import { EventPayloads, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, EventOrigin, MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { dropDatabase } from '@throughline/persistence';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { ProjectionView } from '../src/application/projection-rebuilds';
import { ACTUAL_STATUS_RANK } from '../src/domain/time-to-cash';
import { REPORTED_EVENT_TYPES } from '../src/domain/timeline-entry';
import { createServiceTopics } from './service-topics';

jest.setTimeout(180_000);

const at = (iso: string) => Date.parse(iso);

function event<T extends EventType>(
  eventType: T,
  data: Partial<EventPayloads[T]>,
  origin: EventOrigin,
  occurredAt: number,
): EventRecord<T> {
  return createEvent(eventType, { ...sampleEventRecord(eventType).data, ...data }, origin, () => occurredAt);
}

/**
 * One month of time to cash for two projects, published as their owners would (some out of order,
 * some twice), then every report checked to the minor unit, and again after a projection rebuild.
 *
 * Utilisation comes from the approved timesheets (TimeEntryApproved), the money figures from
 * billing's priced actuals (ActualChanged). A is fixed-fee: billing prices P-DAN's time on it as
 * cost only (billable: false) while the timesheet says client work, so it counts as billable hours.
 * October 2026 has 22 weekdays: capacity 8 h × 22 = 176 h per person.
 */
describe('time-to-cash reports against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  const config = testServiceConfig('reporting');

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${service.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  const projections = async () =>
    (await get<{ projections: ProjectionView[] }>('/projections')).body.projections;

  const A = 'PRJ-D100-LE-DE';
  const B = 'PRJ-D200-LE-DE';
  const ACME = 'C-ACME';
  const BETA = 'C-BETA';

  const createdA = event(
    'ProjectCreated',
    {
      projectId: A,
      dealId: 'D100',
      customerId: ACME,
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      billingType: 'FIXED_FEE_MILESTONE',
      name: 'ERP rollout DE',
      startDate: '2026-09-01',
      endDate: '2026-12-31',
      budgetMinor: 12_000_000,
      phases: [
        {
          phaseId: 'PH1',
          name: 'Delivery',
          startDate: '2026-09-01',
          endDate: '2026-12-31',
          milestones: [
            {
              milestoneId: 'M1',
              name: 'Design',
              dueDate: '2026-09-30',
              amountMinor: 4_000_000,
              percentOfFee: null,
            },
            {
              milestoneId: 'M2',
              name: 'Build',
              dueDate: '2026-11-30',
              amountMinor: 8_000_000,
              percentOfFee: null,
            },
          ],
        },
      ],
      roles: [
        { role: 'Architect', hoursHundredths: 20_000, rateMinor: 15_000, skills: [] },
        { role: 'Developer', hoursHundredths: 60_000, rateMinor: 10_000, skills: [] },
      ],
    },
    { source: 'project' },
    at('2026-09-01T08:00:00Z'),
  );
  const createdB = event(
    'ProjectCreated',
    {
      projectId: B,
      dealId: 'D200',
      customerId: BETA,
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      billingType: 'TIME_AND_MATERIALS',
      name: 'Finance support',
      startDate: '2026-10-01',
      endDate: '2026-12-31',
      budgetMinor: 5_000_000,
      phases: [],
      roles: [{ role: 'Developer', hoursHundredths: 50_000, rateMinor: 9_000, skills: [] }],
    },
    { source: 'project' },
    at('2026-10-01T08:00:00Z'),
  );
  const planChangedA = event(
    'ProjectPlanChanged',
    {
      projectId: A,
      dealId: 'D100',
      planVersion: 2,
      changeOrderId: 'CO-1',
      effectiveDate: '2026-10-15',
      currency: 'EUR',
      billingType: 'FIXED_FEE_MILESTONE',
      startDate: '2026-09-01',
      endDate: '2027-01-31',
      baselineEndDate: '2026-12-31',
      budgetMinor: 14_500_000,
      baselineBudgetMinor: 12_000_000,
      milestones: [
        { milestoneId: 'M1', name: 'Design', dueDate: '2026-09-30', amountMinor: 4_000_000 },
        { milestoneId: 'M2', name: 'Build', dueDate: '2026-12-15', amountMinor: 8_000_000 },
        { milestoneId: 'M3', name: 'Data migration', dueDate: '2027-01-31', amountMinor: 2_500_000 },
      ],
      roles: [
        {
          role: 'Architect',
          hoursHundredths: 20_000,
          baselineHoursHundredths: 20_000,
          rateMinor: 15_000,
          skills: [],
        },
        {
          role: 'Developer',
          hoursHundredths: 85_000,
          baselineHoursHundredths: 60_000,
          rateMinor: 10_000,
          skills: [],
        },
      ],
    },
    { source: 'project' },
    at('2026-10-15T09:00:00Z'),
  );
  const assignment = (
    assignmentId: string,
    projectId: string,
    personId: string,
    role: string,
    minutes: number,
  ) =>
    event(
      'AssignmentChanged',
      {
        assignmentId,
        projectId,
        personId,
        role,
        hoursHundredths: 40_000,
        startDate: '2026-09-01',
        endDate: '2026-12-31',
        costRateMinor: 5_000,
        forecastCostMinor: 2_000_000,
        currency: 'EUR',
        status: 'CONFIRMED',
      },
      { source: 'staffing' },
      at('2026-09-01T10:00:00Z') + minutes * 60_000,
    );
  const assignments = [
    assignment('AS-1', A, 'P-ANA', 'Architect', 0),
    assignment('AS-2', A, 'P-BEN', 'Developer', 1),
    assignment('AS-3', B, 'P-CAI', 'Developer', 2), // books no time: idle capacity
  ];
  const forecast = (projectId: string, revenue: number, cost: number, refreshedAt: string) =>
    event(
      'ProjectForecastUpdated',
      {
        projectId,
        dealId: projectId === A ? 'D100' : 'D200',
        currency: 'EUR',
        forecastRevenueMinor: revenue,
        forecastCostMinor: cost,
        forecastMarginMinor: revenue - cost,
        triggerEventId: assignments[0].envelope.eventId,
        triggerType: 'AssignmentChanged',
        refreshedAt: at(refreshedAt),
      },
      { source: 'project' },
      at(refreshedAt),
    );
  const forecastA = forecast(A, 14_500_000, 8_000_000, '2026-10-15T09:05:00Z');
  const staleForecastA = forecast(A, 12_000_000, 7_000_000, '2026-09-01T10:05:00Z'); // arrives last, is older
  const forecastB = forecast(B, 5_000_000, 500_000, '2026-10-01T10:00:00Z');

  const actual = (
    actualId: string,
    fields: Partial<EventPayloads['ActualChanged']> &
      Pick<EventPayloads['ActualChanged'], 'status' | 'changedAt'>,
  ) =>
    event(
      'ActualChanged',
      {
        actualId,
        kind: 'TIME',
        projectId: A,
        dealId: 'D100',
        customerId: ACME,
        legalEntityId: 'LE-DE',
        personId: 'P-ANA',
        role: 'Architect',
        workDate: '2026-10-05',
        hoursHundredths: 800,
        billable: true,
        currency: 'EUR',
        rateMinor: null,
        rateCardId: null,
        billAmountMinor: 0,
        costRateMinor: null,
        costAmountMinor: 0,
        billingPeriod: '2026-10',
        invoiceId: null,
        approvedAt: at('2026-10-31T12:00:00Z'),
        ...fields,
      },
      { source: 'billing' },
      fields.changedAt,
    );
  const t = (iso: string) => at(iso);
  const T1 = {
    hoursHundredths: 8_000,
    rateMinor: 15_000,
    billAmountMinor: 1_200_000,
    costRateMinor: 9_000,
    costAmountMinor: 720_000,
  };
  const T2 = {
    personId: 'P-BEN',
    role: 'Developer',
    workDate: '2026-10-12',
    hoursHundredths: 12_000,
    billAmountMinor: 1_200_000,
    costAmountMinor: 600_000,
  };
  const E1 = {
    kind: 'EXPENSE' as const,
    role: null,
    workDate: '2026-10-07',
    hoursHundredths: 0,
    billAmountMinor: 45_990,
    costAmountMinor: 45_990,
  };
  const T7 = {
    projectId: B,
    dealId: 'D200',
    customerId: BETA,
    personId: 'P-BEN',
    role: 'Developer',
    workDate: '2026-10-14',
    hoursHundredths: 4_000,
    billAmountMinor: 360_000,
    costAmountMinor: 200_000,
  };
  const T8 = {
    personId: 'P-DAN',
    role: 'Developer',
    workDate: '2026-10-21',
    hoursHundredths: 4_000,
    billable: false, // fixed fee: the fee is billed, not the hours
    costAmountMinor: 200_000,
  };
  const actuals = [
    actual('T1', { ...T1, status: 'UNBILLED', changedAt: t('2026-10-31T12:00:00Z') }),
    actual('T1', { ...T1, status: 'READY_TO_INVOICE', changedAt: t('2026-11-01T06:00:00Z') }),
    actual('T1', { ...T1, status: 'INVOICED', invoiceId: 'INV-1', changedAt: t('2026-11-02T09:00:00Z') }),
    // T2's latest state arrives first; its older UNBILLED state afterwards must not win.
    actual('T2', { ...T2, status: 'INVOICED', invoiceId: 'INV-1', changedAt: t('2026-11-02T09:00:00Z') }),
    actual('T2', { ...T2, status: 'UNBILLED', changedAt: t('2026-10-31T12:00:00Z') }),
    actual('T3', {
      personId: 'P-BEN',
      role: 'Developer',
      workDate: '2026-10-20',
      hoursHundredths: 1_000,
      billable: false,
      costAmountMinor: 50_000,
      status: 'UNBILLED',
      changedAt: t('2026-10-31T12:00:00Z'),
    }),
    actual('T4', {
      workDate: '2026-10-30',
      hoursHundredths: 1_600,
      costAmountMinor: 144_000,
      status: 'UNPRICED',
      changedAt: t('2026-10-31T12:00:00Z'),
    }),
    actual('T5', {
      projectId: B,
      dealId: 'D200',
      customerId: BETA,
      personId: 'P-BEN',
      role: 'Developer',
      workDate: '2026-10-28',
      hoursHundredths: 2_000,
      billAmountMinor: 180_000,
      costAmountMinor: 100_000,
      status: 'UNBILLED',
      changedAt: t('2026-10-31T12:00:00Z'),
    }),
    actual('T6', {
      workDate: '2026-11-02',
      hoursHundredths: 800,
      billAmountMinor: 120_000,
      costAmountMinor: 72_000,
      billingPeriod: '2026-11',
      status: 'UNBILLED',
      changedAt: t('2026-11-02T18:00:00Z'),
    }),
    actual('T7', { ...T7, status: 'INVOICED', invoiceId: 'INV-2', changedAt: t('2026-11-02T09:00:00Z') }),
    actual('E1', { ...E1, status: 'INVOICED', invoiceId: 'INV-1', changedAt: t('2026-11-02T09:00:00Z') }),
    actual('T8', { ...T8, status: 'UNBILLED', changedAt: t('2026-10-31T12:00:00Z') }),
  ];

  // The approved timesheets behind the TIME actuals (billing prices each entry as the actual of the same id).
  const timesheet = (
    entryId: string,
    fields: Partial<EventPayloads['TimeEntryApproved']> &
      Pick<EventPayloads['TimeEntryApproved'], 'personId' | 'role' | 'workDate' | 'hoursHundredths'>,
    approvedAt = '2026-10-31T12:00:00Z',
  ) =>
    event(
      'TimeEntryApproved',
      {
        entryId,
        projectId: A,
        billable: true,
        approvedAt: at(approvedAt),
        approvedBy: 'u-pm',
        sourceSystem: 'PSA',
        ...fields,
      },
      { source: 'ingress' },
      at(approvedAt),
    );
  const sheet = (fields: {
    personId?: string;
    role?: string;
    workDate?: string;
    hoursHundredths: number;
  }) => ({
    personId: fields.personId ?? 'P-ANA',
    role: fields.role ?? 'Architect',
    workDate: fields.workDate ?? '2026-10-05',
    hoursHundredths: fields.hoursHundredths,
  });
  const timesheets = [
    // T1 corrected (revision 2) arrives before its first approval with other hours: revision 2 stays.
    timesheet(
      'T1',
      { ...sheet(T1), revision: 2, correctionReason: 'hours corrected', approvedBy: 'u-ctrl' },
      '2026-11-04T09:00:00Z',
    ),
    timesheet('T1', { ...sheet(T1), hoursHundredths: 5_000 }),
    // T2 approved again later with other hours arrives first: the first approval still wins.
    timesheet('T2', { ...sheet(T2), hoursHundredths: 15_000 }, '2026-11-03T08:00:00Z'),
    timesheet('T2', sheet(T2)),
    timesheet('T3', {
      ...sheet({ personId: 'P-BEN', role: 'Developer', workDate: '2026-10-20', hoursHundredths: 1_000 }),
      billable: false,
    }),
    // T4 approved with 24 h, then corrected to 16 h (revision 2): utilisation counts 16 h.
    timesheet('T4', sheet({ workDate: '2026-10-30', hoursHundredths: 2_400 })),
    timesheet(
      'T4',
      {
        ...sheet({ workDate: '2026-10-30', hoursHundredths: 1_600 }),
        revision: 2,
        correctionReason: 'booked 24 h instead of 16 h',
      },
      '2026-11-04T09:00:00Z',
    ),
    timesheet('T5', {
      ...sheet({ personId: 'P-BEN', role: 'Developer', workDate: '2026-10-28', hoursHundredths: 2_000 }),
      projectId: B,
    }),
    timesheet('T6', sheet({ workDate: '2026-11-02', hoursHundredths: 800 })), // November: not in October
    timesheet('T7', { ...sheet(T7), projectId: B }),
    timesheet('T8', { ...sheet(T8), billable: true }), // the timesheet says client work
    // Malformed (negative hours): billing routes it to finance; utilisation leaves it out.
    timesheet('T9', sheet({ workDate: '2026-10-15', hoursHundredths: -800 })),
  ];
  const milestoneDone = event(
    'MilestoneCompleted',
    { projectId: A, dealId: 'D100', milestoneId: 'M1', completedOn: '2026-10-09', completedBy: 'u-pm' },
    { source: 'project' },
    at('2026-10-09T15:00:00Z'),
  );
  const closed = event(
    'BillingPeriodClosed',
    {
      period: '2026-10',
      closedAt: at('2026-11-01T06:00:00Z'),
      closedBy: 'u-finance',
      draftInvoices: [
        {
          invoiceId: 'INV-1',
          customerId: ACME,
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          totalMinor: 6_445_990,
          lineCount: 4,
        },
        {
          invoiceId: 'INV-2',
          customerId: BETA,
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          totalMinor: 360_000,
          lineCount: 1,
        },
      ],
    },
    { source: 'billing' },
    at('2026-11-01T06:00:00Z'),
  );
  const line = (
    lineId: string,
    projectId: string,
    kind: 'TIME' | 'EXPENSE' | 'MILESTONE',
    amountMinor: number,
    sourceIds: string[],
  ) => ({
    lineId,
    projectId,
    dealId: projectId === A ? 'D100' : 'D200',
    kind,
    description: `${kind} ${sourceIds.join(', ')}`,
    quantityHundredths: null,
    unitPriceMinor: null,
    amountMinor,
    sourceCount: sourceIds.length,
    taxCode: null,
    taxRateBasisPoints: null,
    taxMinor: 0,
  });
  const invoice1 = event(
    'InvoiceIssued',
    {
      invoiceId: 'INV-1',
      invoiceNumber: 'DE-2026-0001',
      customerId: ACME,
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      billingPeriod: '2026-10',
      issuedOn: '2026-11-02',
      dueDate: '2026-12-02',
      issuedAt: at('2026-11-02T09:00:00Z'),
      lines: [
        line('L1', A, 'TIME', 1_200_000, ['T1']),
        line('L2', A, 'TIME', 1_200_000, ['T2']),
        line('L3', A, 'EXPENSE', 45_990, ['E1']),
        line('L4', A, 'MILESTONE', 4_000_000, ['M1']),
      ],
      totalMinor: 6_445_990,
      // Untaxed (billing's tax policy off): the sample event is a reverse-charged invoice.
      netMinor: 6_445_990,
      taxMinor: 0,
      taxes: [],
      reverseCharge: false,
      taxNote: null,
      customerCountry: null,
      customerTaxId: null,
    },
    { source: 'billing' },
    at('2026-11-02T09:00:00Z'),
  );
  const invoice2 = event(
    'InvoiceIssued',
    {
      invoiceId: 'INV-2',
      invoiceNumber: 'DE-2026-0002',
      customerId: BETA,
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      billingPeriod: '2026-10',
      issuedOn: '2026-11-02',
      dueDate: '2026-11-16',
      issuedAt: at('2026-11-02T09:00:00Z'),
      lines: [line('L1', B, 'TIME', 360_000, ['T7'])],
      totalMinor: 360_000,
      // Untaxed (billing's tax policy off): the sample event is a reverse-charged invoice.
      netMinor: 360_000,
      taxMinor: 0,
      taxes: [],
      reverseCharge: false,
      taxNote: null,
      customerCountry: null,
      customerTaxId: null,
    },
    { source: 'billing' },
    at('2026-11-02T09:00:00Z'),
  );
  const payment = (
    paymentId: string,
    invoiceId: string,
    customerId: string,
    amountMinor: number,
    receivedOn: string,
  ) =>
    event(
      'PaymentReceived',
      { paymentId, invoiceId, customerId, currency: 'EUR', amountMinor, receivedOn, reference: null },
      { source: 'ingress' },
      at(`${receivedOn}T10:00:00Z`),
    );
  const payments = [
    payment('PAY-1', 'INV-1', ACME, 3_000_000, '2026-11-20'),
    payment('PAY-1', 'INV-1', ACME, 3_000_000, '2026-11-20'), // the ERP sends it again: no effect
    payment('PAY-2', 'INV-2', BETA, 100_000, '2026-12-10'),
  ];
  const revenue = (projectId: string, amountMinor: number, occurredAt: string) =>
    event(
      'RevenueRecognized',
      {
        recognitionId: `REV-${projectId}-2026-10-EUR`,
        projectId,
        dealId: projectId === A ? 'D100' : 'D200',
        period: '2026-10',
        revenueRule: projectId === A ? 'ON_MILESTONE' : 'AS_DELIVERED',
        currency: 'EUR',
        amountMinor,
        cumulativeMinor: amountMinor,
        percentCompleteBasisPoints: null,
        carriedRemainder: '0/1',
      },
      { source: 'billing' },
      at(occurredAt),
    );
  const revenues = [
    revenue(A, 4_000_000, '2026-11-01T06:10:00Z'),
    revenue(B, 540_000, '2026-11-01T06:20:00Z'),
    revenue(B, 360_000, '2026-11-01T06:10:00Z'), // an earlier recognition of the same period, delivered late
  ];

  const published = [
    createdA,
    createdB,
    ...assignments,
    forecastB,
    milestoneDone,
    planChangedA,
    forecastA,
    ...timesheets,
    ...actuals,
    closed,
    invoice1,
    invoice2,
    ...payments,
    ...revenues,
    staleForecastA,
  ];
  // A redelivery of the same event (same event id) is recorded once.
  const redelivered = [invoice1, actuals[2], timesheets[0]];
  const distinctEvents = new Set(published.map((record) => record.envelope.eventId)).size;

  const reports = [
    '/reports/utilisation?period=2026-10',
    '/reports/utilisation?period=2026-10&groupBy=role',
    '/reports/backlog',
    '/reports/margin',
    '/reports/billing-leakage?asOf=2026-11-30',
    '/reports/ar-ageing?asOf=2026-12-20',
    '/reports/delivery-risk?asOf=2026-11-05',
    `/reports/projects/${A}?asOf=2026-11-05`,
    '/reports/summary?period=2026-10',
  ];
  const answers: Record<string, unknown> = {};

  beforeAll(async () => {
    await createServiceTopics(config, REPORTED_EVENT_TYPES);
    service = await startTestService(
      AppModule.forConfig(config, {
        rebuildPollMs: 1_000,
        figures: { capacityHoursPerDayHundredths: 800, riskThresholdBasisPoints: 1_000 },
      }),
      config,
    );
    probe = new EventProbe(service.runtime as MessagingRuntime);
  });

  afterAll(async () => {
    await probe?.stop();
    await (service ? service.stop() : dropDatabase(config.databaseName));
  });

  const recordedAll = (version: number) =>
    eventually(async () => {
      const projection = (await projections()).find((p) => p.version === version);
      return projection?.state === 'ACTIVE' && projection.eventCount === distinctEvents
        ? projection
        : undefined;
    }, 90_000);

  it('computes every report exactly from a month of events', async () => {
    await probe.publish(...published);
    await probe.publish(...redelivered);
    await recordedAll(1);
    for (const path of reports) {
      const { status, body } = await get(path);
      expect([path, status]).toEqual([path, 200]);
      answers[path] = body;
    }

    // From the timesheets (T1 and T4 at their corrected revision 2): P-ANA 80 + 16 h billable of 176 h = 54.55 %; P-BEN 120 + 20 + 40 h billable
    // (+10 h not) = 102.27 %; P-DAN 40 h on fixed-fee A, billable by the timesheet although billing's
    // actual is not: 22.73 % (billing's actuals would have said 0 %).
    expect(answers['/reports/utilisation?period=2026-10']).toEqual({
      period: '2026-10',
      groupBy: 'person',
      weekdays: 22,
      capacityHoursPerDayHundredths: 800,
      rows: [
        {
          personId: 'P-ANA',
          role: 'Architect',
          people: 1,
          billableHoursHundredths: 9_600,
          totalHoursHundredths: 9_600,
          capacityHoursHundredths: 17_600,
          utilisationBasisPoints: 5_455,
          billableHours: '96 h',
          totalHours: '96 h',
          capacityHours: '176 h',
        },
        {
          personId: 'P-BEN',
          role: 'Developer',
          people: 1,
          billableHoursHundredths: 18_000,
          totalHoursHundredths: 19_000,
          capacityHoursHundredths: 17_600,
          utilisationBasisPoints: 10_227,
          billableHours: '180 h',
          totalHours: '190 h',
          capacityHours: '176 h',
        },
        {
          personId: 'P-CAI',
          role: 'Developer',
          people: 1,
          billableHoursHundredths: 0,
          totalHoursHundredths: 0,
          capacityHoursHundredths: 17_600,
          utilisationBasisPoints: 0,
          billableHours: '0 h',
          totalHours: '0 h',
          capacityHours: '176 h',
        },
        {
          personId: 'P-DAN',
          role: 'Developer',
          people: 1,
          billableHoursHundredths: 4_000,
          totalHoursHundredths: 4_000,
          capacityHoursHundredths: 17_600,
          utilisationBasisPoints: 2_273,
          billableHours: '40 h',
          totalHours: '40 h',
          capacityHours: '176 h',
        },
      ],
    });
    expect(answers['/reports/utilisation?period=2026-10&groupBy=role']).toMatchObject({
      groupBy: 'role',
      rows: [
        {
          role: 'Architect',
          people: 1,
          billableHoursHundredths: 9_600,
          capacityHoursHundredths: 17_600,
          utilisationBasisPoints: 5_455,
        },
        {
          role: 'Developer',
          people: 3,
          billableHoursHundredths: 22_000,
          capacityHoursHundredths: 52_800,
          utilisationBasisPoints: 4_167, // 220 / 528 h
        },
      ],
    });

    const eur = (amountMinor: number) => ({
      amountMinor,
      currency: 'EUR',
      formatted: expect.stringMatching(/^EUR -?[\d,]+\.\d\d$/),
    });
    expect(answers['/reports/backlog']).toEqual({
      projects: [
        {
          projectId: A,
          dealId: 'D100',
          customerId: ACME,
          currency: 'EUR',
          contracted: eur(14_500_000),
          invoiced: eur(6_445_990),
          backlog: { amountMinor: 8_054_010, currency: 'EUR', formatted: 'EUR 80,540.10' },
        },
        {
          projectId: B,
          dealId: 'D200',
          customerId: BETA,
          currency: 'EUR',
          contracted: eur(5_000_000),
          invoiced: eur(360_000),
          backlog: eur(4_640_000),
        },
      ],
      customers: [
        {
          customerId: ACME,
          currency: 'EUR',
          projects: 1,
          contracted: eur(14_500_000),
          invoiced: eur(6_445_990),
          backlog: eur(8_054_010),
        },
        {
          customerId: BETA,
          currency: 'EUR',
          projects: 1,
          contracted: eur(5_000_000),
          invoiced: eur(360_000),
          backlog: eur(4_640_000),
        },
      ],
    });

    // A: revenue 40,000.00 − cost (7,200 + 6,000 + 500 + 1,440 + 459.90 + 720 + 2,000) = 21,680.10 → 54.20 %.
    expect(answers['/reports/margin']).toEqual({
      projects: [
        {
          projectId: A,
          currency: 'EUR',
          actual: {
            revenue: eur(4_000_000),
            cost: eur(1_831_990),
            margin: { amountMinor: 2_168_010, currency: 'EUR', formatted: 'EUR 21,680.10' },
            marginBasisPoints: 5_420,
          },
          forecast: {
            revenue: eur(14_500_000),
            cost: eur(8_000_000),
            margin: eur(6_500_000),
            marginBasisPoints: 4_483,
          },
        },
        {
          projectId: B,
          currency: 'EUR',
          actual: {
            revenue: eur(540_000),
            cost: eur(300_000),
            margin: eur(240_000),
            marginBasisPoints: 4_444,
          },
          forecast: {
            revenue: eur(5_000_000),
            cost: eur(500_000),
            margin: eur(4_500_000),
            marginBasisPoints: 9_000,
          },
        },
      ],
    });

    expect(answers['/reports/billing-leakage?asOf=2026-11-30']).toEqual({
      asOf: '2026-11-30',
      totals: [{ amountMinor: 180_000, currency: 'EUR', formatted: 'EUR 1,800.00', actuals: 2, unpriced: 1 }],
      projects: [
        {
          projectId: A,
          dealId: 'D100',
          customerId: ACME,
          currency: 'EUR',
          amount: eur(0),
          actuals: 1,
          unpriced: 1,
          hoursHundredths: 1_600,
          byStatus: { UNPRICED: 1 },
          oldestBillingPeriod: '2026-10',
        },
        {
          projectId: B,
          dealId: 'D200',
          customerId: BETA,
          currency: 'EUR',
          amount: eur(180_000),
          actuals: 1,
          unpriced: 0,
          hoursHundredths: 2_000,
          byStatus: { UNBILLED: 1 },
          oldestBillingPeriod: '2026-10',
        },
      ],
    });

    const buckets = (
      current: number,
      days1to30: number,
      days31to60: number,
      days61to90: number,
      days90plus: number,
    ) => ({
      current: eur(current),
      days1to30: eur(days1to30),
      days31to60: eur(days31to60),
      days61to90: eur(days61to90),
      days90plus: eur(days90plus),
    });
    expect(answers['/reports/ar-ageing?asOf=2026-12-20']).toEqual({
      asOf: '2026-12-20',
      customers: [
        {
          customerId: ACME,
          currency: 'EUR',
          buckets: buckets(0, 3_445_990, 0, 0, 0),
          outstanding: eur(3_445_990),
          unapplied: eur(0),
          invoices: [
            {
              invoiceId: 'INV-1',
              invoiceNumber: 'DE-2026-0001',
              issuedOn: '2026-11-02',
              dueDate: '2026-12-02',
              daysPastDue: 18,
              bucket: 'days1to30',
              total: eur(6_445_990),
              paid: eur(3_000_000),
              outstanding: eur(3_445_990),
            },
          ],
        },
        {
          customerId: BETA,
          currency: 'EUR',
          buckets: buckets(0, 0, 260_000, 0, 0),
          outstanding: eur(260_000),
          unapplied: eur(0),
          invoices: [
            {
              invoiceId: 'INV-2',
              invoiceNumber: 'DE-2026-0002',
              issuedOn: '2026-11-02',
              dueDate: '2026-11-16',
              daysPastDue: 34,
              bucket: 'days31to60',
              total: eur(360_000),
              paid: eur(100_000),
              outstanding: eur(260_000),
            },
          ],
        },
      ],
      totals: [
        { currency: 'EUR', buckets: buckets(0, 3_445_990, 260_000, 0, 0), outstanding: eur(3_705_990) },
      ],
    });

    // B: cost 3,000.00 of a 5,000.00 forecast = 60 % burnt; 36 of 92 schedule days = 39.13 % elapsed.
    // A: 18,319.90 of 80,000.00 = 22.90 % burnt against 1 of 3 milestones = 33.33 %: not at risk.
    expect(answers['/reports/delivery-risk?asOf=2026-11-05']).toEqual({
      asOf: '2026-11-05',
      thresholdBasisPoints: 1_000,
      atRisk: [
        {
          projectId: B,
          dealId: 'D200',
          currency: 'EUR',
          burnBasisPoints: 6_000,
          percentCompleteBasisPoints: 3_913,
          percentCompleteBasis: 'SCHEDULE',
          gapBasisPoints: 2_087,
          atRisk: true,
          actualCost: eur(300_000),
          forecastCost: eur(500_000),
        },
      ],
      notAssessed: [],
    });

    expect(answers[`/reports/projects/${A}?asOf=2026-11-05`]).toEqual({
      projectId: A,
      asOf: '2026-11-05',
      plan: {
        projectId: A,
        dealId: 'D100',
        customerId: ACME,
        legalEntityId: 'LE-DE',
        name: 'ERP rollout DE',
        currency: 'EUR',
        billingType: 'FIXED_FEE_MILESTONE',
        planVersion: 2,
        lastChangeOrderId: 'CO-1',
        budget: { baselineMinor: 12_000_000, currentMinor: 14_500_000, changeMinor: 2_500_000 },
        startDate: { baseline: '2026-09-01', current: '2026-09-01' },
        endDate: { baseline: '2026-12-31', current: '2027-01-31', slipDays: 31 },
        roles: [
          {
            role: 'Architect',
            baselineHoursHundredths: 20_000,
            currentHoursHundredths: 20_000,
            changeHoursHundredths: 0,
            rateMinor: 15_000,
          },
          {
            role: 'Developer',
            baselineHoursHundredths: 60_000,
            currentHoursHundredths: 85_000,
            changeHoursHundredths: 25_000,
            rateMinor: 10_000,
          },
        ],
        milestones: [
          {
            milestoneId: 'M1',
            name: 'Design',
            baselineDueDate: '2026-09-30',
            currentDueDate: '2026-09-30',
            baselineAmountMinor: 4_000_000,
            currentAmountMinor: 4_000_000,
            change: 'UNCHANGED',
            completedOn: '2026-10-09',
          },
          {
            milestoneId: 'M2',
            name: 'Build',
            baselineDueDate: '2026-11-30',
            currentDueDate: '2026-12-15',
            baselineAmountMinor: 8_000_000,
            currentAmountMinor: 8_000_000,
            change: 'MOVED',
            completedOn: null,
          },
          {
            milestoneId: 'M3',
            name: 'Data migration',
            baselineDueDate: null,
            currentDueDate: '2027-01-31',
            baselineAmountMinor: null,
            currentAmountMinor: 2_500_000,
            change: 'ADDED',
            completedOn: null,
          },
        ],
      },
      hours: [
        {
          role: 'Architect',
          plannedHoursHundredths: 20_000,
          actualHoursHundredths: 10_400,
          billableHoursHundredths: 10_400,
        },
        {
          role: 'Developer',
          plannedHoursHundredths: 85_000,
          actualHoursHundredths: 17_000, // P-DAN's fixed-fee 40 h are not billable in billing's actuals
          billableHoursHundredths: 12_000,
        },
      ],
      backlog: (answers['/reports/backlog'] as { projects: unknown[] }).projects.slice(0, 1),
      margin: (answers['/reports/margin'] as { projects: unknown[] }).projects.slice(0, 1),
      leakage: [
        {
          projectId: A,
          dealId: 'D100',
          customerId: ACME,
          currency: 'EUR',
          amount: eur(0),
          actuals: 1,
          unpriced: 1,
          hoursHundredths: 1_600,
          byStatus: { UNPRICED: 1 },
          oldestBillingPeriod: '2026-10',
        },
      ],
      deliveryRisk: {
        projectId: A,
        dealId: 'D100',
        currency: 'EUR',
        burnBasisPoints: 2_290,
        percentCompleteBasisPoints: 3_333,
        percentCompleteBasis: 'MILESTONES',
        gapBasisPoints: -1_043,
        atRisk: false,
        actualCost: eur(1_831_990),
        forecastCost: eur(8_000_000),
      },
      invoices: [
        {
          invoiceId: 'INV-1',
          invoiceNumber: 'DE-2026-0001',
          billingPeriod: '2026-10',
          issuedOn: '2026-11-02',
          dueDate: '2026-12-02',
          amount: eur(6_445_990),
          invoicePaid: eur(0),
          invoiceTotal: eur(6_445_990),
        },
      ],
      revenue: [{ period: '2026-10', amount: eur(4_000_000) }],
    });

    expect(answers['/reports/summary?period=2026-10']).toEqual({
      period: '2026-10',
      close: {
        closedAt: '2026-11-01T06:00:00.000Z',
        drafts: [{ currency: 'EUR', totalMinor: 6_805_990, count: 2, total: 'EUR 68,059.90' }],
      },
      invoices: [{ currency: 'EUR', totalMinor: 6_805_990, count: 2, total: 'EUR 68,059.90' }],
      invoicesByLegalEntity: [
        { legalEntityId: 'LE-DE', currency: 'EUR', totalMinor: 6_805_990, count: 2, total: 'EUR 68,059.90' },
      ],
      // Both invoices untaxed: net = gross, one untaxed row (test/invoice-tax.spec.ts has taxed ones).
      tax: [
        {
          legalEntityId: 'LE-DE',
          currency: 'EUR',
          invoices: 2,
          netMinor: 6_805_990,
          taxMinor: 0,
          grossMinor: 6_805_990,
          net: 'EUR 68,059.90',
          tax: 'EUR 0.00',
          gross: 'EUR 68,059.90',
          rates: [
            {
              taxCode: null,
              rateBasisPoints: null,
              reverseCharge: false,
              netMinor: 6_805_990,
              taxMinor: 0,
              invoices: 2,
              net: 'EUR 68,059.90',
              tax: 'EUR 0.00',
            },
          ],
        },
      ],
      revenue: [{ currency: 'EUR', amountMinor: 4_540_000, amount: 'EUR 45,400.00' }],
      utilisation: [
        {
          personId: 'P-ANA',
          role: 'Architect',
          billableHours: '96 h',
          billableHoursHundredths: 9_600,
          utilisationBasisPoints: 5_455,
        },
        {
          personId: 'P-BEN',
          role: 'Developer',
          billableHours: '180 h',
          billableHoursHundredths: 18_000,
          utilisationBasisPoints: 10_227,
        },
        {
          personId: 'P-CAI',
          role: 'Developer',
          billableHours: '0 h',
          billableHoursHundredths: 0,
          utilisationBasisPoints: 0,
        },
        {
          personId: 'P-DAN',
          role: 'Developer',
          billableHours: '40 h',
          billableHoursHundredths: 4_000,
          utilisationBasisPoints: 2_273,
        },
      ],
      margin: [
        {
          projectId: A,
          currency: 'EUR',
          actualMarginMinor: 2_168_010,
          actualMarginBasisPoints: 5_420,
          forecastMarginMinor: 6_500_000,
          actualMargin: 'EUR 21,680.10',
          forecastMargin: 'EUR 65,000.00',
        },
        {
          projectId: B,
          currency: 'EUR',
          actualMarginMinor: 240_000,
          actualMarginBasisPoints: 4_444,
          forecastMarginMinor: 4_500_000,
          actualMargin: 'EUR 2,400.00',
          forecastMargin: 'EUR 45,000.00',
        },
      ],
    });
  });

  it('rejects bad report requests with a reason', async () => {
    const bad = await Promise.all(
      [
        '/reports/utilisation',
        '/reports/utilisation?period=2026-13',
        '/reports/utilisation?period=2026-10&groupBy=team',
        '/reports/ar-ageing?asOf=2026-02-30',
        '/reports/billing-leakage?asOf=tomorrow',
        '/reports/summary?period=10-2026',
      ].map(async (path) => [path, (await get<{ error: string }>(path)).status]),
    );
    expect(bad.every(([, status]) => status === 400)).toBe(true);
    const unknown = await get<{ error: string }>('/reports/projects/PRJ-NOPE');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/Unknown project PRJ-NOPE/);
  });

  it('reproduces every figure in a projection rebuilt from the log', async () => {
    const started = await fetch(`${service.url}/projections/rebuild`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'beginning' }),
    });
    expect(started.status).toBe(202);
    await recordedAll(2);
    for (const path of reports) {
      const { status, body } = await get(path);
      expect([path, status, body]).toEqual([path, 200, answers[path]]);
    }
  });

  it("reproduces every figure from the actuals' current state, and refuses while one is missing", async () => {
    // What billing's ActualState topic holds: the newest of each actual's changes (later changedAt,
    // then the status further along), with the work date as days since 1970-01-01.
    const newest = new Map<string, EventRecord<'ActualChanged'>>();
    for (const record of actuals) {
      const kept = newest.get(record.data.actualId);
      const newer =
        !kept ||
        record.data.changedAt > kept.data.changedAt ||
        (record.data.changedAt === kept.data.changedAt &&
          ACTUAL_STATUS_RANK[record.data.status] > ACTUAL_STATUS_RANK[kept.data.status]);
      if (newer) newest.set(record.data.actualId, record);
    }
    const states = [...newest.values()].map(({ data: { changedBy: _changedBy, ...data } }) =>
      createEvent(
        'ActualState',
        {
          ...data,
          revision: 1,
          workDate: epochDay(data.workDate),
          workDateAsApproved: null,
          approvedBillable: data.billable,
          expenseAmountMinor: null,
          description: null,
          note: null,
        },
        { source: 'billing' },
      ),
    );
    const [withheld, ...rest] = states as [EventRecord<'ActualState'>, ...EventRecord<'ActualState'>[]];
    const rebuildFromState = async () => {
      const response = await fetch(`${service.url}/projections/rebuild`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'current-state' }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as ProjectionView).version;
    };
    const settled = (version: number) =>
      eventually(async () => {
        const projection = (await projections()).find((p) => p.version === version);
        return projection && projection.state !== 'BUILDING' ? projection : undefined;
      }, 90_000);

    await probe.publish(...rest);
    const refused = await settled(await rebuildFromState());
    expect(refused.from).toBe('current-state');
    expect(refused.state).toBe('REFUSED');
    expect(refused.refusal?.missing).toEqual([
      expect.objectContaining({ eventType: 'ActualState', missingEvents: 1 }),
    ]);

    await probe.publish(withheld);
    const rebuilt = await settled(await rebuildFromState());
    expect(rebuilt.state).toBe('ACTIVE');
    for (const path of reports) {
      const { status, body } = await get(path);
      expect([path, status, body]).toEqual([path, 200, answers[path]]);
    }
  });
});
