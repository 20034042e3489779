import { DealTimeline, TimelineStep } from './deal-timeline';
import { formatTimeline } from './format-timeline';

const base: Omit<
  TimelineStep,
  'step' | 'entityType' | 'entityId' | 'status' | 'summary' | 'occurredAt' | 'source'
> = {
  recordedAt: '2026-01-05T09:00:01.000Z',
  correlationId: 'corr-1',
  causationId: null,
  eventId: 'e-1',
  eventType: 'DealWon',
};

const timeline: DealTimeline = {
  dealId: 'D-1',
  dealName: 'ERP rollout',
  customerName: 'Acme GmbH',
  status: 'READY',
  openExceptions: 0,
  steps: [
    {
      ...base,
      step: 'DEAL_WON',
      entityType: 'Deal',
      entityId: 'D-1',
      status: 'COMPLETED',
      source: 'ingress',
      occurredAt: '2026-01-05T09:00:00.000Z',
      summary: 'Deal "ERP rollout" won for Acme GmbH (EUR 120,000.00)',
    },
    {
      ...base,
      step: 'PROJECT_CREATED',
      entityType: 'Project',
      entityId: 'PRJ-D1-LE-DE',
      status: 'COMPLETED',
      source: 'project',
      occurredAt: '2026-01-05T09:00:02.250Z',
      summary: 'Project PRJ-D1-LE-DE created (EUR 120,000.00 budget)',
    },
    {
      ...base,
      step: 'SETUP_READY',
      entityType: 'Deal',
      entityId: 'D-1',
      status: 'READY',
      source: 'contract',
      occurredAt: '2026-01-05T09:05:00.000Z',
      summary: 'Setup ready: 1 project (PRJ-D1-LE-DE) fully provisioned',
    },
  ],
};

describe('formatTimeline', () => {
  it('renders a heading and an aligned table, one row per step', () => {
    expect(formatTimeline(timeline)).toBe(
      [
        'Deal D-1 "ERP rollout" for Acme GmbH: READY (0 open exceptions)',
        'OCCURRED (UTC)           STEP             ENTITY                STATUS     SOURCE    SUMMARY',
        '2026-01-05 09:00:00      DEAL_WON         Deal D-1              COMPLETED  ingress   Deal "ERP rollout" won for Acme GmbH (EUR 120,000.00)',
        '2026-01-05 09:00:02.250  PROJECT_CREATED  Project PRJ-D1-LE-DE  COMPLETED  project   Project PRJ-D1-LE-DE created (EUR 120,000.00 budget)',
        '2026-01-05 09:05:00      SETUP_READY      Deal D-1              READY      contract  Setup ready: 1 project (PRJ-D1-LE-DE) fully provisioned',
      ].join('\n'),
    );
  });

  it('shows an outbound call as a step: what the target took, and its id there', () => {
    const synced: TimelineStep = {
      ...base,
      eventType: 'OutboundRecordSynced',
      step: 'OUTBOUND_SYNCED',
      entityType: 'Invoice',
      entityId: 'INV-D1-1',
      status: 'SYNCED',
      source: 'outbound',
      occurredAt: '2026-01-05T09:06:00.000Z',
      summary: 'netsuite Invoice INV-D1-1 → 4711 synced',
    };
    expect(
      formatTimeline({ ...timeline, steps: [...timeline.steps, synced] })
        .split('\n')
        .slice(1),
    ).toEqual([
      'OCCURRED (UTC)           STEP             ENTITY                STATUS     SOURCE    SUMMARY',
      '2026-01-05 09:00:00      DEAL_WON         Deal D-1              COMPLETED  ingress   Deal "ERP rollout" won for Acme GmbH (EUR 120,000.00)',
      '2026-01-05 09:00:02.250  PROJECT_CREATED  Project PRJ-D1-LE-DE  COMPLETED  project   Project PRJ-D1-LE-DE created (EUR 120,000.00 budget)',
      '2026-01-05 09:05:00      SETUP_READY      Deal D-1              READY      contract  Setup ready: 1 project (PRJ-D1-LE-DE) fully provisioned',
      '2026-01-05 09:06:00      OUTBOUND_SYNCED  Invoice INV-D1-1      SYNCED     outbound  netsuite Invoice INV-D1-1 → 4711 synced',
    ]);
  });

  it('says so when a deal has no steps and omits what is unknown', () => {
    expect(
      formatTimeline({
        ...timeline,
        dealName: null,
        customerName: null,
        status: 'BLOCKED',
        openExceptions: 1,
        steps: [],
      }),
    ).toBe('Deal D-1: BLOCKED (1 open exception)\n(no steps recorded)');
  });
});
