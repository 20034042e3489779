import { sampleEventRecord } from '@throughline/contracts/testing';

import {
  checkDeadline,
  missingSteps,
  recordBillingProvisioned,
  recordContractApproved,
  recordProjectCreated,
  recordStaffingDemandPublished,
  SetupProcess,
  setupStage,
  setupSteps,
  startSetup,
} from './setup-process';

const DEADLINE_MS = 15 * 60_000;
const sample = sampleEventRecord('ContractApproved').data;
const contract = {
  ...sample,
  dealId: 'D-1',
  deliveries: ['LE-DE', 'LE-UK'].map((legalEntityId) => ({ ...sample.deliveries[0], legalEntityId })),
};

function approved(at = 1_000): SetupProcess {
  const { process, events } = recordContractApproved(startSetup('D-1', 500), contract, at, DEADLINE_MS);
  expect(events).toEqual([]);
  return process;
}

type Step = (process: SetupProcess) => ReturnType<typeof recordProjectCreated>;
const created =
  (projectId: string, legalEntityId: string, at: number): Step =>
  (process) =>
    recordProjectCreated(process, { projectId, legalEntityId }, at);
const staffed =
  (projectId: string, at: number): Step =>
  (process) =>
    recordStaffingDemandPublished(process, projectId, at);
const billed =
  (projectId: string, at: number): Step =>
  (process) =>
    recordBillingProvisioned(process, projectId, at);

/** Applies steps in order; returns the final process and every event emitted on the way. */
function run(process: SetupProcess, steps: Step[]) {
  const events = [];
  for (const step of steps) {
    const transition = step(process);
    process = transition.process;
    events.push(...transition.events);
  }
  return { process, events };
}

const allSteps = [
  created('P-DE', 'LE-DE', 2_000),
  staffed('P-DE', 3_000),
  billed('P-DE', 4_000),
  created('P-UK', 'LE-UK', 5_000),
  staffed('P-UK', 6_000),
  billed('P-UK', 7_000),
];

describe('setup process', () => {
  it('starts at DealWon and sets the deadline from contract approval', () => {
    const process = approved(1_000);
    expect(process).toMatchObject({
      status: 'IN_PROGRESS',
      dealWonAt: 500,
      contractApprovedAt: 1_000,
      deadlineAt: 1_000 + DEADLINE_MS,
      expectedLegalEntityIds: ['LE-DE', 'LE-UK'],
    });
    expect(setupStage(startSetup('D-1', 500))).toBe('AWAITING_CONTRACT_APPROVAL');
    expect(setupStage(process)).toBe('AWAITING_PROJECTS');
  });

  it('is READY once every delivery has a project with staffing demand and billing', () => {
    const { process, events } = run(approved(), allSteps);
    expect(process).toMatchObject({ status: 'READY', completedAt: 7_000 });
    expect(events).toEqual([
      {
        type: 'ProjectSetupCompleted',
        data: { dealId: 'D-1', projectIds: ['P-DE', 'P-UK'], status: 'READY', completedAt: 7_000 },
      },
    ]);
    expect(setupStage(process)).toBe('COMPLETE');
  });

  it('emits nothing before the last step', () => {
    const { process, events } = run(approved(), allSteps.slice(0, 5));
    expect(events).toEqual([]);
    expect(process.status).toBe('IN_PROGRESS');
    expect(setupStage(process)).toBe('AWAITING_STAFFING_AND_BILLING');
    expect(missingSteps(process)).toEqual(['BillingProvisioned for P-UK']);
  });

  it('does not complete while a delivery has no project yet', () => {
    const { process, events } = run(approved(), allSteps.slice(0, 3));
    expect(events).toEqual([]);
    expect(missingSteps(process)).toEqual(['ProjectCreated for legal entity LE-UK']);
  });

  it('handles steps of a project arriving before the project itself, in any order', () => {
    const shuffled = [allSteps[5], allSteps[2], allSteps[4], allSteps[1], allSteps[3], allSteps[0]];
    const { process, events } = run(approved(), shuffled);
    expect(process.status).toBe('READY');
    expect(process.projects.find((p) => p.projectId === 'P-UK')).toEqual({
      projectId: 'P-UK',
      legalEntityId: 'LE-UK',
      projectCreatedAt: 5_000,
      staffingDemandPublishedAt: 6_000,
      billingProvisionedAt: 7_000,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ data: { projectIds: ['P-DE', 'P-UK'], completedAt: 2_000 } });
  });

  it('waits for the contract even when every project step arrived first', () => {
    const early = run(startSetup('D-1', 500), allSteps);
    expect(early.events).toEqual([]);
    expect(missingSteps(early.process)).toEqual(['contract approval']);
    const { process, events } = recordContractApproved(early.process, contract, 9_000, DEADLINE_MS);
    expect(process.status).toBe('READY');
    expect(events).toHaveLength(1);
  });

  it('keeps the first time of a step that is reported twice, and completes once', () => {
    const { process, events } = run(approved(), [
      ...allSteps,
      staffed('P-DE', 99_000),
      billed('P-UK', 99_000),
    ]);
    expect(process.projects.find((p) => p.projectId === 'P-DE')?.staffingDemandPublishedAt).toBe(3_000);
    expect(events).toHaveLength(1);
  });

  it('lists every step with its time, in process order', () => {
    const { process } = run(approved(), allSteps.slice(0, 4));
    expect(setupSteps(process)).toEqual([
      { step: 'DEAL_WON', projectId: null, at: 500 },
      { step: 'CONTRACT_APPROVED', projectId: null, at: 1_000 },
      { step: 'PROJECT_CREATED', projectId: 'P-DE', at: 2_000 },
      { step: 'STAFFING_DEMAND_PUBLISHED', projectId: 'P-DE', at: 3_000 },
      { step: 'BILLING_PROVISIONED', projectId: 'P-DE', at: 4_000 },
      { step: 'PROJECT_CREATED', projectId: 'P-UK', at: 5_000 },
      { step: 'STAFFING_DEMAND_PUBLISHED', projectId: 'P-UK', at: null },
      { step: 'BILLING_PROVISIONED', projectId: 'P-UK', at: null },
      { step: 'READY', projectId: null, at: null },
    ]);
  });
});

