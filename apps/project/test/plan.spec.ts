import { epochDay } from '@throughline/calendar';
import {
  AssignmentChanged,
  BillingType,
  ChangeOrderApproved,
  ContractApproved,
  ProjectTemplateUpserted,
  RateCardUpserted,
} from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe } from '@throughline/messaging/testing';
import {
  startTestService,
  testAuthorization,
  testServiceConfig,
  TestService,
} from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(60_000);

const ingress = { source: 'ingress' };

function template(templateId: string, billingType: BillingType): ProjectTemplateUpserted {
  return {
    templateId,
    name: `Template ${billingType}`,
    billingType,
    durationDays: 90,
    phases: [
      {
        name: 'Discovery',
        offsetDays: 0,
        durationDays: 30,
        milestones: [{ name: 'Blueprint signed', offsetDays: 29, percentOfFee: 3_333 }],
      },
      {
        name: 'Build',
        offsetDays: 30,
        durationDays: 60,
        milestones: [
          { name: 'Build complete', offsetDays: 74, percentOfFee: 3_333 },
          { name: 'Go-live', offsetDays: 89, percentOfFee: 3_334 },
        ],
      },
    ],
    upsertedBy: null,
  };
}

function rateCard(rateCardId: string): RateCardUpserted {
  return {
    rateCardId,
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    rates: [
      { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
      { role: 'Architect', rateMinor: 20_000, costRateMinor: 9_000 },
    ],
    upsertedBy: null,
  };
}

function contract(id: string, billingType: BillingType): ContractApproved {
  return {
    contractId: `CTR-${id}`,
    dealId: `D-${id}`,
    customerId: 'C-100',
    templateId: `TPL-${id}`,
    billingType,
    dealName: 'Finance transformation',
    startDate: '2026-12-01',
    deliveries: [
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        country: 'DE',
        rateCardId: `RC-${id}`,
        budgetMinor: 12_000_000, // 120,000.00 EUR
        lines: [
          { lineId: 'l1', role: 'Consultant', hoursHundredths: 40_000, amountMinor: 6_000_000 },
          { lineId: 'l2', role: 'Architect', hoursHundredths: 1_050, amountMinor: 6_000_000 },
        ],
      },
    ],
  };
}

function changeOrder(
  id: string,
  projectId: string,
  changes: Partial<ChangeOrderApproved> = {},
): ChangeOrderApproved {
  return {
    changeOrderId: id,
    projectId,
    description: 'Extend by a data migration',
    effectiveDate: '2027-01-15',
    budgetDeltaMinor: 0,
    newEndDate: null,
    roleChanges: [],
    milestoneChanges: [],
    approvedBy: 'u-sales-1',
    currency: 'EUR',
    ...changes,
  };
}

/** +30,000.00 EUR, one more month, +100 h Consultant, a new Data engineer role and milestone. */
function extension(id: string, projectId: string): ChangeOrderApproved {
  return changeOrder(id, projectId, {
    budgetDeltaMinor: 3_000_000,
    newEndDate: '2027-03-31',
    roleChanges: [
      { role: 'Consultant', hoursDeltaHundredths: 10_000, rateMinor: null },
      { role: 'Data engineer', hoursDeltaHundredths: 8_000, rateMinor: 12_000 },
    ],
    milestoneChanges: [
      {
        action: 'CHANGE',
        milestoneId: `${projectId}-PH2-MS2`,
        name: null,
        dueDate: '2027-03-15',
        amountMinor: 5_000_800,
      },
      {
        action: 'ADD',
        milestoneId: `${projectId}-MIG`,
        name: 'Data migrated',
        dueDate: '2027-03-31',
        amountMinor: 2_000_000,
      },
    ],
  });
}

function assignment(projectId: string, changes: Partial<AssignmentChanged>): AssignmentChanged {
  return {
    ...sampleEventRecord('AssignmentChanged').data,
    projectId,
    personId: 'P-7',
    role: 'Consultant',
    startDate: '2026-12-01',
    endDate: '2027-02-28',
    currency: 'EUR',
    status: 'CONFIRMED',
    ...changes,
  };
}

