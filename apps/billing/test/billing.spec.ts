import { BillingProvisioned, BillingType, ProjectCreated } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';

jest.setTimeout(60_000);

const fromProjectService = { source: 'project' };

function project(
  projectId: string,
  billingType: BillingType,
  overrides: Partial<ProjectCreated> = {},
): ProjectCreated {
  return {
    projectId,
    contractId: 'CTR-1',
    dealId: `D-${projectId}`,
    customerId: 'C-100',
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    billingType,
    templateId: 'TPL-1',
    name: 'Finance transformation (DE)',
    startDate: '2027-12-01',
    endDate: '2028-02-28',
    budgetMinor: 10_001,
    phases: [
      {
        phaseId: `${projectId}-PH1`,
        name: 'Discovery',
        startDate: '2027-12-01',
        endDate: '2027-12-30',
        milestones: [
          {
            milestoneId: `${projectId}-PH1-MS1`,
            name: 'Blueprint signed',
            dueDate: '2027-12-30',
            amountMinor: billingType === 'FIXED_FEE_MILESTONE' ? 3_333 : null,
            percentOfFee: 3_333,
          },
        ],
      },
      {
        phaseId: `${projectId}-PH2`,
        name: 'Build',
        startDate: '2027-12-31',
        endDate: '2028-02-28',
        milestones: [
          {
            milestoneId: `${projectId}-PH2-MS1`,
            name: 'Go-live',
            dueDate: '2028-02-28',
            amountMinor: billingType === 'FIXED_FEE_MILESTONE' ? 6_668 : null,
            percentOfFee: 6_667,
          },
        ],
      },
    ],
    roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 15_000, skills: [] }],
    // As created before ProjectCreated v2: priced from the legal entity's rate cards.
    rateCardId: null,
    ...overrides,
  };
}

const monthly = (scheduleId: string, label: string, amounts: (number | null)[]) =>
  ['2027-12-31', '2028-01-31', '2028-02-29'].map((dueDate, i) => ({
    itemId: `${scheduleId}-0${i + 1}`,
    description: `${label} ${dueDate.slice(0, 7)}`,
    dueDate,
    amountMinor: amounts[i],
    milestoneId: null,
  }));

