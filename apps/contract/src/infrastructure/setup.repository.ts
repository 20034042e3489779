import { SetupProcess, SetupStatus } from '../domain/setup-process';
import { ContractTx } from './contract-db';

export interface StoredSetup {
  process: SetupProcess;
  /** Correlation id of the deal's flow, for events the process emits on its own (the deadline). */
  correlationId: string;
}

export async function insertSetup(tx: ContractTx, process: SetupProcess): Promise<void> {
  await tx.setupProcess.create({ data: { dealId: process.dealId, ...processColumns(process) } });
}

/** Loads a deal's setup process locked for update (null for a deal this service never saw). */
export async function lockSetup(tx: ContractTx, dealId: string): Promise<StoredSetup | null> {
  const locked = await tx.$queryRaw<{ deal_id: string }[]>`
    SELECT deal_id FROM setup_process WHERE deal_id = ${dealId} FOR UPDATE`;
  return locked.length === 0 ? null : loadSetup(tx, dealId);
}

/**
 * Locks setups whose deadline passed and that are still in progress; rows another instance is
 * working on are skipped, so each overdue setup is handled once.
 */
export async function lockDueSetups(tx: ContractTx, now: number, limit: number): Promise<StoredSetup[]> {
  const due = await tx.$queryRaw<{ deal_id: string }[]>`
    SELECT deal_id FROM setup_process
    WHERE status = 'IN_PROGRESS' AND deadline_at <= ${new Date(now)}
    ORDER BY deadline_at
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
  const setups: StoredSetup[] = [];
  for (const { deal_id } of due) {
    const setup = await loadSetup(tx, deal_id);
    if (setup) setups.push(setup);
  }
  return setups;
}

export async function loadSetup(tx: ContractTx, dealId: string): Promise<StoredSetup | null> {
  const row = await tx.setupProcess.findUnique({
    where: { dealId },
    include: { projects: { orderBy: { projectId: 'asc' } }, deal: { select: { correlationId: true } } },
  });
  if (!row) return null;
  return {
    correlationId: row.deal.correlationId,
    process: {
      dealId: row.dealId,
      status: row.status as SetupStatus,
      dealWonAt: row.dealWonAt.getTime(),
      contractApprovedAt: time(row.contractApprovedAt),
      expectedLegalEntityIds: row.expectedLegalEntityIds,
      deadlineAt: time(row.deadlineAt),
      overdueAt: time(row.overdueAt),
      completedAt: time(row.completedAt),
      projects: row.projects.map((project) => ({
        projectId: project.projectId,
        legalEntityId: project.legalEntityId,
        projectCreatedAt: time(project.projectCreatedAt),
        staffingDemandPublishedAt: time(project.staffingDemandPublishedAt),
        billingProvisionedAt: time(project.billingProvisionedAt),
      })),
    },
  };
}

/** Writes the process and its projects (a handful of rows per deal). */
export async function saveSetup(tx: ContractTx, process: SetupProcess): Promise<void> {
  await tx.setupProcess.update({ where: { dealId: process.dealId }, data: processColumns(process) });
  for (const project of process.projects) {
    const row = {
      legalEntityId: project.legalEntityId,
      projectCreatedAt: date(project.projectCreatedAt),
      staffingDemandPublishedAt: date(project.staffingDemandPublishedAt),
      billingProvisionedAt: date(project.billingProvisionedAt),
    };
    await tx.setupProject.upsert({
      where: { dealId_projectId: { dealId: process.dealId, projectId: project.projectId } },
      create: { projectId: project.projectId, dealId: process.dealId, ...row },
      update: row,
    });
  }
}

function processColumns(process: SetupProcess) {
  return {
    status: process.status,
    dealWonAt: new Date(process.dealWonAt),
    contractApprovedAt: date(process.contractApprovedAt),
    expectedLegalEntityIds: process.expectedLegalEntityIds,
    deadlineAt: date(process.deadlineAt),
    overdueAt: date(process.overdueAt),
    completedAt: date(process.completedAt),
  };
}

function time(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function date(value: number | null): Date | null {
  return value === null ? null : new Date(value);
}