describe('project plans, milestones and forecasts against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;

  beforeAll(async () => {
    const config = testServiceConfig('project');
    service = await startTestService(AppModule.forConfig(config), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'ProjectCreated',
      'ProjectPlanChanged',
      'ProjectForecastUpdated',
      'MilestoneCompleted',
      'BusinessExceptionRaised',
      'BusinessExceptionResolved',
      'ProjectState',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
  const get = async (path: string) => {
    const response = await fetch(`${service.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Creates a fixed-fee milestone project for deal D-<id>, returns its id. */
  async function createProject(
    id: string,
    billingType: BillingType = 'FIXED_FEE_MILESTONE',
  ): Promise<string> {
    await probe.publish(
      createEvent('ProjectTemplateUpserted', template(`TPL-${id}`, billingType), ingress),
      createEvent('RateCardUpserted', rateCard(`RC-${id}`), ingress),
      createEvent('ContractApproved', contract(id, billingType), { source: 'contract' }),
    );
    const created = await probe.waitFor('ProjectCreated', (e) => e.data.dealId === `D-${id}`);
    return created.data.projectId;
  }

  it('publishes the current state of a project on its compacted topic as created and as re-planned', async () => {
    const projectId = await createProject('STATE');
    const created = await probe.waitFor('ProjectState', (e) => e.data.projectId === projectId);
    expect(created.envelope.key).toBe(projectId);
    // Baseline: Consultant 400 h + Architect 10.5 h = 410.5 h; three template milestones.
    expect(created.data).toMatchObject({
      dealId: 'D-STATE',
      rateCardId: 'RC-STATE',
      startDate: epochDay('2026-12-01'),
      endDate: epochDay('2027-02-28'),
      budgetMinor: 12_000_000,
      planVersion: 1,
      plannedHoursHundredths: 41_050,
      roleCount: 2,
      milestoneCount: 3,
      completedMilestones: 0,
    });
    const approved = createEvent('ChangeOrderApproved', extension('CO-STATE', projectId), ingress);
    await probe.publish(approved);
    const replanned = await probe.waitFor(
      'ProjectState',
      (e) => e.data.projectId === projectId && e.data.planVersion === 2,
    );
    expect(replanned.envelope.causationId).toBe(approved.envelope.eventId);
    // +30,000.00, to 2027-03-31, Consultant 500 h + Architect 10.5 h + Data engineer 80 h = 590.5 h, +1 milestone.
    expect(replanned.data).toMatchObject({
      endDate: epochDay('2027-03-31'),
      budgetMinor: 15_000_000,
      plannedHoursHundredths: 59_050,
      roleCount: 3,
      milestoneCount: 4,
    });
    expect(replanned.data.updatedAt).toBeGreaterThanOrEqual(created.data.updatedAt);
  });

  it('applies a change order mid-project: ProjectPlanChanged with baseline vs current, and the forecast', async () => {
    const projectId = await createProject('CO');
    const staffed = createEvent(
      'AssignmentChanged',
      assignment(projectId, { assignmentId: 'A-CO-1', forecastCostMinor: 3_011_250 }),
      { source: 'staffing' },
    );
    await probe.publish(staffed);
    await probe.waitFor('ProjectForecastUpdated', (e) => e.data.triggerEventId === staffed.envelope.eventId);

    const approved = createEvent('ChangeOrderApproved', extension('CO-1', projectId), ingress);
    await probe.publish(approved);
    const changed = await probe.waitFor('ProjectPlanChanged', (e) => e.data.projectId === projectId);
    expect(changed.envelope.causationId).toBe(approved.envelope.eventId);
    expect(changed.envelope.correlationId).toBe(approved.envelope.correlationId);
    expect(changed.data).toEqual({
      projectId,
      dealId: 'D-CO',
      planVersion: 2,
      changeOrderId: 'CO-1',
      effectiveDate: '2027-01-15',
      currency: 'EUR',
      billingType: 'FIXED_FEE_MILESTONE',
      startDate: '2026-12-01',
      endDate: '2027-03-31',
      baselineEndDate: '2027-02-28',
      budgetMinor: 15_000_000,
      baselineBudgetMinor: 12_000_000,
      milestones: [
        {
          milestoneId: `${projectId}-PH1-MS1`,
          name: 'Blueprint signed',
          dueDate: '2026-12-30',
          amountMinor: 3_999_600,
        },
        {
          milestoneId: `${projectId}-PH2-MS1`,
          name: 'Build complete',
          dueDate: '2027-02-13',
          amountMinor: 3_999_600,
        },
        {
          milestoneId: `${projectId}-PH2-MS2`,
          name: 'Go-live',
          dueDate: '2027-03-15',
          amountMinor: 5_000_800,
        },
        {
          milestoneId: `${projectId}-MIG`,
          name: 'Data migrated',
          dueDate: '2027-03-31',
          amountMinor: 2_000_000,
        },
      ],
      roles: [
        {
          role: 'Consultant',
          hoursHundredths: 50_000,
          baselineHoursHundredths: 40_000,
          rateMinor: 15_000,
          skills: [],
        },
        {
          role: 'Architect',
          hoursHundredths: 1_050,
          baselineHoursHundredths: 1_050,
          rateMinor: 20_000,
          skills: [],
        },
        {
          role: 'Data engineer',
          hoursHundredths: 8_000,
          baselineHoursHundredths: 0,
          rateMinor: 12_000,
          skills: [],
        },
      ],
    });

    const forecast = await probe.waitFor(
      'ProjectForecastUpdated',
      (e) => e.data.triggerEventId === approved.envelope.eventId,
    );
    expect(forecast.data).toMatchObject({
      projectId,
      dealId: 'D-CO',
      currency: 'EUR',
      forecastRevenueMinor: 15_000_000,
      forecastCostMinor: 3_011_250,
      forecastMarginMinor: 11_988_750,
      triggerType: 'ChangeOrderApproved',
    });

    const plan = await get(`/projects/${projectId}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      projectId,
      planVersion: 2,
      baseline: { budgetMinor: 12_000_000, endDate: '2027-02-28' },
      current: { budgetMinor: 15_000_000, endDate: '2027-03-31' },
      changeOrders: [{ changeOrderId: 'CO-1', status: 'APPLIED', planVersion: 2, reasons: [] }],
    });
    const baselineHours = (plan.body.baseline as { roles: { hoursHundredths: number }[] }).roles;
    expect(baselineHours.map((role) => role.hoursHundredths)).toEqual([40_000, 1_050]);
    expect((await get(`/projects/${projectId}/forecast`)).body).toMatchObject({
      forecastRevenueMinor: 15_000_000,
      forecastCostMinor: 3_011_250,
      forecastMarginMinor: 11_988_750,
      planVersion: 2,
    });
    // The project as created stays the baseline.
    expect((await get(`/projects/${projectId}`)).body).toMatchObject({ budgetMinor: 12_000_000 });
  });

  it('applies a change order once, however often it is delivered or approved again', async () => {
    // Time and materials: the same change order could apply twice without conflict, so only the
    // change order id keeps it from doing so.
    const projectId = await createProject('DUP', 'TIME_AND_MATERIALS');
    const moreConsulting = changeOrder('CO-DUP-1', projectId, {
      budgetDeltaMinor: 250_000,
      roleChanges: [{ role: 'Consultant', hoursDeltaHundredths: 1_000, rateMinor: null }],
    });
    const approved = createEvent('ChangeOrderApproved', moreConsulting, ingress);
    await probe.publish(approved, approved, createEvent('ChangeOrderApproved', moreConsulting, ingress));
    await probe.waitFor('ProjectPlanChanged', (e) => e.data.changeOrderId === 'CO-DUP-1');
    await settle();
    expect(probe.events('ProjectPlanChanged', (e) => e.data.projectId === projectId)).toHaveLength(1);
    expect(probe.events('ProjectForecastUpdated', (e) => e.data.projectId === projectId)).toHaveLength(1);
    expect(probe.events('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-DUP-1')).toEqual([]);
    expect((await get(`/projects/${projectId}/plan`)).body).toMatchObject({
      planVersion: 2,
      current: { budgetMinor: 12_250_000, roles: [{ role: 'Consultant', hoursHundredths: 41_000 }, {}] },
      changeOrders: [{ changeOrderId: 'CO-DUP-1', status: 'APPLIED', planVersion: 2 }],
    });

    await probe.publish(
      createEvent(
        'ChangeOrderApproved',
        changeOrder('CO-DUP-2', projectId, {
          roleChanges: [{ role: 'Architect', hoursDeltaHundredths: -1_050, rateMinor: null }],
        }),
        ingress,
      ),
    );
    const second = await probe.waitFor('ProjectPlanChanged', (e) => e.data.changeOrderId === 'CO-DUP-2');
    expect(second.data.planVersion).toBe(3);
    expect(second.data.budgetMinor).toBe(12_250_000);
    expect(second.data.roles.find((role) => role.role === 'Architect')).toMatchObject({
      hoursHundredths: 0,
      baselineHoursHundredths: 1_050,
    });
  });

  it('raises an invalid change order as a business exception for delivery and leaves the plan unchanged', async () => {
    const projectId = await createProject('BAD');
    const approved = createEvent(
      'ChangeOrderApproved',
      changeOrder('CO-BAD-1', projectId, { budgetDeltaMinor: 500_000 }),
      ingress,
    );
    await probe.publish(approved, approved);
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-BAD-1');
    expect(raised.data).toEqual({
      exceptionId: 'EXC-CO-BAD-1-INVALID_CHANGE_ORDER',
      ownerRole: 'DELIVERY',
      entityType: 'ChangeOrder',
      entityId: 'CO-BAD-1',
      dealId: 'D-BAD',
      code: 'INVALID_CHANGE_ORDER',
      message: `Change order CO-BAD-1 cannot be applied to project ${projectId}: the milestone amounts sum to 12000000, not to the budget 12500000`,
      remediation:
        'Agree a corrected change order with the customer and approve it under a new change order id; this one stays rejected and the plan is unchanged',
      details: { changeOrderId: 'CO-BAD-1', projectId, planVersion: '1' },
    });
    expect(raised.envelope.causationId).toBe(approved.envelope.eventId);
    await settle();
    expect(probe.events('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-BAD-1')).toHaveLength(1);
    expect(probe.events('ProjectPlanChanged', (e) => e.data.projectId === projectId)).toEqual([]);
    expect((await get(`/projects/${projectId}/plan`)).body).toMatchObject({
      planVersion: 1,
      current: { budgetMinor: 12_000_000 },
      changeOrders: [{ changeOrderId: 'CO-BAD-1', status: 'REJECTED', planVersion: null }],
    });
  });

  it('rejects a change order in another currency than the project (INVALID_CHANGE_ORDER, plan unchanged); one without a currency (v1) applies', async () => {
    const projectId = await createProject('CUR');
    // Valid in every other respect: the same extension in EUR applies (below).
    const inUsd = createEvent(
      'ChangeOrderApproved',
      { ...extension('CO-CUR-USD', projectId), currency: 'USD' },
      ingress,
    );
    await probe.publish(inUsd);
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-CUR-USD');
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-CO-CUR-USD-INVALID_CHANGE_ORDER',
      ownerRole: 'DELIVERY',
      code: 'INVALID_CHANGE_ORDER',
      dealId: 'D-CUR',
      message: `Change order CO-CUR-USD cannot be applied to project ${projectId}: change order is in USD, project ${projectId} is in EUR`,
      details: { changeOrderId: 'CO-CUR-USD', projectId, planVersion: '1' },
    });
    expect(raised.envelope.causationId).toBe(inUsd.envelope.eventId);
    await settle();
    expect(probe.events('ProjectPlanChanged', (e) => e.data.projectId === projectId)).toEqual([]);
    expect(
      probe.events('ProjectForecastUpdated', (e) => e.data.triggerEventId === inUsd.envelope.eventId),
    ).toEqual([]);
    expect((await get(`/projects/${projectId}/plan`)).body).toMatchObject({
      planVersion: 1,
      current: { budgetMinor: 12_000_000, endDate: '2027-02-28' },
      changeOrders: [
        {
          changeOrderId: 'CO-CUR-USD',
          status: 'REJECTED',
          planVersion: null,
          reasons: [`change order is in USD, project ${projectId} is in EUR`],
        },
      ],
    });

    // A v1 change order has no currency: its amounts are taken to be in the project currency.
    await probe.publish(
      createEvent('ChangeOrderApproved', { ...extension('CO-CUR-V1', projectId), currency: null }, ingress),
    );
    const changed = await probe.waitFor('ProjectPlanChanged', (e) => e.data.changeOrderId === 'CO-CUR-V1');
    expect(changed.data).toMatchObject({
      projectId,
      planVersion: 2,
      currency: 'EUR',
      budgetMinor: 15_000_000,
    });
  });

  it('keeps the currency of a held change order: in another currency it is rejected when the project is created', async () => {
    const projectId = 'PRJ-D-EARLYUSD-LE-DE';
    const approved = createEvent(
      'ChangeOrderApproved',
      { ...extension('CO-EARLY-USD', projectId), currency: 'USD' },
      ingress,
    );
    await probe.publish(approved);
    await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'CO-EARLY-USD' && e.data.code === 'UNKNOWN_PROJECT',
    );

    expect(await createProject('EARLYUSD')).toBe(projectId);
    const resolved = await probe.waitFor(
      'BusinessExceptionResolved',
      (e) => e.data.entityId === 'CO-EARLY-USD',
    );
    expect(resolved.data.exceptionId).toBe('EXC-CO-EARLY-USD-UNKNOWN_PROJECT');
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === 'CO-EARLY-USD' && e.data.code === 'INVALID_CHANGE_ORDER',
    );
    expect(raised.data.message).toBe(
      `Change order CO-EARLY-USD cannot be applied to project ${projectId}: change order is in USD, project ${projectId} is in EUR`,
    );
    expect(raised.envelope.causationId).toBe(approved.envelope.eventId);
    await settle();
    expect(probe.events('ProjectPlanChanged', (e) => e.data.projectId === projectId)).toEqual([]);
    expect((await get(`/projects/${projectId}/plan`)).body).toMatchObject({
      planVersion: 1,
      changeOrders: [{ changeOrderId: 'CO-EARLY-USD', status: 'REJECTED', planVersion: null }],
    });
  });

  it('holds a change order for a project that does not exist yet, raises it, and applies it when the project is created', async () => {
    const projectId = 'PRJ-D-EARLY-LE-DE';
    const approved = createEvent('ChangeOrderApproved', extension('CO-EARLY', projectId), ingress);
    await probe.publish(approved);
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-EARLY');
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-CO-EARLY-UNKNOWN_PROJECT',
      ownerRole: 'SALES_OPERATIONS',
      code: 'UNKNOWN_PROJECT',
      dealId: null,
      details: { changeOrderId: 'CO-EARLY', projectId },
    });

    expect(await createProject('EARLY')).toBe(projectId);
    const changed = await probe.waitFor('ProjectPlanChanged', (e) => e.data.projectId === projectId);
    expect(changed.data).toMatchObject({
      planVersion: 2,
      changeOrderId: 'CO-EARLY',
      budgetMinor: 15_000_000,
    });
    expect(changed.envelope.causationId).toBe(approved.envelope.eventId);
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'CO-EARLY');
    expect(resolved.data).toMatchObject({ exceptionId: 'EXC-CO-EARLY-UNKNOWN_PROJECT', dealId: 'D-EARLY' });
    const forecast = await probe.waitFor(
      'ProjectForecastUpdated',
      (e) => e.data.triggerEventId === approved.envelope.eventId,
    );
    expect(forecast.data).toMatchObject({ forecastRevenueMinor: 15_000_000, forecastCostMinor: 0 });
  });

  it('takes completedBy from the credential (#11): the caller or someone it acts for, else 403 and nothing published', async () => {
    const projectId = await createProject('MS-ACTOR');
    const milestoneId = `${projectId}-PH1-MS1`;
    // A client that acts for U-DELEGATED only (tools/oidc/clients.json).
    const complete = async (completedBy: string) =>
      fetch(`${service.url}/projects/${projectId}/milestones/${milestoneId}/complete`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: await testAuthorization(['psa:write'], 'throughline-tests-delegate'),
        },
        body: JSON.stringify({ completedOn: '2026-12-29', completedBy }),
      });
    const refused = await complete('U-SOMEONE-ELSE');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: 'urn:throughline:problem:actor-mismatch' });

    expect((await complete('U-DELEGATED')).status).toBe(200);
    await probe.waitFor('MilestoneCompleted', (e) => e.data.milestoneId === milestoneId);
    // Same key (projectId), same partition: a completion by the refused request would have come first.
    expect(
      probe
        .events('MilestoneCompleted', (e) => e.data.projectId === projectId)
        .map((e) => e.data.completedBy),
    ).toEqual(['U-DELEGATED']);
  });

  it('completes a milestone once: MilestoneCompleted, the same again is answered, another date is a conflict', async () => {
    const projectId = await createProject('MS');
    const milestoneId = `${projectId}-PH1-MS1`;
    const complete = (id: string, body: unknown, project = projectId) =>
      fetch(`${service.url}/projects/${project}/milestones/${id}/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-ms-1' },
        body: JSON.stringify(body),
      });

    const first = await complete(milestoneId, { completedOn: '2026-12-29', completedBy: 'u-pm-1' });
    expect(first.status).toBe(200);
    const expected = {
      projectId,
      dealId: 'D-MS',
      milestoneId,
      completedOn: '2026-12-29',
      completedBy: 'u-pm-1',
    };
    expect(await first.json()).toEqual(expected);
    const event = await probe.waitFor('MilestoneCompleted', (e) => e.data.milestoneId === milestoneId);
    expect(event.data).toEqual(expected);
    expect(event.envelope.correlationId).toBe('corr-ms-1');

    const again = await complete(milestoneId, { completedOn: '2026-12-29', completedBy: 'u-pm-2' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(expected);
    const otherDate = await complete(milestoneId, { completedOn: '2026-12-30', completedBy: 'u-pm-1' });
    expect(otherDate.status).toBe(409);
    expect(((await otherDate.json()) as { error: string }).error).toMatch(/already completed on 2026-12-29/);

    expect(
      (await complete(`${projectId}-NOPE`, { completedOn: '2026-12-29', completedBy: 'u' })).status,
    ).toBe(404);
    expect(
      (await complete(milestoneId, { completedOn: '2026-12-29', completedBy: 'u' }, 'PRJ-NOPE')).status,
    ).toBe(404);
    const bad = await complete(milestoneId, { completedOn: '2026-02-30' });
    expect(bad.status).toBe(400);
    const reason = ((await bad.json()) as { error: string }).error;
    expect(reason).toMatch(/completedOn: expected a calendar date YYYY-MM-DD/);
    expect(reason).toMatch(/completedBy/);

    await settle();
    expect(probe.events('MilestoneCompleted', (e) => e.data.projectId === projectId)).toHaveLength(1);
    const plan = await get(`/projects/${projectId}/plan`);
    expect((plan.body.current as { milestones: unknown[] }).milestones[0]).toEqual({
      milestoneId,
      name: 'Blueprint signed',
      dueDate: '2026-12-30',
      amountMinor: 3_999_600,
      status: 'COMPLETED',
      completedOn: '2026-12-29',
      completedBy: 'u-pm-1',
    });
    expect((plan.body.current as { milestones: { status: string }[] }).milestones[1].status).toBe('OPEN');

    // A completed milestone cannot be removed by a change order.
    await probe.publish(
      createEvent(
        'ChangeOrderApproved',
        changeOrder('CO-MS', projectId, {
          milestoneChanges: [{ action: 'REMOVE', milestoneId, name: null, dueDate: null, amountMinor: null }],
        }),
        ingress,
      ),
    );
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'CO-MS');
    expect(raised.data.message).toMatch(
      `milestone ${milestoneId} is already completed and cannot be removed`,
    );
  });

  it('refreshes the forecast on each AssignmentChanged, naming it as the trigger; the latest per assignment wins', async () => {
    const projectId = await createProject('FC');
    const publishAssignment = async (changes: Partial<AssignmentChanged>, occurredAt?: number) => {
      const event = createEvent(
        'AssignmentChanged',
        assignment(projectId, changes),
        { source: 'staffing' },
        occurredAt === undefined ? undefined : () => occurredAt,
      );
      await probe.publish(event);
      return (
        await probe.waitFor('ProjectForecastUpdated', (e) => e.data.triggerEventId === event.envelope.eventId)
      ).data;
    };
    const t0 = Date.now();
    expect(
      await publishAssignment({ assignmentId: 'A-FC-1', forecastCostMinor: 3_011_250 }, t0),
    ).toMatchObject({
      projectId,
      dealId: 'D-FC',
      currency: 'EUR',
      forecastRevenueMinor: 12_000_000,
      forecastCostMinor: 3_011_250,
      forecastMarginMinor: 8_988_750,
      triggerType: 'AssignmentChanged',
    });
    const second = await publishAssignment(
      { assignmentId: 'A-FC-2', role: 'Architect', status: 'PROPOSED', forecastCostMinor: 94_500 },
      t0 + 1,
    );
    expect(second).toMatchObject({ forecastCostMinor: 3_105_750, forecastMarginMinor: 8_894_250 });
    expect(second.refreshedAt).toBeGreaterThanOrEqual(t0);
    // A-FC-1 changes: the newer value replaces the older one.
    expect(
      await publishAssignment({ assignmentId: 'A-FC-1', forecastCostMinor: 1_000_000 }, t0 + 2),
    ).toMatchObject({ forecastCostMinor: 1_094_500 });
    // A late, older A-FC-1 event does not overwrite it (the forecast is still refreshed for it).
    expect(
      await publishAssignment({ assignmentId: 'A-FC-1', forecastCostMinor: 7_777_777 }, t0 + 1),
    ).toMatchObject({ forecastCostMinor: 1_094_500 });
    // Cancelled: no cost, whatever the event carries.
    expect(
      await publishAssignment(
        { assignmentId: 'A-FC-2', status: 'CANCELLED', forecastCostMinor: 94_500 },
        t0 + 3,
      ),
    ).toMatchObject({ forecastCostMinor: 1_000_000, forecastMarginMinor: 11_000_000 });

    expect((await get(`/projects/${projectId}/forecast`)).body).toEqual({
      projectId,
      dealId: 'D-FC',
      currency: 'EUR',
      planVersion: 1,
      forecastRevenueMinor: 12_000_000,
      forecastCostMinor: 1_000_000,
      forecastMarginMinor: 11_000_000,
      assignments: [
        { assignmentId: 'A-FC-1', status: 'CONFIRMED', forecastCostMinor: 1_000_000 },
        { assignmentId: 'A-FC-2', status: 'CANCELLED', forecastCostMinor: 0 },
      ],
    });
    expect((await get('/projects/PRJ-NOPE/forecast')).status).toBe(404);
    expect((await get('/projects/PRJ-NOPE/plan')).status).toBe(404);
  });
});
