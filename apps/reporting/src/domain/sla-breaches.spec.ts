import { TimelineStep } from './deal-timeline';
import { slaBreaches } from './sla-breaches';

function step(kind: 'SLA_BREACHED' | 'SLA_RECOVERED', entityId: string, occurredAt: string): TimelineStep {
  return {
    step: kind,
    entityType: 'TimeEntry',
    entityId,
    status: kind === 'SLA_BREACHED' ? 'BREACHED' : 'RECOVERED',
    summary: `${kind} ${entityId}`,
    occurredAt,
    recordedAt: occurredAt,
    correlationId: `corr-${entityId}`,
    causationId: null,
    eventId: `${kind}-${entityId}`,
    eventType: kind === 'SLA_BREACHED' ? 'SlaBreached' : 'SlaRecovered',
    source: 'sla',
  };
}

describe('SLA breaches report', () => {
  const steps = [
    step('SLA_BREACHED', 'TE-1', '2026-11-02T10:00:00.000Z'),
    step('SLA_BREACHED', 'TE-2', '2026-11-02T11:00:00.000Z'),
    // Recorded before its breach (another topic): still pairs with it.
    step('SLA_RECOVERED', 'TE-1', '2026-11-02T12:00:00.000Z'),
    step('SLA_RECOVERED', 'TE-3', '2026-11-02T12:30:00.000Z'),
  ];

  it('lists open breaches, newest first, and recovered ones with when they recovered', () => {
    expect(slaBreaches(steps, 'open').map((row) => [row.entityId, row.status])).toEqual([['TE-2', 'OPEN']]);
    expect(slaBreaches(steps, 'recovered')).toEqual([
      {
        entityType: 'TimeEntry',
        entityId: 'TE-1',
        status: 'RECOVERED',
        breachedAt: '2026-11-02T10:00:00.000Z',
        recoveredAt: '2026-11-02T12:00:00.000Z',
        breach: 'SLA_BREACHED TE-1',
        recovery: 'SLA_RECOVERED TE-1',
        correlationId: 'corr-TE-1',
      },
    ]);
    // A recovery without a recorded breach is not a breach.
    expect(slaBreaches(steps, 'all').map((row) => row.entityId)).toEqual(['TE-2', 'TE-1']);
  });

  it('pairs a recovery that was recorded before its breach', () => {
    const reversed = [...steps].reverse();
    expect(slaBreaches(reversed, 'open').map((row) => row.entityId)).toEqual(['TE-2']);
  });
});
