import { epochDay } from '@throughline/calendar';
import { BILLING_TYPES } from '@throughline/contracts';
import { MessagingRuntime } from '@throughline/messaging';
import { EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { DealView } from '../src/application/deal-query.service';
import {
  customer,
  dealLine,
  dealWon,
  legalEntity,
  projectSetupEvents,
  published,
  rateCard,
  template,
  uniqueId,
} from './fixtures';

jest.setTimeout(90_000);

const settle = (ms = 1_500) => new Promise((resolve) => setTimeout(resolve, ms));

describe('contract service against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;

  // Master data most tests share: an active customer, a German and a British legal entity with
  // rate cards, and one template per billing type.
  const acme = customer();
  const leDe = legalEntity();
  const leUk = legalEntity({ legalEntityId: uniqueId('LE-UK'), country: 'GB', currency: 'GBP' });
  const rcDe = rateCard(leDe.legalEntityId);
  const rcUk = rateCard(leUk.legalEntityId, {
    currency: 'GBP',
    rates: [{ role: 'Architect', rateMinor: 17_500, costRateMinor: null }],
  });
  const templates = BILLING_TYPES.map(template);
  const tmTemplate = templates[0];

  beforeAll(async () => {
    const config = testServiceConfig('contract');
    service = await startTestService(
      AppModule.forConfig(config, { deadlineMs: 15 * 60_000, deadlineCheckMs: 1_000 }),
      config,
    );
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'ContractApproved',
      'BusinessExceptionRaised',
      'BusinessExceptionResolved',
      'ProjectSetupCompleted',
      'DealState',
      'ContractState',
    ]);
    await probe.publish(
      published('CustomerUpserted', acme),
      published('LegalEntityUpserted', leDe),
      published('LegalEntityUpserted', leUk),
      published('RateCardUpserted', rcDe),
      published('RateCardUpserted', rcUk),
      ...templates.map((data) => published('ProjectTemplateUpserted', data)),
    );
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const approvalOf = (dealId: string) =>
    probe.waitFor('ContractApproved', (event) => event.data.dealId === dealId);
  const raisedFor = (dealId: string) =>
    probe.events('BusinessExceptionRaised', (e) => e.data.dealId === dealId);
  const getDeal = async (dealId: string) => {
    const response = await fetch(`${service.url}/deals/${encodeURIComponent(dealId)}`);
    return { status: response.status, body: (await response.json()) as DealView };
  };

  it('approves a deal for each billing type, with the template billing type and exact budgets', async () => {
    const deals = templates.map((tpl, index) =>
      dealWon({
        customerId: acme.customerId,
        templateId: tpl.templateId,
        lines: [
          dealLine(leDe.legalEntityId, { amountMinor: 1_234_567 + index, hoursHundredths: 8_250 }),
          dealLine(leDe.legalEntityId, { role: 'Architect', amountMinor: 999_999, hoursHundredths: 4_000 }),
        ],
      }),
    );
    const records = deals.map((data) => published('DealWon', data));
    await probe.publish(...records);

    for (const [index, deal] of deals.entries()) {
      const approved = await approvalOf(deal.dealId);
      expect(approved.envelope.correlationId).toBe(records[index]?.envelope.correlationId);
      expect(approved.envelope.source).toBe('contract');
      expect(approved.data).toEqual({
        contractId: `CTR-${deal.dealId}`,
        dealId: deal.dealId,
        customerId: acme.customerId,
        templateId: templates[index]?.templateId,
        billingType: BILLING_TYPES[index],
        dealName: 'Finance transformation',
        startDate: '2026-03-31',
        deliveries: [
          {
            legalEntityId: leDe.legalEntityId,
            currency: 'EUR',
            country: 'DE',
            rateCardId: rcDe.rateCardId,
            budgetMinor: 2_234_566 + index,
            lines: deal.lines.map(({ lineId, role, hoursHundredths, amountMinor }) => ({
              lineId,
              role,
              hoursHundredths,
              amountMinor,
            })),
          },
        ],
      });
    }
  });

  it('splits a two-legal-entity deal into one delivery per legal entity, in their currencies', async () => {
    const deal = dealWon(
      {
        customerId: acme.customerId,
        templateId: tmTemplate.templateId,
        lines: [
          dealLine(leUk.legalEntityId, { role: 'Architect', currency: 'GBP', amountMinor: 700_001 }),
          dealLine(leDe.legalEntityId, { amountMinor: 1_500_000 }),
          dealLine(leUk.legalEntityId, { role: 'Architect', currency: 'GBP', amountMinor: 299_999 }),
        ],
      },
      { closeDate: '2026-03-28' }, // a Saturday
    );
    await probe.publish(published('DealWon', deal));
    const approved = await approvalOf(deal.dealId);
    expect(approved.data.startDate).toBe('2026-03-30');
    expect(
      approved.data.deliveries.map((delivery) => ({
        ...delivery,
        lines: delivery.lines.map((line) => line.lineId),
      })),
    ).toEqual([
      {
        legalEntityId: leUk.legalEntityId,
        currency: 'GBP',
        country: 'GB',
        rateCardId: rcUk.rateCardId,
        budgetMinor: 1_000_000,
        lines: [deal.lines[0]?.lineId, deal.lines[2]?.lineId],
      },
      {
        legalEntityId: leDe.legalEntityId,
        currency: 'EUR',
        country: 'DE',
        rateCardId: rcDe.rateCardId,
        budgetMinor: 1_500_000,
        lines: [deal.lines[1]?.lineId],
      },
    ]);
  });

  it('holds a deal without a rate card for sales operations, and resumes when the card arrives', async () => {
    const leFr = legalEntity({ legalEntityId: uniqueId('LE-FR'), country: 'FR' });
    await probe.publish(published('LegalEntityUpserted', leFr));
    const deal = dealWon({
      customerId: acme.customerId,
      templateId: tmTemplate.templateId,
      lines: [dealLine(leFr.legalEntityId, { role: 'Architect', amountMinor: 4_000_000 })],
    });
    const won = published('DealWon', deal);
    await probe.publish(won);

    const exceptionId = `${deal.dealId}:MISSING_RATE_CARD:${leFr.legalEntityId}/EUR`;
    const raised = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.exceptionId === exceptionId);
    expect(raised.envelope.correlationId).toBe(won.envelope.correlationId);
    expect(raised.data).toEqual({
      exceptionId,
      ownerRole: 'SALES_OPERATIONS',
      entityType: 'Deal',
      entityId: deal.dealId,
      dealId: deal.dealId,
      code: 'MISSING_RATE_CARD',
      message: `No rate card for legal entity ${leFr.legalEntityId} in EUR is effective on 2026-03-31, the close date of deal ${deal.dealId}`,
      remediation:
        `Publish the rate card from the ERP: PUT /erp/rate-cards/{rateCardId} on ingress with ` +
        `{"legalEntityId":"${leFr.legalEntityId}","currency":"EUR","effectiveFrom":"<2026-03-31 or earlier>",` +
        `"effectiveTo":<null, or 2026-03-31 or later>,"rates":[{"role":"Architect","rateMinor":<hourly bill ` +
        `rate in EUR minor units>}]}. The deal is re-evaluated automatically when the change arrives.`,
      details: {
        legalEntityId: leFr.legalEntityId,
        currency: 'EUR',
        effectiveOn: '2026-03-31',
        roles: 'Architect',
      },
    });
    const pendingState = await probe.waitFor(
      'DealState',
      (e) => e.data.dealId === deal.dealId && e.data.openExceptionCodes.length > 0,
    );
    expect(pendingState.envelope.key).toBe(deal.dealId);
    expect(pendingState.data).toMatchObject({
      status: 'PENDING',
      openExceptionCodes: ['MISSING_RATE_CARD'],
      setupStatus: 'IN_PROGRESS',
      approvedAt: null,
      amountMinor: deal.amountMinor,
      legalEntityIds: [leFr.legalEntityId],
    });
    await settle();
    expect(probe.events('ContractApproved', (e) => e.data.dealId === deal.dealId)).toEqual([]);
    expect(probe.events('ContractState', (e) => e.data.dealId === deal.dealId)).toEqual([]);
    const pending = await getDeal(deal.dealId);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ status: 'PENDING', contract: null, approvedAt: null });
    expect(pending.body.openGaps.map((gap) => gap.exceptionId)).toContain(exceptionId);
    expect(pending.body.setup).toMatchObject({
      status: 'IN_PROGRESS',
      stage: 'AWAITING_CONTRACT_APPROVAL',
      deadlineAt: null,
    });

    // An expired card does not help; the card effective on the close date does.
    const expired = rateCard(leFr.legalEntityId, { effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31' });
    const current = rateCard(leFr.legalEntityId, { effectiveFrom: '2026-03-01' });
    const fix = published('RateCardUpserted', current);
    await probe.publish(published('RateCardUpserted', expired), fix);

    const resolved = await probe.waitFor(
      'BusinessExceptionResolved',
      (e) => e.data.exceptionId === exceptionId,
    );
    expect(resolved.data).toMatchObject({ entityType: 'Deal', entityId: deal.dealId, dealId: deal.dealId });
    const approved = await approvalOf(deal.dealId);
    expect(approved.envelope.correlationId).toBe(won.envelope.correlationId);
    expect(approved.envelope.causationId).toBe(fix.envelope.eventId);
    expect(approved.data.deliveries).toEqual([
      expect.objectContaining({
        legalEntityId: leFr.legalEntityId,
        rateCardId: current.rateCardId,
        budgetMinor: 4_000_000,
      }),
    ]);
    const after = await getDeal(deal.dealId);
    expect(after.body).toMatchObject({
      status: 'APPROVED',
      openGaps: [],
      contract: approved.data,
      setup: { stage: 'AWAITING_PROJECTS' },
    });
    expect(after.body.resolvedGaps).toEqual([
      expect.objectContaining({ exceptionId, resolvedAt: expect.any(String) }),
    ]);
    expect(raisedFor(deal.dealId).filter((e) => e.data.exceptionId === exceptionId)).toHaveLength(1);
    const approvedState = await probe.waitFor(
      'DealState',
      (e) => e.data.dealId === deal.dealId && e.data.status === 'APPROVED',
    );
    expect(approvedState.data).toMatchObject({
      openExceptionCodes: [],
      contractId: approved.data.contractId,
    });
    expect(approvedState.data.approvedAt).toEqual(expect.any(Number));
    const contractState = await probe.waitFor('ContractState', (e) => e.data.dealId === deal.dealId);
    expect(contractState.envelope.key).toBe(approved.data.contractId);
    const { startDate, ...terms } = approved.data;
    expect(contractState.data).toEqual({
      ...terms,
      startDate: startDate === null ? null : epochDay(startDate),
      approvedAt: approvedState.data.approvedAt,
    });
  });

  it('routes a missing tax registration to finance operations, and a role missing from the card to sales', async () => {
    const leNl = legalEntity({ legalEntityId: uniqueId('LE-NL'), country: 'NL', taxRegistrationId: null });
    const rcNl = rateCard(leNl.legalEntityId, {
      rates: [{ role: 'Consultant', rateMinor: 14_000, costRateMinor: null }],
    });
    await probe.publish(published('LegalEntityUpserted', leNl), published('RateCardUpserted', rcNl));
    const deal = dealWon({
      customerId: acme.customerId,
      templateId: tmTemplate.templateId,
      lines: [dealLine(leNl.legalEntityId), dealLine(leNl.legalEntityId, { role: 'Designer' })],
    });
    await probe.publish(published('DealWon', deal));

    const taxId = `${deal.dealId}:MISSING_TAX_REGISTRATION:${leNl.legalEntityId}`;
    const roleId = `${deal.dealId}:ROLE_NOT_ON_RATE_CARD:${rcNl.rateCardId}/Designer`;
    const tax = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.exceptionId === taxId);
    expect(tax.data).toMatchObject({
      ownerRole: 'FINANCE_OPERATIONS',
      code: 'MISSING_TAX_REGISTRATION',
      remediation: expect.stringContaining(`PUT /erp/legal-entities/${leNl.legalEntityId} on ingress`),
      details: { legalEntityId: leNl.legalEntityId, country: 'NL' },
    });
    const role = await probe.waitFor('BusinessExceptionRaised', (e) => e.data.exceptionId === roleId);
    expect(role.data).toMatchObject({
      ownerRole: 'SALES_OPERATIONS',
      code: 'ROLE_NOT_ON_RATE_CARD',
      details: {
        rateCardId: rcNl.rateCardId,
        legalEntityId: leNl.legalEntityId,
        currency: 'EUR',
        role: 'Designer',
      },
    });

    // Fixing one gap resolves it alone; fixing the other approves.
    await probe.publish(published('LegalEntityUpserted', { ...leNl, taxRegistrationId: 'NL001234567B01' }));
    await probe.waitFor('BusinessExceptionResolved', (e) => e.data.exceptionId === taxId);
    await settle();
    expect(probe.events('ContractApproved', (e) => e.data.dealId === deal.dealId)).toEqual([]);
    expect(probe.events('BusinessExceptionResolved', (e) => e.data.exceptionId === roleId)).toEqual([]);

    const withDesigner = {
      ...rcNl,
      rates: [...rcNl.rates, { role: 'Designer', rateMinor: 9_000, costRateMinor: null }],
    };
    await probe.publish(published('RateCardUpserted', withDesigner));
    await probe.waitFor('BusinessExceptionResolved', (e) => e.data.exceptionId === roleId);
    expect((await approvalOf(deal.dealId)).data.deliveries[0]?.rateCardId).toBe(rcNl.rateCardId);
    for (const exceptionId of [taxId, roleId])
      expect(raisedFor(deal.dealId).filter((e) => e.data.exceptionId === exceptionId)).toHaveLength(1);
  });

  it('routes an unknown customer and template to master data and delivery', async () => {
    const deal = dealWon({
      customerId: uniqueId('C-NEW'),
      templateId: uniqueId('TPL-NEW'),
      lines: [dealLine(leDe.legalEntityId)],
    });
    await probe.publish(published('DealWon', deal));
    const customerGap = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.exceptionId === `${deal.dealId}:UNKNOWN_CUSTOMER:${deal.customerId}`,
    );
    expect(customerGap.data.ownerRole).toBe('MASTER_DATA');
    const templateGap = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.exceptionId === `${deal.dealId}:UNKNOWN_TEMPLATE:${deal.templateId}`,
    );
    expect(templateGap.data.ownerRole).toBe('DELIVERY');

    await probe.publish(
      published('CustomerUpserted', { ...customer(), customerId: deal.customerId }),
      published('ProjectTemplateUpserted', { ...template('RETAINER'), templateId: deal.templateId }),
    );
    expect((await approvalOf(deal.dealId)).data.billingType).toBe('RETAINER');
  });

  it('approves a deal once however often DealWon arrives', async () => {
    const deal = dealWon({
      customerId: acme.customerId,
      templateId: tmTemplate.templateId,
      lines: [dealLine(leDe.legalEntityId)],
    });
    const won = published('DealWon', deal);
    const resent = published('DealWon', { ...deal, crmDeliveryId: uniqueId('hs-delivery') });
    await probe.publish(won, won, resent);
    await approvalOf(deal.dealId);
    await settle(2_000);
    expect(probe.events('ContractApproved', (e) => e.data.dealId === deal.dealId)).toHaveLength(1);
  });

  it('tracks project setup to READY when every project has staffing demand and billing, in any order', async () => {
    const deal = dealWon({
      customerId: acme.customerId,
      templateId: tmTemplate.templateId,
      lines: [
        dealLine(leDe.legalEntityId),
        dealLine(leUk.legalEntityId, { role: 'Architect', currency: 'GBP' }),
      ],
    });
    const won = published('DealWon', deal);
    await probe.publish(won);
    const approved = await approvalOf(deal.dealId);
    const [projectDe, projectUk] = [leDe, leUk].map((le) => `PRJ-${deal.dealId}-${le.legalEntityId}`);
    const flow = { correlationId: approved.envelope.correlationId, causationId: approved.envelope.eventId };
    const de = projectSetupEvents(
      { dealId: deal.dealId, projectId: projectDe, legalEntityId: leDe.legalEntityId },
      flow,
    );
    const uk = projectSetupEvents(
      { dealId: deal.dealId, projectId: projectUk, legalEntityId: leUk.legalEntityId },
      flow,
    );

    // Billing and staffing can be recorded before the project they belong to.
    await probe.publish(uk.billed, uk.staffed, de.created, de.staffed, de.billed);
    await settle();
    expect(probe.events('ProjectSetupCompleted', (e) => e.data.dealId === deal.dealId)).toEqual([]);
    const waiting = await getDeal(deal.dealId);
    expect(waiting.body.setup).toMatchObject({
      status: 'IN_PROGRESS',
      stage: 'AWAITING_PROJECTS',
      missing: [`ProjectCreated for legal entity ${leUk.legalEntityId}`, `ProjectCreated for ${projectUk}`],
    });

    await probe.publish(uk.created);
    const completed = await probe.waitFor('ProjectSetupCompleted', (e) => e.data.dealId === deal.dealId);
    expect(completed.envelope.correlationId).toBe(won.envelope.correlationId);
    expect(completed.data).toEqual({
      dealId: deal.dealId,
      projectIds: [projectDe, projectUk],
      status: 'READY',
      completedAt: expect.any(Number),
    });

    const readyState = await probe.waitFor(
      'DealState',
      (e) => e.data.dealId === deal.dealId && e.data.setupStatus === 'READY',
    );
    expect(readyState.data).toMatchObject({
      projectIds: [projectDe, projectUk].sort(),
      setupCompletedAt: completed.data.completedAt,
    });
    const ready = await getDeal(deal.dealId);
    expect(ready.body.setup).toMatchObject({ status: 'READY', stage: 'COMPLETE', missing: [] });
    expect(ready.body.setup.completedAt).toBe(new Date(completed.data.completedAt).toISOString());
    expect(ready.body.setup.steps.map((step) => [step.step, step.projectId, typeof step.at])).toEqual([
      ['DEAL_WON', null, 'string'],
      ['CONTRACT_APPROVED', null, 'string'],
      ['PROJECT_CREATED', projectDe, 'string'],
      ['STAFFING_DEMAND_PUBLISHED', projectDe, 'string'],
      ['BILLING_PROVISIONED', projectDe, 'string'],
      ['PROJECT_CREATED', projectUk, 'string'],
      ['STAFFING_DEMAND_PUBLISHED', projectUk, 'string'],
      ['BILLING_PROVISIONED', projectUk, 'string'],
      ['READY', null, 'string'],
    ]);

    // A late duplicate changes nothing.
    await probe.publish(published('StaffingDemandPublished', de.staffed.data));
    await settle();
    expect(probe.events('ProjectSetupCompleted', (e) => e.data.dealId === deal.dealId)).toHaveLength(1);
  });

  it('answers an unknown deal with 404 and a reason, and reports health', async () => {
    const unknown = await getDeal('NO-SUCH-DEAL');
    expect(unknown).toEqual({
      status: 404,
      body: expect.objectContaining({
        type: 'urn:throughline:problem:not-found',
        status: 404,
        detail: 'Unknown deal NO-SUCH-DEAL: no DealWon was received for it',
      }),
    });
    expect(await (await fetch(`${service.url}/health/ready`)).json()).toEqual({ status: 'ready' });
  });
});
