import { ContractApproved } from '@throughline/contracts';
import { LockRequest, prismaExecutor, takeAdvisoryLocks } from '@throughline/persistence';

import { projectIdFor, referencesOf } from '../domain/project-plan';
import { ProjectTx } from './project-db';

/**
 * Transaction-scoped advisory locks on what planning transactions share, so that contracts of
 * different deals are planned in parallel (other partitions, other replicas) while these races
 * stay impossible:
 *
 * 1. A contract planned while its template or rate card is being stored: it would read "no
 *    template yet" while the template's transaction finds no pending contract (the contract's row
 *    is uncommitted), leaving the contract pending for good. A reference-data writer locks the
 *    record's key EXCLUSIVE and planning locks the keys it reads SHARED: contracts never wait for
 *    each other, a writer and a contract that reads its record always do.
 * 2. Two reference-data changes (the template and a rate card) re-planning the same pending
 *    contract, each without the other's uncommitted record. Planning locks the contract EXCLUSIVE;
 *    a writer takes it after storing its record, so the later one sees the earlier's commit. The
 *    writer must read the pending contract again once it holds the lock.
 * 3. A change order for a project that does not exist yet, held while the project is being created:
 *    the creation would not see the uncommitted held change order and the change order would stay
 *    held. Project creation and change orders lock the project id EXCLUSIVE, row or no row.
 *
 * Deadlocks are avoided by one global order: reference data, then contracts, then projects, each
 * by key. Successive calls in one transaction must follow it.
 */

const REFERENCE_DATA = 0;
const CONTRACT = 1;
const PROJECT = 2;

/** Locks what planning `contract` reads SHARED, and the contract and its projects EXCLUSIVE. */
export async function lockContractPlanning(tx: ProjectTx, contract: ContractApproved): Promise<void> {
  const { templateId, rateCardIds } = referencesOf(contract);
  await takeLocks(tx, [
    { rank: REFERENCE_DATA, key: `project:template:${templateId}`, mode: 'shared' },
    ...rateCardIds.map((id) => ({
      rank: REFERENCE_DATA,
      key: `project:rate_card:${id}`,
      mode: 'shared' as const,
    })),
    ...contractRequests(contract),
  ]);
}

/** Locks a template about to be stored EXCLUSIVE (before the contracts it re-plans). */
export async function lockTemplateWrite(tx: ProjectTx, templateId: string): Promise<void> {
  await takeLocks(tx, [{ rank: REFERENCE_DATA, key: `project:template:${templateId}`, mode: 'exclusive' }]);
}

/** Locks a rate card about to be stored EXCLUSIVE (before the contracts it re-plans). */
export async function lockRateCardWrite(tx: ProjectTx, rateCardId: string): Promise<void> {
  await takeLocks(tx, [{ rank: REFERENCE_DATA, key: `project:rate_card:${rateCardId}`, mode: 'exclusive' }]);
}

/** Locks pending contracts about to be re-planned, and their projects, EXCLUSIVE. */
export async function lockContracts(tx: ProjectTx, contracts: readonly ContractApproved[]): Promise<void> {
  await takeLocks(tx, contracts.flatMap(contractRequests));
}

/** Locks one project id EXCLUSIVE, whether or not the project exists yet. */
export async function lockProjectId(tx: ProjectTx, projectId: string): Promise<void> {
  await takeLocks(tx, [{ rank: PROJECT, key: projectKey(projectId), mode: 'exclusive' }]);
}

function contractRequests(contract: ContractApproved): LockRequest[] {
  return [
    { rank: CONTRACT, key: `project:contract:${contract.contractId}`, mode: 'exclusive' },
    ...contract.deliveries.map((delivery) => ({
      rank: PROJECT,
      key: projectKey(projectIdFor(contract.dealId, delivery.legalEntityId)),
      mode: 'exclusive' as const,
    })),
  ];
}

function projectKey(projectId: string): string {
  return `project:project:${projectId}`;
}

function takeLocks(tx: ProjectTx, requests: readonly LockRequest[]): Promise<void> {
  return takeAdvisoryLocks(prismaExecutor(tx), requests);
}
