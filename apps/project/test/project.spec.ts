import {
  BillingType,
  ContractApproved,
  ProjectCreated,
  ProjectTemplateUpserted,
  RateCardUpserted,
} from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe, eventually } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { PROJECT_DB } from '../src/application/project.service';
import { ProjectDb } from '../src/infrastructure/project-db';

jest.setTimeout(60_000);

const ingress = { source: 'ingress' };
const contractService = { source: 'contract' };

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

function rateCard(rateCardId: string, legalEntityId: string, currency: string): RateCardUpserted {
  return {
    rateCardId,
    legalEntityId,
    currency,
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    rates: [
      { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
      { role: 'Architect', rateMinor: 20_000, costRateMinor: 9_000 },
    ],
    upsertedBy: null,
  };
}

function contract(id: string, templateId: string, billingType: BillingType): ContractApproved {
  return {
    contractId: `CTR-${id}`,
    dealId: `D-${id}`,
    customerId: 'C-100',
    templateId,
    billingType,
    dealName: 'Finance transformation',
    startDate: '2026-12-01',
    deliveries: [
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        country: 'DE',
        rateCardId: `RC-DE-${id}`,
        budgetMinor: 10_001,
        lines: [
          { lineId: 'l1', role: 'Consultant', hoursHundredths: 40_000, amountMinor: 6_000 },
          { lineId: 'l2', role: 'Architect', hoursHundredths: 1_050, amountMinor: 2_001 },
          { lineId: 'l3', role: 'Consultant', hoursHundredths: 150, amountMinor: 2_000 },
        ],
      },
    ],
  };
}

const phasesFrom20261201 = (projectId: string, amounts: (number | null)[]) => [
  {
    phaseId: `${projectId}-PH1`,
    name: 'Discovery',
    startDate: '2026-12-01',
    endDate: '2026-12-30',
    milestones: [
      {
        milestoneId: `${projectId}-PH1-MS1`,
        name: 'Blueprint signed',
        dueDate: '2026-12-30',
        amountMinor: amounts[0],
        percentOfFee: 3_333,
      },
    ],
  },
  {
    phaseId: `${projectId}-PH2`,
    name: 'Build',
    startDate: '2026-12-31',
    endDate: '2027-02-28',
    milestones: [
      {
        milestoneId: `${projectId}-PH2-MS1`,
        name: 'Build complete',
        dueDate: '2027-02-13',
        amountMinor: amounts[1],
        percentOfFee: 3_333,
      },
      {
        milestoneId: `${projectId}-PH2-MS2`,
        name: 'Go-live',
        dueDate: '2027-02-28',
        amountMinor: amounts[2],
        percentOfFee: 3_334,
      },
    ],
  },
];