describe('setup deadline', () => {
  const deadline = 1_000 + DEADLINE_MS;

  it('does nothing before the deadline, or without an approved contract', () => {
    expect(checkDeadline(approved(), deadline - 1).events).toEqual([]);
    expect(checkDeadline(startSetup('D-1', 0), Number.MAX_SAFE_INTEGER).events).toEqual([]);
  });

  it('raises one SETUP_OVERDUE exception for DELIVERY and reports the setup OVERDUE', () => {
    const partial = run(approved(), allSteps.slice(0, 4)).process;
    const { process, events } = checkDeadline(partial, deadline);
    expect(process).toMatchObject({ status: 'OVERDUE', overdueAt: deadline });
    expect(events).toEqual([
      {
        type: 'BusinessExceptionRaised',
        data: {
          exceptionId: 'D-1:SETUP_OVERDUE',
          ownerRole: 'DELIVERY',
          entityType: 'Deal',
          entityId: 'D-1',
          dealId: 'D-1',
          code: 'SETUP_OVERDUE',
          message:
            'Project setup of deal D-1 missed its deadline 1970-01-01T00:15:01.000Z; still missing: ' +
            'StaffingDemandPublished for P-UK; BillingProvisioned for P-UK',
          remediation: expect.stringContaining('GET /deals/D-1 on contract'),
          details: {
            deadlineAt: '1970-01-01T00:15:01.000Z',
            missing: 'StaffingDemandPublished for P-UK; BillingProvisioned for P-UK',
          },
        },
      },
      {
        type: 'ProjectSetupCompleted',
        data: { dealId: 'D-1', projectIds: ['P-DE', 'P-UK'], status: 'OVERDUE', completedAt: deadline },
      },
    ]);
    expect(checkDeadline(process, deadline + 60_000).events).toEqual([]);
  });

  it('resolves the overdue exception and reports READY when setup completes late', () => {
    const overdue = checkDeadline(run(approved(), allSteps.slice(0, 5)).process, deadline).process;
    const { process, events } = billed('P-UK', deadline + 5)(overdue);
    expect(process).toMatchObject({ status: 'READY', overdueAt: deadline, completedAt: deadline + 5 });
    expect(events).toEqual([
      {
        type: 'BusinessExceptionResolved',
        data: {
          exceptionId: 'D-1:SETUP_OVERDUE',
          entityType: 'Deal',
          entityId: 'D-1',
          dealId: 'D-1',
          resolution: 'Project setup completed late, at 1970-01-01T00:15:01.005Z',
        },
      },
      {
        type: 'ProjectSetupCompleted',
        data: { dealId: 'D-1', projectIds: ['P-DE', 'P-UK'], status: 'READY', completedAt: deadline + 5 },
      },
    ]);
  });

  it('never goes overdue once READY', () => {
    const ready = run(approved(), allSteps).process;
    expect(checkDeadline(ready, deadline * 2)).toEqual({ process: ready, events: [] });
  });
});
