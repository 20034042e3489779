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
} from './fixtures';

jest.setTimeout(90_000);

const DEADLINE_MS = 4_000;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('project setup deadline against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  const acme = customer();
  const leDe = legalEntity();
  const rcDe = rateCard(leDe.legalEntityId);
  const tm = template('TIME_AND_MATERIALS');

  beforeAll(async () => {
    const config = testServiceConfig('contract');
    service = await startTestService(
      AppModule.forConfig(config, { deadlineMs: DEADLINE_MS, deadlineCheckMs: 200 }),
      config,
    );
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'ContractApproved',
      'BusinessExceptionRaised',
      'BusinessExceptionResolved',
      'ProjectSetupCompleted',
    ]);
    await probe.publish(
      published('CustomerUpserted', acme),
      published('LegalEntityUpserted', leDe),
      published('RateCardUpserted', rcDe),
      published('ProjectTemplateUpserted', tm),
    );
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const approve = async () => {
    const deal = dealWon({
      customerId: acme.customerId,
      templateId: tm.templateId,
      lines: [dealLine(leDe.legalEntityId)],
    });
    const won = published('DealWon', deal);
    await probe.publish(won);
    const approved = await probe.waitFor('ContractApproved', (e) => e.data.dealId === deal.dealId);
    const steps = projectSetupEvents(
      { dealId: deal.dealId, projectId: `PRJ-${deal.dealId}`, legalEntityId: leDe.legalEntityId },
      { correlationId: approved.envelope.correlationId, causationId: approved.envelope.eventId },
    );
    return { deal, won, steps };
  };
  const overdueOf = (dealId: string) => (e: { data: { dealId: string | null; code: string } }) =>
    e.data.dealId === dealId && e.data.code === 'SETUP_OVERDUE';
  const outcomes = (dealId: string) => probe.events('ProjectSetupCompleted', (e) => e.data.dealId === dealId);

  it('declares a late setup OVERDUE once, for delivery, and resolves it when setup completes', async () => {
    const { deal, won, steps } = await approve();
    await probe.publish(steps.created, steps.billed);

    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      overdueOf(deal.dealId),
      DEADLINE_MS + 10_000,
    );
    expect(raised.envelope.correlationId).toBe(won.envelope.correlationId);
    expect(raised.data).toMatchObject({
      exceptionId: `${deal.dealId}:SETUP_OVERDUE`,
      ownerRole: 'DELIVERY',
      code: 'SETUP_OVERDUE',
      entityType: 'Deal',
      entityId: deal.dealId,
      details: { missing: `StaffingDemandPublished for PRJ-${deal.dealId}` },
    });
    expect(raised.data.message).toContain(`still missing: StaffingDemandPublished for PRJ-${deal.dealId}`);
    const overdue = await probe.waitFor('ProjectSetupCompleted', (e) => e.data.dealId === deal.dealId);
    expect(overdue.data).toMatchObject({ status: 'OVERDUE', projectIds: [`PRJ-${deal.dealId}`] });

    const view = (await (await fetch(`${service.url}/deals/${deal.dealId}`)).json()) as DealView;
    expect(view.setup).toMatchObject({
      status: 'OVERDUE',
      stage: 'AWAITING_STAFFING_AND_BILLING',
      overdueAt: new Date(overdue.data.completedAt).toISOString(),
      missing: [`StaffingDemandPublished for PRJ-${deal.dealId}`],
    });

    // Further checks do not raise it again.
    await settle(1_000);
    expect(probe.events('BusinessExceptionRaised', overdueOf(deal.dealId))).toHaveLength(1);

    await probe.publish(steps.staffed);
    const resolved = await probe.waitFor(
      'BusinessExceptionResolved',
      (e) => e.data.exceptionId === `${deal.dealId}:SETUP_OVERDUE`,
    );
    expect(resolved.data).toMatchObject({
      entityId: deal.dealId,
      resolution: expect.stringMatching(/^Project setup completed late, at \d{4}-/),
    });
    const ready = await probe.waitFor(
      'ProjectSetupCompleted',
      (e) => e.data.dealId === deal.dealId && e.data.status === 'READY',
    );
    expect(ready.data.projectIds).toEqual([`PRJ-${deal.dealId}`]);
    expect(outcomes(deal.dealId).map((e) => e.data.status)).toEqual(['OVERDUE', 'READY']);
  });

  it('never declares a setup completed in time overdue', async () => {
    const { deal, steps } = await approve();
    await probe.publish(steps.staffed, steps.billed, steps.created);
    const ready = await probe.waitFor('ProjectSetupCompleted', (e) => e.data.dealId === deal.dealId);
    expect(ready.data.status).toBe('READY');
    await settle(DEADLINE_MS + 1_000);
    expect(outcomes(deal.dealId)).toHaveLength(1);
    expect(probe.events('BusinessExceptionRaised', overdueOf(deal.dealId))).toEqual([]);
  });
});
