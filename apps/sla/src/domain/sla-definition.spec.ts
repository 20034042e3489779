import { DEFAULT_SLAS, InvalidSlaConfig, resolveSlaConfig } from './sla-definition';

const projectSetup = {
  name: 'PROJECT_SETUP',
  ownerRole: 'DELIVERY',
  start: { eventType: 'DealWon', key: 'dealId' },
  end: { eventType: 'ProjectSetupCompleted', key: 'dealId', condition: { status: 'READY' } },
  thresholdMs: 600_000,
  moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency' },
};

function problemsOf(input: unknown): readonly string[] {
  try {
    resolveSlaConfig(input);
  } catch (error) {
    if (error instanceof InvalidSlaConfig) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('resolveSlaConfig', () => {
  it('uses the built-in defaults without a config, the forecast refresh one disabled', () => {
    const slas = resolveSlaConfig(undefined);
    expect(slas.map((sla) => [sla.name, sla.ownerRole, sla.thresholdMs, sla.enabled])).toEqual([
      ['PROJECT_SETUP', 'DELIVERY', 900_000, true],
      ['STAFFING_DEMAND', 'RESOURCE_MANAGEMENT', 300_000, true],
      ['FORECAST_REFRESH', 'RESOURCE_MANAGEMENT', 900_000, false],
    ]);
    expect(slas[0]).toMatchObject({
      entityType: 'deal',
      moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency' },
    });
    expect(slas[2].note).toMatch(/No forecast-refresh event/);
  });

  it('merges a firm config over the defaults by name and adds new SLAs', () => {
    const slas = resolveSlaConfig({
      slas: [
        projectSetup,
        {
          name: 'TIME_TO_BILLING',
          ownerRole: 'FINANCE_OPERATIONS',
          entityType: 'project',
          start: { eventType: 'ProjectCreated', key: 'projectId' },
          end: { eventType: 'BillingProvisioned', key: 'projectId' },
          thresholdMs: 3_600_000,
        },
      ],
    });
    expect(slas.map((sla) => sla.name)).toEqual([
      'STAFFING_DEMAND',
      'FORECAST_REFRESH',
      'PROJECT_SETUP',
      'TIME_TO_BILLING',
    ]);
    expect(slas.find((sla) => sla.name === 'PROJECT_SETUP')?.thresholdMs).toBe(600_000);
    expect(slas.find((sla) => sla.name === 'TIME_TO_BILLING')).toMatchObject({
      moneyAtRisk: null,
      enabled: true,
    });
  });

  it('rejects malformed entries naming each bad field', () => {
    const problems = problemsOf({
      slas: [{ ...projectSetup, name: 'project setup', ownerRole: 'CEO', thresholdMs: -1, extra: 1 }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\.slas\.0\.name:/),
        expect.stringMatching(/^config\.slas\.0\.ownerRole:/),
        expect.stringMatching(/^config\.slas\.0\.thresholdMs:/),
        expect.stringMatching(/^config\.slas\.0: Unrecognized key/),
      ]),
    );
    expect(problemsOf([projectSetup])).toEqual([expect.stringMatching(/^config\.: Expected object/)]);
  });

  it('checks enabled SLAs against the event catalog', () => {
    const problems = problemsOf({
      slas: [
        {
          ...projectSetup,
          start: { eventType: 'DealWonn', key: 'dealId' },
          end: {
            eventType: 'ProjectSetupCompleted',
            key: 'deal',
            condition: { status: 'DONE', colour: 'red' },
          },
        },
        {
          ...projectSetup,
          name: 'MONEY',
          moneyAtRisk: { amountField: 'currency', currencyField: 'amountMinor' },
        },
        projectSetup,
      ],
    });
    expect(problems).toEqual([
      'slas: "PROJECT_SETUP" is defined more than once',
      'PROJECT_SETUP.start.eventType: "DealWonn" is not an event type of the catalog',
      'PROJECT_SETUP.end.key: ProjectSetupCompleted has no string field "deal"',
      'PROJECT_SETUP.end.condition.status: "DONE" is not one of READY, FAILED, OVERDUE',
      'PROJECT_SETUP.end.condition.colour: ProjectSetupCompleted has no field "colour"',
      'MONEY.moneyAtRisk.amountField: DealWon has no number field "currency"',
      'MONEY.moneyAtRisk.currencyField: DealWon has no string field "amountMinor"',
    ]);
  });

  it('lets a disabled SLA name an event that does not exist yet', () => {
    expect(DEFAULT_SLAS.slas.find((sla) => sla.name === 'FORECAST_REFRESH')?.end.eventType).toBe(
      'ForecastRefreshed',
    );
    const enabled = { slas: [{ ...DEFAULT_SLAS.slas[2], enabled: true }] };
    expect(problemsOf(enabled)).toEqual([
      'FORECAST_REFRESH.end.eventType: "ForecastRefreshed" is not an event type of the catalog',
    ]);
  });
});
