import { EVENTS } from '../generated/catalog';
import type { EventPayloads, EventType } from '../generated/payloads';
import type { EventEnvelope, EventRecord } from '../lib/types';

/** One valid payload per event type (typed, so it breaks at compile time when a schema changes). */
export const SAMPLE_PAYLOADS: { readonly [K in EventType]: EventPayloads[K] } = {
  DealWon: {
    dealId: 'deal-1001',
    crm: 'HUBSPOT',
    crmDeliveryId: 'hs-delivery-77',
    dealName: 'ERP rollout, phase 1',
    customerId: 'C-100',
    customerName: 'Acme GmbH',
    currency: 'EUR',
    amountMinor: 12_500_000,
    closeDate: '2025-03-31',
    templateId: 'tpl-fixed-fee',
    lines: [
      {
        lineId: 'line-1',
        legalEntityId: 'LE-DE',
        role: 'Consultant',
        rateCardId: 'RC-DE-2025',
        hoursHundredths: 40_000,
        amountMinor: 6_000_000,
        currency: 'EUR',
        description: null,
      },
      {
        lineId: 'line-2',
        legalEntityId: 'LE-UK',
        role: 'Architect',
        rateCardId: null,
        hoursHundredths: 12_050,
        amountMinor: 6_500_000,
        currency: 'EUR',
        description: 'Solution architecture',
      },
    ],
    salesOwnerEmail: 'ada@example.com',
  },
  ContractApproved: {
    contractId: 'ctr-1',
    dealId: 'deal-1001',
    customerId: 'C-100',
    templateId: 'tpl-fixed-fee',
    billingType: 'FIXED_FEE_MILESTONE',
    dealName: 'Finance transformation',
    startDate: '2026-12-01',
    deliveries: [
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        country: 'DE',
        rateCardId: 'RC-DE-2025',
        budgetMinor: 6_000_000,
        lines: [{ lineId: 'line-1', role: 'Consultant', hoursHundredths: 40_000, amountMinor: 6_000_000 }],
      },
    ],
  },
  BusinessExceptionRaised: {
    exceptionId: 'exc-1',
    ownerRole: 'MASTER_DATA',
    entityType: 'Contract',
    entityId: 'ctr-1',
    dealId: 'deal-1001',
    code: 'MISSING_RATE_CARD',
    message: 'No rate card for LE-UK in EUR effective 2025-03-31',
    remediation: 'Create or extend a rate card for LE-UK in the ERP',
    details: { legalEntityId: 'LE-UK', currency: 'EUR' },
  },
  BusinessExceptionResolved: {
    exceptionId: 'exc-1',
    entityType: 'Contract',
    entityId: 'ctr-1',
    dealId: null,
    resolution: 'Rate card RC-UK-2025 created',
  },
  ProjectCreated: {
    projectId: 'prj-1',
    contractId: 'ctr-1',
    dealId: 'deal-1001',
    customerId: 'C-100',
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    billingType: 'FIXED_FEE_MILESTONE',
    templateId: 'tpl-fixed-fee',
    name: 'Acme ERP rollout (DE)',
    startDate: '2025-04-01',
    endDate: '2025-09-30',
    budgetMinor: 6_000_000,
    phases: [
      {
        phaseId: 'ph-1',
        name: 'Discovery',
        startDate: '2025-04-01',
        endDate: '2025-04-30',
        milestones: [
          {
            milestoneId: 'ms-1',
            name: 'Blueprint signed',
            dueDate: '2025-04-30',
            amountMinor: null,
            percentOfFee: 2_500,
          },
          {
            milestoneId: 'ms-2',
            name: 'Kick-off',
            dueDate: '2025-04-01',
            amountMinor: 100_000,
            percentOfFee: null,
          },
        ],
      },
    ],
    roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 15_000, skills: ['SAP FI', 'German'] }],
  },
  StaffingDemandPublished: {
    demandId: 'dem-1',
    projectId: 'prj-1',
    dealId: 'deal-1001',
    demands: [
      {
        demandLineId: 'dem-1-1',
        role: 'Consultant',
        skills: ['SAP FI'],
        hoursHundredths: 40_000,
        startDate: '2025-04-01',
        endDate: '2025-09-30',
      },
    ],
  },
  AssignmentChanged: {
    assignmentId: 'asg-1',
    projectId: 'prj-1',
    personId: 'P-42',
    role: 'Consultant',
    hoursHundredths: 20_000,
    startDate: '2025-04-01',
    endDate: '2025-06-30',
    costRateMinor: 7_500,
    forecastCostMinor: 1_500_000,
    currency: 'EUR',
    status: 'CONFIRMED',
  },
  BillingProvisioned: {
    projectId: 'prj-1',
    dealId: 'deal-1001',
    billingScheduleId: 'bs-1',
    billingType: 'FIXED_FEE_MILESTONE',
    currency: 'EUR',
    revenueRule: 'ON_MILESTONE',
    scheduleItems: [
      {
        itemId: 'bi-1',
        description: 'Blueprint signed',
        dueDate: '2025-04-30',
        amountMinor: 1_500_000,
        milestoneId: 'ms-1',
      },
      { itemId: 'bi-2', description: 'Remainder', dueDate: null, amountMinor: null, milestoneId: null },
    ],
  },
  ProjectSetupCompleted: {
    dealId: 'deal-1001',
    projectIds: ['prj-1', 'prj-2'],
    status: 'READY',
    completedAt: Date.UTC(2025, 3, 1, 9, 30),
  },
  CustomerUpserted: { customerId: 'C-100', name: 'Acme GmbH', status: 'ACTIVE', billingCurrency: 'EUR' },
  LegalEntityUpserted: {
    legalEntityId: 'LE-DE',
    name: 'Throughline Consulting GmbH',
    country: 'DE',
    currency: 'EUR',
    taxRegistrationId: 'DE123456789',
  },
  RateCardUpserted: {
    rateCardId: 'RC-DE-2025',
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    effectiveFrom: '2025-01-01',
    effectiveTo: null,
    rates: [
      { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
      { role: 'Architect', rateMinor: 20_000, costRateMinor: null },
    ],
  },
  ProjectTemplateUpserted: {
    templateId: 'tpl-fixed-fee',
    name: 'Fixed fee, milestone billed',
    billingType: 'FIXED_FEE_MILESTONE',
    durationDays: 180,
    phases: [
      {
        name: 'Discovery',
        offsetDays: 0,
        durationDays: 30,
        milestones: [{ name: 'Blueprint signed', offsetDays: 29, percentOfFee: 2_500 }],
      },
    ],
  },
  SmokeTested: { runId: 'run-1', message: 'hello', sentAt: Date.UTC(2025, 0, 1) },
};

/** A complete record for `eventType` with a deterministic envelope; the envelope key is the payload's topic key. */
export function sampleEventRecord<T extends EventType>(
  eventType: T,
  overrides: { data?: Partial<EventPayloads[T]>; envelope?: Partial<Omit<EventEnvelope, 'eventType'>> } = {},
): EventRecord<T> {
  const data = { ...SAMPLE_PAYLOADS[eventType], ...overrides.data } as EventPayloads[T];
  const key = (data as unknown as Record<string, unknown>)[EVENTS[eventType].topic.key];
  return {
    envelope: {
      eventId: '00000000-0000-4000-8000-000000000001',
      eventType,
      schemaVersion: EVENTS[eventType].latestVersion,
      occurredAt: Date.UTC(2025, 3, 1, 9, 0),
      correlationId: 'corr-1',
      causationId: null,
      source: EVENTS[eventType].owner,
      key: String(key),
      ...overrides.envelope,
    },
    data,
  };
}
