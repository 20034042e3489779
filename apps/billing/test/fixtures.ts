import { EventPayloads, EventType, ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import { createEvent } from '@throughline/messaging';

/** An event as another service publishes it. */
export function event<T extends EventType>(type: T, data: EventPayloads[T], source = 'ingress') {
  return createEvent(type, data, { source });
}

/**
 * A time-and-materials project in EUR over 2031 with one Consultant role, priced from its legal
 * entity's rate cards (as created before ProjectCreated v2); a test overrides what it is about.
 */
export function projectCreated(projectId: string, overrides: Partial<ProjectCreated> = {}): ProjectCreated {
  return {
    projectId,
    contractId: `CTR-${projectId}`,
    dealId: `D-${projectId}`,
    customerId: `C-${projectId}`,
    legalEntityId: 'LE-1',
    currency: 'EUR',
    billingType: 'TIME_AND_MATERIALS',
    templateId: 'TPL-1',
    name: projectId,
    startDate: '2031-01-01',
    endDate: '2031-12-31',
    budgetMinor: 1_000_000,
    phases: [],
    roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 12_345, skills: [] }],
    rateCardId: null,
    ...overrides,
  };
}

/** Billable time of the Consultant P-ADA, approved at 18:00 UTC on its work date. */
export function timeEntry(
  entryId: string,
  projectId: string,
  workDate: string,
  hoursHundredths: number,
): TimeEntryApproved {
  return {
    entryId,
    projectId,
    personId: 'P-ADA',
    role: 'Consultant',
    workDate,
    hoursHundredths,
    billable: true,
    approvedAt: Date.parse(`${workDate}T18:00:00Z`),
    approvedBy: 'U-APPROVER',
    sourceSystem: 'PSA',
    revision: 1,
    correctionReason: null,
  };
}
