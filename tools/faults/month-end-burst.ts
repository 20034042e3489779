import { EventRecord, ProjectCreated, RateCardUpserted, TimeEntryApproved } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent } from '@throughline/messaging';

/** What billing should have made of a burst: per project, the exact value of its time. */
export interface ExpectedProject {
  entries: number;
  hoursHundredths: bigint;
  /** Σ hoursHundredths × rateMinor: hundredths of a minor unit, exact. */
  exactHundredths: bigint;
}

export interface MonthEndBurst {
  rateCards: EventRecord<'RateCardUpserted'>[];
  projects: EventRecord<'ProjectCreated'>[];
  entries: EventRecord<'TimeEntryApproved'>[];
  expected: Map<string, ExpectedProject>;
}

/** Odd rates and hours, so that nearly every entry leaves a sub-cent remainder for the carry. */
const ROLES = [
  { role: 'Consultant', rateMinor: 12_345, costRateMinor: 8_011 },
  { role: 'Architect', rateMinor: 17_777, costRateMinor: 9_999 },
  { role: 'Analyst', rateMinor: 9_901, costRateMinor: 5_003 },
];
const LEGAL_ENTITIES = 4;
const MONTH = '2030-10';
const DAYS_IN_MONTH = 31;

/**
 * `count` approved time entries for one month, on `projectCount` time-and-materials projects in
 * four legal entities (one rate card each), approved at month end; with the master data billing
 * needs to price them and the totals, computed here from the inputs alone.
 */
export function monthEndBurst(runId: string, count: number, projectCount = 20): MonthEndBurst {
  const random = seededRandom(count);
  const legalEntity = (index: number) => `LE-${runId}-${index % LEGAL_ENTITIES}`;
  const rateCards = Array.from({ length: LEGAL_ENTITIES }, (_, index) =>
    createEvent(
      'RateCardUpserted',
      {
        rateCardId: `RC-${runId}-${index}`,
        legalEntityId: legalEntity(index),
        currency: 'EUR',
        effectiveFrom: '2030-01-01',
        effectiveTo: null,
        rates: ROLES,
        upsertedBy: null,
      } satisfies RateCardUpserted,
      { source: 'faults' },
    ),
  );
  const projects = Array.from({ length: projectCount }, (_, index) =>
    createEvent(
      'ProjectCreated',
      {
        ...sampleEventRecord('ProjectCreated').data,
        projectId: `PRJ-${runId}-${index}`,
        contractId: `CTR-${runId}-${index}`,
        dealId: `D-${runId}-${index}`,
        customerId: `C-${runId}-${index}`,
        legalEntityId: legalEntity(index),
        currency: 'EUR',
        billingType: 'TIME_AND_MATERIALS',
        // No contract card: billing prices from the legal entity's card (the burst publishes one each).
        rateCardId: null,
        startDate: '2030-01-01',
        endDate: '2030-12-31',
        phases: [],
        roles: ROLES.map(({ role, rateMinor }) => ({
          role,
          hoursHundredths: 100_000,
          rateMinor,
          skills: [],
        })),
      } satisfies ProjectCreated,
      { source: 'faults' },
    ),
  );
  const expected = new Map<string, ExpectedProject>(
    projects.map((project) => [
      project.data.projectId,
      { entries: 0, hoursHundredths: 0n, exactHundredths: 0n },
    ]),
  );
  const entries = Array.from({ length: count }, (_, index) => {
    const project = projects[Math.floor(random() * projects.length)] as EventRecord<'ProjectCreated'>;
    const { role, rateMinor } = ROLES[Math.floor(random() * ROLES.length)] as (typeof ROLES)[number];
    const hoursHundredths = 1 + Math.floor(random() * 1_000);
    const day = String(1 + Math.floor(random() * DAYS_IN_MONTH)).padStart(2, '0');
    const totals = expected.get(project.data.projectId) as ExpectedProject;
    totals.entries++;
    totals.hoursHundredths += BigInt(hoursHundredths);
    totals.exactHundredths += BigInt(hoursHundredths) * BigInt(rateMinor);
    return createEvent(
      'TimeEntryApproved',
      {
        entryId: `TE-${runId}-${index}`,
        projectId: project.data.projectId,
        personId: `P-${index % 60}`,
        role,
        workDate: `${MONTH}-${day}`,
        hoursHundredths,
        billable: true,
        approvedAt: Date.parse(`${MONTH}-${DAYS_IN_MONTH}T17:00:00Z`) + index,
        approvedBy: 'U-FAULTS',
        sourceSystem: 'PSA',
        revision: 1,
        correctionReason: null,
      } satisfies TimeEntryApproved,
      { source: 'faults' },
    );
  });
  return { rateCards, projects, entries, expected };
}

/** mulberry32: the same burst for the same size, so a failure can be looked at again. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
