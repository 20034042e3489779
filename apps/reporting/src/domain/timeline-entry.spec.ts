import { sampleEventRecord } from '@throughline/contracts/testing';

import { timelineEntryFor } from './timeline-entry';

const envelope = {
  eventId: '6f1c1f0e-0000-4000-8000-000000000001',
  occurredAt: Date.UTC(2026, 0, 5, 9, 0),
  correlationId: 'corr-7',
  causationId: 'cause-1',
};

describe('timelineEntryFor', () => {
  it('carries the envelope: event id, type, source, correlation, causation and occurredAt', () => {
    const entry = timelineEntryFor(
      sampleEventRecord('DealWon', { envelope: { ...envelope, source: 'ingress' } }),
    );
    expect(entry).toMatchObject({
      eventId: envelope.eventId,
      eventType: 'DealWon',
      source: 'ingress',
      correlationId: 'corr-7',
      causationId: 'cause-1',
      occurredAt: envelope.occurredAt,
    });
  });

  it('records a won deal with its descriptive fields, authoritatively', () => {
    expect(timelineEntryFor(sampleEventRecord('DealWon'))).toMatchObject({
      step: 'DEAL_WON',
      entityType: 'Deal',
      entityId: 'deal-1001',
      status: 'COMPLETED',
      dealId: 'deal-1001',
      summary: 'Deal "ERP rollout, phase 1" won for Acme GmbH (EUR 125,000.00)',
      dealDetails: {
        details: {
          dealName: 'ERP rollout, phase 1',
          customerName: 'Acme GmbH',
          currency: 'EUR',
          amountMinor: 12_500_000,
        },
        authoritative: true,
      },
    });
  });

  it('summarises an approved contract per delivery; its deal name only fills a gap', () => {
    const [germany] = sampleEventRecord('ContractApproved').data.deliveries;
    const uk = { ...germany, legalEntityId: 'LE-UK', currency: 'GBP', budgetMinor: 4_550_050 };
    const record = sampleEventRecord('ContractApproved', { data: { deliveries: [germany, uk] } });
    expect(timelineEntryFor(record)).toMatchObject({
      step: 'CONTRACT_APPROVED',
      entityType: 'Contract',
      entityId: 'ctr-1',
      summary:
        'Contract ctr-1 approved (fixed fee, milestone billed): LE-DE EUR 60,000.00, LE-UK GBP 45,500.50',
      dealDetails: { details: { dealName: 'Finance transformation' }, authoritative: false },
    });
    expect(
      timelineEntryFor(sampleEventRecord('ContractApproved', { data: { dealName: null } })).dealDetails,
    ).toBeNull();
  });

  it('links projects to their deal from project, staffing, billing and setup events', () => {
    const project = timelineEntryFor(
      sampleEventRecord('ProjectCreated', { data: { projectId: 'PRJ-D1-LE-DE', budgetMinor: 12_000_000 } }),
    );
    expect(project).toMatchObject({
      step: 'PROJECT_CREATED',
      entityType: 'Project',
      entityId: 'PRJ-D1-LE-DE',
      dealId: 'deal-1001',
      dealProjects: ['PRJ-D1-LE-DE'],
      summary: 'Project PRJ-D1-LE-DE created (EUR 120,000.00 budget)',
    });
    expect(timelineEntryFor(sampleEventRecord('StaffingDemandPublished'))).toMatchObject({
      step: 'STAFFING_DEMAND_PUBLISHED',
      entityId: 'prj-1',
      dealProjects: ['prj-1'],
      summary: 'Staffing demand dem-1 published for prj-1: Consultant 400 h',
    });
    expect(timelineEntryFor(sampleEventRecord('BillingProvisioned'))).toMatchObject({
      step: 'BILLING_PROVISIONED',
      entityId: 'prj-1',
      dealProjects: ['prj-1'],
      summary:
        'Billing schedule bs-1 provisioned for prj-1 (2 items, EUR 15,000.00 fixed; revenue on milestone)',
    });
    expect(
      timelineEntryFor(
        sampleEventRecord('BillingProvisioned', { data: { scheduleItems: [], revenueRule: 'AS_DELIVERED' } }),
      ).summary,
    ).toBe('Billing schedule bs-1 provisioned for prj-1 (0 items; revenue as delivered)');
  });

  it('maps each setup outcome to its own step and status', () => {
    const setup = (status: 'READY' | 'OVERDUE' | 'FAILED', projectIds = ['prj-1', 'prj-2']) =>
      timelineEntryFor(sampleEventRecord('ProjectSetupCompleted', { data: { status, projectIds } }));
    expect(setup('READY')).toMatchObject({
      step: 'SETUP_READY',
      status: 'READY',
      entityType: 'Deal',
      entityId: 'deal-1001',
      dealProjects: ['prj-1', 'prj-2'],
      summary: 'Setup ready: 2 projects (prj-1, prj-2) fully provisioned',
    });
    expect(setup('OVERDUE', ['prj-1'])).toMatchObject({
      step: 'SETUP_OVERDUE',
      status: 'OVERDUE',
      summary: 'Setup overdue: 1 project (prj-1) not ready within the SLA',
    });
    expect(setup('FAILED', [])).toMatchObject({
      step: 'SETUP_FAILED',
      status: 'FAILED',
      summary: 'Setup failed: a business exception blocks 0 projects',
    });
  });

  it('records exceptions with their owner, and links a project exception through its project', () => {
    expect(timelineEntryFor(sampleEventRecord('BusinessExceptionRaised'))).toMatchObject({
      step: 'EXCEPTION_RAISED',
      entityType: 'Contract',
      entityId: 'ctr-1',
      status: 'RAISED',
      dealId: 'deal-1001',
      projectId: null,
      exceptionId: 'exc-1',
      summary:
        'MISSING_RATE_CARD on Contract ctr-1, owner MASTER_DATA: No rate card for LE-UK in EUR effective 2025-03-31',
    });
    expect(
      timelineEntryFor(
        sampleEventRecord('BusinessExceptionResolved', {
          data: { entityType: 'Project', entityId: 'prj-9' },
        }),
      ),
    ).toMatchObject({
      step: 'EXCEPTION_RESOLVED',
      status: 'RESOLVED',
      dealId: null,
      projectId: 'prj-9',
      exceptionId: 'exc-1',
      summary: 'Exception exc-1 on Project prj-9 resolved: Rate card RC-UK-2025 created',
    });
  });

  it('records an assignment against its project, which names no deal', () => {
    expect(timelineEntryFor(sampleEventRecord('AssignmentChanged'))).toMatchObject({
      step: 'ASSIGNMENT_CHANGED',
      entityType: 'Assignment',
      entityId: 'asg-1',
      status: 'CONFIRMED',
      dealId: null,
      projectId: 'prj-1',
      dealProjects: [],
      summary: 'P-42 confirmed as Consultant on prj-1 (200 h, forecast cost EUR 15,000.00)',
    });
  });
});