describe('project service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let db: ProjectDb;

  beforeAll(async () => {
    const config = testServiceConfig('project');
    service = await startTestService(AppModule.forConfig(config), config);
    db = service.app.get<ProjectDb>(PROJECT_DB);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'ProjectCreated',
      'BusinessExceptionRaised',
      'BusinessExceptionResolved',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const projectsOf = (dealId: string) => probe.events('ProjectCreated', (e) => e.data.dealId === dealId);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it.each<[BillingType, (number | null)[]]>([
    ['FIXED_FEE_MILESTONE', [3_333, 3_333, 3_335]],
    ['TIME_AND_MATERIALS', [null, null, null]],
    ['FIXED_FEE_PERCENT_COMPLETE', [null, null, null]],
    ['RETAINER', [null, null, null]],
  ])('creates a %s project from the contract, template and rate card', async (billingType, amounts) => {
    const id = `BT-${billingType}`;
    const approved = createEvent('ContractApproved', contract(id, `TPL-${id}`, billingType), contractService);
    await probe.publish(
      createEvent('ProjectTemplateUpserted', template(`TPL-${id}`, billingType), ingress),
      createEvent('RateCardUpserted', rateCard(`RC-DE-${id}`, 'LE-DE', 'EUR'), ingress),
      approved,
    );
    const created = await probe.waitFor('ProjectCreated', (e) => e.data.dealId === `D-${id}`);
    const projectId = `PRJ-D-${id}-LE-DE`;
    const expected: ProjectCreated = {
      projectId,
      contractId: `CTR-${id}`,
      dealId: `D-${id}`,
      customerId: 'C-100',
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      billingType,
      templateId: `TPL-${id}`,
      name: 'Finance transformation (DE)',
      startDate: '2026-12-01',
      endDate: '2027-02-28',
      budgetMinor: 10_001,
      phases: phasesFrom20261201(projectId, amounts),
      roles: [
        { role: 'Consultant', hoursHundredths: 40_150, rateMinor: 15_000, skills: [] },
        { role: 'Architect', hoursHundredths: 1_050, rateMinor: 20_000, skills: [] },
      ],
      // The delivery's rate card (ProjectCreated v2): billing prices the project's time from it.
      rateCardId: `RC-DE-${id}`,
    };
    expect(created.data).toEqual(expected);
    expect(created.envelope.key).toBe(projectId);
    expect(created.envelope.correlationId).toBe(approved.envelope.correlationId);
    expect(created.envelope.causationId).toBe(approved.envelope.eventId);

    const response = await fetch(`${service.url}/projects/${projectId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expected);
  });

  it('creates one project per delivering legal entity, and none twice when the contract is redelivered or re-approved', async () => {
    const base = contract('MULTI', 'TPL-MULTI', 'FIXED_FEE_MILESTONE');
    const twoEntities: ContractApproved = {
      ...base,
      deliveries: [
        base.deliveries[0],
        {
          legalEntityId: 'LE-UK',
          currency: 'GBP',
          country: 'GB',
          rateCardId: 'RC-UK-MULTI',
          budgetMinor: 3_000_000,
          lines: [{ lineId: 'l4', role: 'Architect', hoursHundredths: 10_000, amountMinor: 3_000_000 }],
        },
      ],
    };
    const approved = createEvent('ContractApproved', twoEntities, contractService);
    await probe.publish(
      createEvent('ProjectTemplateUpserted', template('TPL-MULTI', 'FIXED_FEE_MILESTONE'), ingress),
      createEvent('RateCardUpserted', rateCard('RC-DE-MULTI', 'LE-DE', 'EUR'), ingress),
      createEvent('RateCardUpserted', rateCard('RC-UK-MULTI', 'LE-UK', 'GBP'), ingress),
      approved,
      approved,
    );
    await eventually(() => (projectsOf('D-MULTI').length >= 2 ? true : undefined));
    await probe.publish(createEvent('ContractApproved', twoEntities, contractService));
    await settle();

    const created = projectsOf('D-MULTI').map((e) => e.data);
    expect(created.map((p) => p.projectId).sort()).toEqual(['PRJ-D-MULTI-LE-DE', 'PRJ-D-MULTI-LE-UK']);
    const uk = created.find((p) => p.legalEntityId === 'LE-UK');
    expect(uk).toMatchObject({
      name: 'Finance transformation (GB)',
      currency: 'GBP',
      budgetMinor: 3_000_000,
      roles: [{ role: 'Architect', hoursHundredths: 10_000, rateMinor: 20_000, skills: [] }],
    });
    expect(uk?.phases.flatMap((phase) => phase.milestones.map((m) => m.amountMinor))).toEqual([
      999_900, 999_900, 1_000_200,
    ]);

    const listed = await fetch(`${service.url}/projects?dealId=D-MULTI`);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as ProjectCreated[];
    expect(body.map((p) => [p.projectId, p.currency, p.budgetMinor])).toEqual([
      ['PRJ-D-MULTI-LE-DE', 'EUR', 10_001],
      ['PRJ-D-MULTI-LE-UK', 'GBP', 3_000_000],
    ]);
  });

  it('keeps a contract pending until its template arrives, then creates the projects in the contract flow', async () => {
    const v1Style = {
      ...contract('LATE', 'TPL-LATE', 'TIME_AND_MATERIALS'),
      startDate: null,
      dealName: null,
    };
    const approvedAt = Date.UTC(2028, 1, 1, 23, 30); // 2028-02-01, leap year
    const approved = createEvent('ContractApproved', v1Style, contractService, () => approvedAt);
    await probe.publish(
      createEvent('RateCardUpserted', rateCard('RC-DE-LATE', 'LE-DE', 'EUR'), ingress),
      approved,
    );

    const pending = await eventually(async () => {
      const row = await db.pendingContract.findUnique({ where: { contractId: 'CTR-LATE' } });
      return row?.waitingFor.length === 1 ? row : undefined;
    });
    expect(pending.waitingFor).toEqual(['project template TPL-LATE']);
    expect(projectsOf('D-LATE')).toEqual([]);
    expect((await fetch(`${service.url}/projects/PRJ-D-LATE-LE-DE`)).status).toBe(404);

    await probe.publish(
      createEvent('ProjectTemplateUpserted', template('TPL-LATE', 'TIME_AND_MATERIALS'), ingress),
    );
    const created = await probe.waitFor('ProjectCreated', (e) => e.data.dealId === 'D-LATE');
    expect(created.data).toMatchObject({
      projectId: 'PRJ-D-LATE-LE-DE',
      name: 'D-LATE (DE)',
      startDate: '2028-02-01',
      endDate: '2028-04-30',
    });
    expect(created.envelope.correlationId).toBe(approved.envelope.correlationId);
    expect(created.envelope.causationId).toBe(approved.envelope.eventId);
    expect(await db.pendingContract.count({ where: { contractId: 'CTR-LATE' } })).toBe(0);

    // A later template change does not touch projects already created.
    await probe.publish(createEvent('ProjectTemplateUpserted', template('TPL-LATE', 'RETAINER'), ingress));
    await settle();
    expect(projectsOf('D-LATE')).toHaveLength(1);
  });

  it('raises a business exception for a rate card without a needed role, and resolves it when the card is fixed', async () => {
    const incomplete = { ...rateCard('RC-DE-GAP', 'LE-DE', 'EUR') };
    incomplete.rates = incomplete.rates.filter((rate) => rate.role !== 'Architect');
    const approved = createEvent('ContractApproved', contract('GAP', 'TPL-GAP', 'RETAINER'), contractService);
    await probe.publish(
      createEvent('ProjectTemplateUpserted', template('TPL-GAP', 'RETAINER'), ingress),
      createEvent('RateCardUpserted', incomplete, ingress),
      approved,
    );
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.entityId === 'CTR-GAP');
    expect(raised.data).toEqual({
      exceptionId: 'EXC-CTR-GAP-INCOMPLETE_RATE_CARD:RC-DE-GAP',
      ownerRole: 'MASTER_DATA',
      entityType: 'Contract',
      entityId: 'CTR-GAP',
      dealId: 'D-GAP',
      code: 'INCOMPLETE_RATE_CARD',
      message: 'Rate card RC-DE-GAP cannot price contract CTR-GAP: it has no rate for Architect',
      remediation: 'Correct rate card RC-DE-GAP in the ERP; the projects are created when it is republished',
      details: { rateCardId: 'RC-DE-GAP', legalEntityId: 'LE-DE', missingRoles: 'Architect' },
    });
    expect(raised.envelope.correlationId).toBe(approved.envelope.correlationId);

    await probe.publish(createEvent('RateCardUpserted', rateCard('RC-DE-GAP', 'LE-DE', 'EUR'), ingress));
    const created = await probe.waitFor('ProjectCreated', (e) => e.data.dealId === 'D-GAP');
    expect(created.data.roles).toEqual([
      { role: 'Consultant', hoursHundredths: 40_150, rateMinor: 15_000, skills: [] },
      { role: 'Architect', hoursHundredths: 1_050, rateMinor: 20_000, skills: [] },
    ]);
    const resolved = await probe.waitFor('BusinessExceptionResolved', (e) => e.data.entityId === 'CTR-GAP');
    expect(resolved.data).toEqual({
      exceptionId: 'EXC-CTR-GAP-INCOMPLETE_RATE_CARD:RC-DE-GAP',
      entityType: 'Contract',
      entityId: 'CTR-GAP',
      dealId: 'D-GAP',
      resolution: 'The reference data was corrected',
    });
    await settle();
    expect(probe.events('BusinessExceptionRaised', (e) => e.data.entityId === 'CTR-GAP')).toHaveLength(1);
  });

  it('keeps the newest master data when an older record arrives late', async () => {
    const newer = { ...template('TPL-STALE', 'TIME_AND_MATERIALS'), durationDays: 120 };
    const older = template('TPL-STALE', 'TIME_AND_MATERIALS');
    await probe.publish(
      createEvent('ProjectTemplateUpserted', newer, ingress, () => Date.UTC(2026, 5, 2)),
      createEvent('ProjectTemplateUpserted', older, ingress, () => Date.UTC(2026, 5, 1)),
      createEvent('RateCardUpserted', rateCard('RC-DE-STALE', 'LE-DE', 'EUR'), ingress),
    );
    await eventually(async () =>
      (await db.rateCard.count({ where: { rateCardId: 'RC-DE-STALE' } })) === 1 ? true : undefined,
    );
    await probe.publish(
      createEvent('ContractApproved', contract('STALE', 'TPL-STALE', 'TIME_AND_MATERIALS'), contractService),
    );
    const created = await probe.waitFor('ProjectCreated', (e) => e.data.dealId === 'D-STALE');
    expect(created.data.endDate).toBe('2027-03-30'); // 120 days from 2026-12-01
  });

  it('answers unknown projects with 404 and a missing deal id with 400', async () => {
    const missing = await fetch(`${service.url}/projects/PRJ-NOPE`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, detail: 'Unknown project PRJ-NOPE' });
    const noDeal = await fetch(`${service.url}/projects`);
    expect(noDeal.status).toBe(400);
    expect(((await noDeal.json()) as { error: string }).error).toMatch(/dealId/);
    expect(await (await fetch(`${service.url}/projects?dealId=D-NONE`)).json()).toEqual([]);
  });
});
