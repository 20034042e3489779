import { ClockStatus, SlaClock } from './clock';
import { roiFigures } from './roi';

function clock(
  sla: string,
  status: ClockStatus,
  startedAt: number,
  endedAt: number | null,
  thresholdMs = 1_000,
): SlaClock {
  return {
    sla,
    ownerRole: 'DELIVERY',
    entityType: 'deal',
    thresholdMs,
    entityId: `${sla}-${startedAt}`,
    breachId: `${sla}:${startedAt}`,
    dealId: null,
    status,
    startedAt,
    endedAt,
    breachedAt: null,
    moneyAtRiskMinor: null,
    currency: null,
  };
}

describe('roiFigures', () => {
  it('computes cycle time percentiles, breaches per SLA and mean time to recovery', () => {
    const clocks = [
      clock('PROJECT_SETUP', 'MET', 0, 400),
      clock('PROJECT_SETUP', 'MET', 0, 800),
      clock('PROJECT_SETUP', 'RECOVERED', 0, 3_000),
      clock('PROJECT_SETUP', 'RECOVERED', 0, 2_000),
      clock('PROJECT_SETUP', 'BREACHED', 0, null),
      clock('PROJECT_SETUP', 'RUNNING', 0, null),
      clock('STAFFING_DEMAND', 'RECOVERED', 0, 1_500, 500),
    ];
    expect(roiFigures(clocks, ['PROJECT_SETUP', 'STAFFING_DEMAND', 'FORECAST_REFRESH'])).toEqual({
      projectSetupCycleTime: { sla: 'PROJECT_SETUP', closedClocks: 4, p50Ms: 800, p95Ms: 3_000 },
      cycleTimeBySla: {
        PROJECT_SETUP: { sla: 'PROJECT_SETUP', closedClocks: 4, p50Ms: 800, p95Ms: 3_000 },
        STAFFING_DEMAND: { sla: 'STAFFING_DEMAND', closedClocks: 1, p50Ms: 1_500, p95Ms: 1_500 },
        FORECAST_REFRESH: { sla: 'FORECAST_REFRESH', closedClocks: 0, p50Ms: null, p95Ms: null },
      },
      breachesBySla: { PROJECT_SETUP: 3, STAFFING_DEMAND: 1, FORECAST_REFRESH: 0 },
      recoveredBreaches: 3,
      // (2000 + 1000 + 1000) / 3
      meanTimeToRecoveryMs: 1_333,
    });
  });

  it('has no figures without closed clocks', () => {
    expect(roiFigures([], ['PROJECT_SETUP'])).toEqual({
      projectSetupCycleTime: { sla: 'PROJECT_SETUP', closedClocks: 0, p50Ms: null, p95Ms: null },
      cycleTimeBySla: {
        PROJECT_SETUP: { sla: 'PROJECT_SETUP', closedClocks: 0, p50Ms: null, p95Ms: null },
      },
      breachesBySla: { PROJECT_SETUP: 0 },
      recoveredBreaches: 0,
      meanTimeToRecoveryMs: null,
    });
  });
});
