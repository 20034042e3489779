import { consumedEventTypes, observationsOf } from './observation';
import { resolveSlaConfig } from './sla-definition';

const slas = resolveSlaConfig(undefined);

describe('observationsOf', () => {
  it('starts the project-setup clock on DealWon with the deal amount at risk', () => {
    expect(
      observationsOf(slas, 'DealWon', { dealId: 'D-1', amountMinor: 1_250_000, currency: 'EUR' }),
    ).toEqual([
      {
        terms: { sla: 'PROJECT_SETUP', ownerRole: 'DELIVERY', entityType: 'deal', thresholdMs: 900_000 },
        role: 'start',
        entityId: 'D-1',
        dealId: 'D-1',
        moneyAtRiskMinor: 1_250_000,
        currency: 'EUR',
      },
    ]);
  });

  it('ends it only on the condition (status READY)', () => {
    expect(observationsOf(slas, 'ProjectSetupCompleted', { dealId: 'D-1', status: 'FAILED' })).toEqual([]);
    expect(observationsOf(slas, 'ProjectSetupCompleted', { dealId: 'D-1', status: 'READY' })).toEqual([
      expect.objectContaining({
        role: 'end',
        entityId: 'D-1',
        terms: expect.objectContaining({ sla: 'PROJECT_SETUP' }),
      }),
    ]);
  });

  it('keys the staffing-demand clock on the project and ignores disabled SLAs', () => {
    expect(
      observationsOf(slas, 'ProjectCreated', {
        projectId: 'P-1',
        dealId: 'D-1',
        budgetMinor: 90_000,
        currency: 'USD',
      }),
    ).toEqual([
      expect.objectContaining({ role: 'start', entityId: 'P-1', dealId: 'D-1', moneyAtRiskMinor: 90_000 }),
    ]);
    expect(observationsOf(slas, 'AssignmentChanged', { projectId: 'P-1' })).toEqual([]);
  });

  it('ignores an event without the key', () => {
    expect(observationsOf(slas, 'DealWon', { dealId: '' })).toEqual([]);
  });
});

describe('consumedEventTypes', () => {
  it('lists the start and end events of enabled SLAs once', () => {
    expect(consumedEventTypes(slas)).toEqual([
      'DealWon',
      'ProjectCreated',
      'ProjectSetupCompleted',
      'StaffingDemandPublished',
    ]);
  });
});