describe('billing service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    service = await startTestService(AppModule.forConfig(config), config);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'BillingProvisioned',
      'BusinessExceptionRaised',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it.each<[BillingType, BillingProvisioned['revenueRule'], BillingProvisioned['scheduleItems']]>([
    ['TIME_AND_MATERIALS', 'AS_DELIVERED', monthly('BS-PRJ-TM', 'Time and materials', [null, null, null])],
    [
      'FIXED_FEE_PERCENT_COMPLETE',
      'PERCENT_COMPLETE_COST_TO_COST',
      monthly('BS-PRJ-PC', 'Progress billing', [null, null, null]),
    ],
    ['RETAINER', 'RETAINER_USAGE', monthly('BS-PRJ-RT', 'Retainer', [3_334, 3_334, 3_333])],
    [
      'FIXED_FEE_MILESTONE',
      'ON_MILESTONE',
      [
        {
          itemId: 'BS-PRJ-MS-01',
          description: 'Blueprint signed',
          dueDate: '2027-12-30',
          amountMinor: 3_333,
          milestoneId: 'PRJ-MS-PH1-MS1',
        },
        {
          itemId: 'BS-PRJ-MS-02',
          description: 'Go-live',
          dueDate: '2028-02-28',
          amountMinor: 6_668,
          milestoneId: 'PRJ-MS-PH2-MS1',
        },
      ],
    ],
  ])('provisions a %s project with revenue rule %s', async (billingType, revenueRule, scheduleItems) => {
    const projectId = {
      TIME_AND_MATERIALS: 'PRJ-TM',
      FIXED_FEE_PERCENT_COMPLETE: 'PRJ-PC',
      RETAINER: 'PRJ-RT',
      FIXED_FEE_MILESTONE: 'PRJ-MS',
    }[billingType];
    const created = createEvent('ProjectCreated', project(projectId, billingType), fromProjectService);
    await probe.publish(created);

    const provisioned = await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === projectId);
    const expected: BillingProvisioned = {
      projectId,
      dealId: `D-${projectId}`,
      billingScheduleId: `BS-${projectId}`,
      billingType,
      currency: 'EUR',
      revenueRule,
      scheduleItems,
    };
    expect(provisioned.data).toEqual(expected);
    expect(provisioned.envelope.key).toBe(projectId);
    expect(provisioned.envelope.correlationId).toBe(created.envelope.correlationId);
    expect(provisioned.envelope.causationId).toBe(created.envelope.eventId);

    const response = await fetch(`${service.url}/billing-schedules/${projectId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ...expected,
      budgetMinor: 10_001,
      scheduleItems: scheduleItems.map((item) => ({ ...item, completedOn: null, invoiceId: null })),
    });
  });

  it('splits a fixed fee by percentOfFee when the milestones carry no amounts', async () => {
    const unpriced = project('PRJ-PCT', 'FIXED_FEE_MILESTONE');
    unpriced.phases.forEach((phase) => phase.milestones.forEach((m) => (m.amountMinor = null)));
    await probe.publish(createEvent('ProjectCreated', unpriced, fromProjectService));
    const provisioned = await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-PCT');
    // 10001 × 33.33 % = 3333.33 → 3333; the last milestone takes the rest: 6668.
    expect(provisioned.data.scheduleItems.map((item) => [item.milestoneId, item.amountMinor])).toEqual([
      ['PRJ-PCT-PH1-MS1', 3_333],
      ['PRJ-PCT-PH2-MS1', 6_668],
    ]);
  });

  it('provisions once, however often ProjectCreated is delivered', async () => {
    const created = createEvent('ProjectCreated', project('PRJ-DUP', 'RETAINER'), fromProjectService);
    const again = createEvent('ProjectCreated', project('PRJ-DUP', 'RETAINER'), fromProjectService);
    await probe.publish(created, created, again);
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === 'PRJ-DUP');
    await settle();
    expect(probe.events('BillingProvisioned', (e) => e.data.projectId === 'PRJ-DUP')).toHaveLength(1);
    const schedule = (await (
      await fetch(`${service.url}/billing-schedules/PRJ-DUP`)
    ).json()) as BillingProvisioned;
    expect(schedule.scheduleItems.map((item) => item.amountMinor)).toEqual([3_334, 3_334, 3_333]);
  });

  it('raises a business exception for finance when milestone fees do not add up to the budget', async () => {
    const broken = project('PRJ-BAD', 'FIXED_FEE_MILESTONE', { budgetMinor: 20_000 });
    const created = createEvent('ProjectCreated', broken, fromProjectService);
    await probe.publish(created);
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'PRJ-BAD');
    expect(raised.data).toEqual({
      exceptionId: 'EXC-BS-PRJ-BAD-INVALID_MILESTONE_FEES',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Project',
      entityId: 'PRJ-BAD',
      dealId: 'D-PRJ-BAD',
      code: 'INVALID_MILESTONE_FEES',
      message: 'Project PRJ-BAD: milestone fees come to 10001 EUR minor units, the budget is 20000',
      remediation:
        'Correct the billing terms of project PRJ-BAD with delivery and set up its billing schedule in the ERP',
      details: { billingType: 'FIXED_FEE_MILESTONE', budgetMinor: '20000' },
    });
    expect(raised.envelope.correlationId).toBe(created.envelope.correlationId);
    expect(probe.events('BillingProvisioned', (e) => e.data.projectId === 'PRJ-BAD')).toEqual([]);
    expect((await fetch(`${service.url}/billing-schedules/PRJ-BAD`)).status).toBe(404);
  });

  it('raises a business exception when milestone percentages come to 90 %, instead of billing the rest on the last', async () => {
    // 30 % + 60 % = 90 % of 10,001: the old rule billed 3,000 and 10,001 − 3,000 = 7,001 (70 %).
    const short = project('PRJ-90', 'FIXED_FEE_MILESTONE');
    const [first, second] = short.phases.map((phase) => phase.milestones[0]);
    Object.assign(first, { amountMinor: null, percentOfFee: 3_000 });
    Object.assign(second, { amountMinor: null, percentOfFee: 6_000 });
    await probe.publish(createEvent('ProjectCreated', short, fromProjectService));
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'PRJ-90');
    expect(raised.data).toMatchObject({
      code: 'INVALID_MILESTONE_FEES',
      ownerRole: 'FINANCE_OPERATIONS',
      message:
        'Project PRJ-90: milestone fees come to 0 EUR minor units plus 90.00 % of the budget 10001, not 100 % of it',
    });
    expect((await fetch(`${service.url}/billing-schedules/PRJ-90`)).status).toBe(404);
  });

  it('answers an unknown project with 404 and a reason', async () => {
    const response = await fetch(`${service.url}/billing-schedules/PRJ-NOPE`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      status: 404,
      detail: 'No billing schedule for project PRJ-NOPE',
    });
  });
});