describe('SLA entries', () => {
  it('shows a breach with its owner, age and money at risk, and its recovery', () => {
    const breach = timelineEntryFor(
      sampleEventRecord('SlaBreached', {
        data: { ageMs: 965_000, thresholdMs: 900_000, moneyAtRiskMinor: 1_440_000, currency: 'EUR' },
      }),
    );
    expect(breach).toMatchObject({ step: 'SLA_BREACHED', status: 'BREACHED', dealId: 'deal-1001' });
    expect(breach.summary).toBe(
      'SLA PROJECT_SETUP breached on Deal deal-1001, owner DELIVERY: waited 16 min 5 s (limit 15 min 0 s), EUR 14,400.00 at risk',
    );
    const recovery = timelineEntryFor(sampleEventRecord('SlaRecovered', { data: { totalMs: 42_000 } }));
    expect(recovery).toMatchObject({ step: 'SLA_RECOVERED', status: 'RECOVERED' });
    expect(recovery.summary).toBe('SLA PROJECT_SETUP recovered on Deal deal-1001 after 42 s');
  });
});

describe('outbound call entries', () => {
  const synced = (data: object) =>
    timelineEntryFor(sampleEventRecord('OutboundRecordSynced', { data, envelope: { source: 'outbound' } }));

  it('shows the target, the record and the id the target gave it', () => {
    expect(synced({ externalId: 'INV-7', targetRecordId: '4711' })).toMatchObject({
      step: 'OUTBOUND_SYNCED',
      entityType: 'Invoice',
      entityId: 'INV-7',
      status: 'SYNCED',
      summary: 'netsuite Invoice INV-7 → 4711 synced',
      source: 'outbound',
      // The deals an invoice bills are found through its lines when the timeline is read.
      dealId: null,
      projectId: null,
    });
  });

  it('links a CRM deal write-back to its deal and a project record to its project', () => {
    expect(
      synced({ target: 'hubspot', entityType: 'Deal', externalId: 'HS-42', targetRecordId: '42' }),
    ).toMatchObject({ dealId: 'HS-42', projectId: null, summary: 'hubspot Deal HS-42 → 42 synced' });
    expect(
      synced({ entityType: 'Project', externalId: 'PRJ-HS-42-LE-DE', targetRecordId: 'eid:PRJ-HS-42-LE-DE' }),
    ).toMatchObject({ dealId: null, projectId: 'PRJ-HS-42-LE-DE' });
    expect(synced({ entityType: 'Customer', externalId: 'C-1' })).toMatchObject({
      dealId: null,
      projectId: null,
    });
  });
});
