import { SlaClock } from './clock';
import { nearestRankPercentile } from './percentile';

export interface CycleTime {
  sla: string;
  /** Closed clocks measured (MET or RECOVERED). */
  closedClocks: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface RoiFigures {
  /** Start to end of the project-setup SLA (DealWon to ProjectSetupCompleted READY). */
  projectSetupCycleTime: CycleTime;
  /**
   * Start to end of every configured SLA over its closed clocks, e.g. approval to priced actual
   * (TIME_TO_BILLING), period close to invoice (INVOICE_AFTER_CLOSE).
   */
  cycleTimeBySla: Record<string, CycleTime>;
  /** Breaches ever raised per SLA (still open or recovered); every configured SLA is listed. */
  breachesBySla: Record<string, number>;
  recoveredBreaches: number;
  /**
   * Mean of (end − (start + threshold)) over recovered breaches: how long an entity stayed past
   * its SLA. Taken from the event times, so it does not depend on how often breaches are checked.
   */
  meanTimeToRecoveryMs: number | null;
}

/** ROI figures from the clocks: cycle times (project setup, every SLA), breach counts, time to recovery. */
export function roiFigures(
  clocks: readonly SlaClock[],
  slaNames: readonly string[],
  projectSetupSla = 'PROJECT_SETUP',
): RoiFigures {
  const breachesBySla: Record<string, number> = Object.fromEntries(slaNames.map((name) => [name, 0]));
  for (const clock of clocks) {
    if (clock.status === 'BREACHED' || clock.status === 'RECOVERED')
      breachesBySla[clock.sla] = (breachesBySla[clock.sla] ?? 0) + 1;
  }
  const recoveries = clocks
    .filter((clock) => clock.status === 'RECOVERED')
    .map((clock) => Math.max(0, elapsed(clock) - clock.thresholdMs));
  return {
    projectSetupCycleTime: cycleTimeOf(clocks, projectSetupSla),
    cycleTimeBySla: Object.fromEntries(slaNames.map((name) => [name, cycleTimeOf(clocks, name)])),
    breachesBySla,
    recoveredBreaches: recoveries.length,
    meanTimeToRecoveryMs:
      recoveries.length === 0
        ? null
        : Math.round(recoveries.reduce((sum, value) => sum + value, 0) / recoveries.length),
  };
}

function cycleTimeOf(clocks: readonly SlaClock[], sla: string): CycleTime {
  const times = clocks
    .filter((clock) => clock.sla === sla && (clock.status === 'MET' || clock.status === 'RECOVERED'))
    .map((clock) => elapsed(clock));
  return {
    sla,
    closedClocks: times.length,
    p50Ms: nearestRankPercentile(times, 50),
    p95Ms: nearestRankPercentile(times, 95),
  };
}

function elapsed(clock: SlaClock): number {
  return Math.max(0, (clock.endedAt ?? 0) - (clock.startedAt ?? 0));
}
