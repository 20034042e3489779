import {
  BillingType,
  DealLine,
  DealWon,
  EventPayloads,
  EventRecord,
  EventType,
  LegalEntityUpserted,
  RateCardUpserted,
} from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent } from '@throughline/messaging';
import { randomSuffix } from '@throughline/persistence/testing';

/** Unique ids per test run and per call, so tests never see each other's deals or master data. */
const run = randomSuffix();
let sequence = 0;
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${run}-${sequence}`;
}

/** An event as the service that owns its topic would publish it. */
export function published<T extends EventType>(
  eventType: T,
  data: EventPayloads[T],
  origin: { correlationId?: string; causationId?: string } = {},
): EventRecord<T> {
  return createEvent(eventType, data, { source: 'test', ...origin });
}

export function legalEntity(overrides: Partial<LegalEntityUpserted> = {}): LegalEntityUpserted {
  return {
    legalEntityId: uniqueId('LE-DE'),
    name: 'Throughline Consulting GmbH',
    country: 'DE',
    currency: 'EUR',
    taxRegistrationId: 'DE123456789',
    upsertedBy: null,
    ...overrides,
  };
}

export function rateCard(legalEntityId: string, overrides: Partial<RateCardUpserted> = {}): RateCardUpserted {
  return {
    rateCardId: uniqueId('RC'),
    legalEntityId,
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    effectiveTo: null,
    rates: [
      { role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 },
      { role: 'Architect', rateMinor: 20_000, costRateMinor: 11_000 },
    ],
    upsertedBy: null,
    ...overrides,
  };
}

export function template(billingType: BillingType) {
  return {
    ...sampleEventRecord('ProjectTemplateUpserted').data,
    templateId: uniqueId(`TPL-${billingType}`),
    name: `${billingType} engagement`,
    billingType,
  };
}

export function customer() {
  return {
    customerId: uniqueId('C'),
    name: 'Acme GmbH',
    status: 'ACTIVE' as const,
    billingCurrency: 'EUR',
    upsertedBy: null,
  };
}

export function dealLine(legalEntityId: string, overrides: Partial<DealLine> = {}): DealLine {
  return {
    lineId: uniqueId('L'),
    legalEntityId,
    role: 'Consultant',
    rateCardId: null,
    hoursHundredths: 10_000,
    amountMinor: 1_500_000,
    currency: 'EUR',
    description: null,
    ...overrides,
  };
}

export function dealWon(
  parts: { customerId: string; templateId: string; lines: DealLine[] },
  overrides: Partial<DealWon> = {},
): DealWon {
  return {
    dealId: uniqueId('D'),
    crm: 'HUBSPOT',
    crmDeliveryId: uniqueId('hs-delivery'),
    dealName: 'Finance transformation',
    customerName: 'Acme GmbH',
    currency: 'EUR',
    amountMinor: parts.lines.reduce((sum, line) => sum + line.amountMinor, 0),
    closeDate: '2026-03-31',
    salesOwnerEmail: 'ada@example.com',
    ...parts,
    ...overrides,
  };
}

export interface ProjectSetupEvents {
  created: EventRecord<'ProjectCreated'>;
  staffed: EventRecord<'StaffingDemandPublished'>;
  billed: EventRecord<'BillingProvisioned'>;
}

/** What the project, staffing and billing services publish for one project of a deal. */
export function projectSetupEvents(
  project: { dealId: string; projectId: string; legalEntityId: string },
  origin: { correlationId?: string; causationId?: string } = {},
): ProjectSetupEvents {
  const { dealId, projectId, legalEntityId } = project;
  return {
    created: published(
      'ProjectCreated',
      { ...sampleEventRecord('ProjectCreated').data, projectId, dealId, legalEntityId },
      origin,
    ),
    staffed: published(
      'StaffingDemandPublished',
      {
        ...sampleEventRecord('StaffingDemandPublished').data,
        demandId: `DEM-${projectId}`,
        projectId,
        dealId,
      },
      origin,
    ),
    billed: published(
      'BillingProvisioned',
      {
        ...sampleEventRecord('BillingProvisioned').data,
        billingScheduleId: `BS-${projectId}`,
        projectId,
        dealId,
      },
      origin,
    ),
  };
}
