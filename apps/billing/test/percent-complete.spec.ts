import { ProjectCreated, ProjectForecastUpdated, TimeEntryApproved } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { eventually, EventProbe } from '@throughline/messaging/testing';
import { startTestService, testServiceConfig, TestService } from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { TAX_POLICY } from '../src/application/invoicing.service';
import { BILLING_DB } from '../src/application/tokens';
import { BillingDb } from '../src/infrastructure/billing-db';
import { timeEntry } from './fixtures';

jest.setTimeout(90_000);

/*
 * Percent complete against the real service (issue #12 bug 1): a project without a cost basis is
 * not billed nor recognised at 100 %. One service and database for the file; months close in order.
 */

const PROJECT: ProjectCreated = {
  projectId: 'PRJ-PC0',
  contractId: 'CTR-PC0',
  dealId: 'D-PC0',
  customerId: 'C-PC0',
  legalEntityId: 'LE-PC0',
  currency: 'EUR',
  billingType: 'FIXED_FEE_PERCENT_COMPLETE',
  templateId: 'TPL-1',
  name: 'Percent complete, staffed late',
  startDate: '2031-01-01',
  endDate: '2031-12-31',
  // 90,000.00
  budgetMinor: 9_000_000,
  phases: [],
  roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 12_345, skills: [] }],
  rateCardId: null,
};

/** Time on the project, approved at 18:00 UTC on its work date. */
function entry(entryId: string, workDate: string, hoursHundredths: number): TimeEntryApproved {
  return timeEntry(entryId, PROJECT.projectId, workDate, hoursHundredths);
}

function forecast(forecastCostMinor: number): ProjectForecastUpdated {
  return {
    projectId: PROJECT.projectId,
    dealId: PROJECT.dealId,
    currency: 'EUR',
    forecastRevenueMinor: PROJECT.budgetMinor,
    forecastCostMinor,
    forecastMarginMinor: PROJECT.budgetMinor - forecastCostMinor,
    triggerEventId: `TRG-${forecastCostMinor}`,
    triggerType: 'ChangeOrderApproved',
    refreshedAt: Date.now(),
  };
}

describe('percent complete without a cost basis, against the real stack', () => {
  let service: TestService;
  let probe: EventProbe;
  let db: BillingDb;

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    const module = AppModule.forConfig(config);
    // About revenue recognition, not tax: the close drafts untaxed invoices (test/tax.spec.ts taxes them).
    module.providers = [...(module.providers ?? []), { provide: TAX_POLICY, useValue: 'OFF' }];
    service = await startTestService(module, config);
    db = service.app.get<BillingDb>(BILLING_DB);
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'BillingProvisioned',
      'ActualChanged',
      'BillingPeriodClosed',
      'BusinessExceptionRaised',
    ]);
  });

  afterAll(async () => {
    await probe.stop();
    await service.stop();
  });

  const close = (period: string) =>
    fetch(`${service.url}/billing-periods/${period}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ closedBy: 'U-FIN' }),
    });
  const publishForecast = async (cost: number) => {
    await probe.publish(createEvent('ProjectForecastUpdated', forecast(cost), { source: 'project' }));
    await eventually(() =>
      db.projectForecast
        .findUnique({ where: { projectId: PROJECT.projectId } })
        .then((row) => row?.forecastTotalCostMinor === BigInt(cost)),
    );
  };
  const priced = (actualId: string) =>
    probe.waitFor('ActualChanged', (e) => e.data.actualId === actualId && e.data.status === 'UNBILLED');

  it('a forecast of 0 bills and recognises nothing and raises NO_COST_BASIS; a real forecast then bills 20 %', async () => {
    await probe.publish(
      createEvent(
        'RateCardUpserted',
        {
          rateCardId: 'RC-PC0',
          legalEntityId: 'LE-PC0',
          currency: 'EUR',
          effectiveFrom: '2031-01-01',
          effectiveTo: null,
          // Cost 80.00/h.
          rates: [{ role: 'Consultant', rateMinor: 12_345, costRateMinor: 8_000 }],
          upsertedBy: null,
        },
        { source: 'ingress' },
      ),
    );
    await eventually(() =>
      db.rateCard.findUnique({ where: { rateCardId: 'RC-PC0' } }).then((row) => row ?? false),
    );
    await probe.publish(createEvent('ProjectCreated', PROJECT, { source: 'project' }));
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === PROJECT.projectId);
    // A change order before anyone is staffed: forecast cost 0.
    await publishForecast(0);
    // 6.25 h × 80.00 = 500.00 of cost (50,000 minor units).
    await probe.publish(
      createEvent('TimeEntryApproved', entry('TE-PC0-1', '2031-01-06', 625), { source: 'ingress' }),
    );
    expect((await priced('TE-PC0-1')).data.costAmountMinor).toBe(50_000);

    const january = await close('2031-01');
    expect(january.status).toBe(200);
    // Before: 9,000,000 × 50,000 / max(0, 50,000) = the whole 9,000,000 on a PROGRESS line.
    expect(((await january.json()) as { draftInvoices: unknown[] }).draftInvoices).toEqual([]);
    expect(await db.revenueRecognition.findMany({ where: { projectId: PROJECT.projectId } })).toEqual([]);
    expect(
      (await db.billingProject.findUnique({ where: { projectId: PROJECT.projectId } }))?.progressBilledMinor,
    ).toBe(0n);
    const raised = await probe.waitFor(
      'BusinessExceptionRaised',
      (e) => e.data.entityId === PROJECT.projectId && e.data.details['period'] === '2031-01',
    );
    expect(raised.data).toMatchObject({
      exceptionId: 'EXC-PRJ-PRJ-PC0-NO_COST_BASIS',
      ownerRole: 'DELIVERY',
      code: 'NO_COST_BASIS',
      details: { reason: 'ZERO_FORECAST', costToDateMinor: '50000', forecastTotalCostMinor: '0' },
    });

    // Staffed: forecast 30,000.00; 68.75 h more × 80.00 = 5,500.00, cost to date 6,000.00.
    await publishForecast(3_000_000);
    await probe.publish(
      createEvent('TimeEntryApproved', entry('TE-PC0-2', '2031-02-03', 6_875), { source: 'ingress' }),
    );
    expect((await priced('TE-PC0-2')).data.costAmountMinor).toBe(550_000);
    const february = await close('2031-02');
    expect(february.status).toBe(200);
    // 600,000 / 3,000,000 = 20 % → 9,000,000 × 20 % = 1,800,000 billed and recognised.
    expect(
      ((await february.json()) as { draftInvoices: { totalMinor: number }[] }).draftInvoices,
    ).toMatchObject([{ customerId: 'C-PC0', totalMinor: 1_800_000, lineCount: 1 }]);
    expect(await db.revenueRecognition.findMany({ where: { projectId: PROJECT.projectId } })).toMatchObject([
      { period: '2031-02', amountMinor: 1_800_000n, cumulativeMinor: 1_800_000n },
    ]);
  });
});
