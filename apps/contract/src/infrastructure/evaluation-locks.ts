import { LockMode, LockRequest, prismaExecutor, takeAdvisoryLocks } from '@throughline/persistence';

import { WonDeal } from '../domain/deal-evaluation';
import { ContractTx } from './contract-db';

/**
 * Transaction-scoped advisory locks on what deal evaluations share, so that evaluations of
 * different deals run in parallel (other partitions, other replicas) while the two races below
 * stay impossible:
 *
 * 1. A DealWon evaluated while master data it reads is being stored: the evaluation would not see
 *    the uncommitted record, and the master-data transaction would not see the uncommitted deal
 *    among the PENDING deals it re-evaluates, leaving the deal PENDING with nothing missing. So a
 *    master-data writer locks the record's key EXCLUSIVE and an evaluation locks every key it reads
 *    SHARED: evaluations never wait for each other, a writer and an evaluation reading its record
 *    always do. Rate cards are read by legal entity too (a deal line without a named card takes
 *    its legal entity's card), so a rate-card writer also locks its legal entities' keys.
 * 2. Two master-data changes (say the customer and the rate card) re-evaluating the same PENDING
 *    deal, each without the other's uncommitted record. Every evaluation locks its deal EXCLUSIVE;
 *    a writer takes it after storing its record, so the later one sees the earlier's commit. The
 *    writer must read the deal's status again once it holds the lock.
 *
 * Deadlocks are avoided by one global order: rate cards, then the other master data, then deals,
 * each by key. Successive calls in one transaction must follow it (a writer locks its master data
 * before the deals it re-evaluates).
 */

const RATE_CARD = 0;
const MASTER_DATA = 1;
const DEAL = 2;

/** Keys of the master data an evaluation reads or a writer stores. */
export interface MasterDataKeys {
  customerIds?: readonly string[];
  templateIds?: readonly string[];
  legalEntityIds?: readonly string[];
  rateCardIds?: readonly string[];
}

/** Locks everything the evaluation of `deal` (a DealWon) reads SHARED, and the deal itself EXCLUSIVE. */
export async function lockDealEvaluation(tx: ContractTx, deal: WonDeal): Promise<void> {
  await takeLocks(tx, [
    ...masterDataRequests(
      {
        customerIds: [deal.customerId],
        templateIds: [deal.templateId],
        legalEntityIds: deal.lines.map((line) => line.legalEntityId),
        rateCardIds: deal.lines.flatMap((line) => (line.rateCardId ? [line.rateCardId] : [])),
      },
      'shared',
    ),
    { rank: DEAL, key: dealKey(deal.dealId), mode: 'exclusive' },
  ]);
}

/** Locks master data about to be stored EXCLUSIVE (before the deals it re-evaluates). */
export async function lockMasterDataWrite(tx: ContractTx, keys: MasterDataKeys): Promise<void> {
  await takeLocks(tx, masterDataRequests(keys, 'exclusive'));
}

/** Locks deals about to be re-evaluated EXCLUSIVE, after the master data that resumes them. */
export async function lockDeals(tx: ContractTx, dealIds: readonly string[]): Promise<void> {
  await takeLocks(
    tx,
    dealIds.map((dealId) => ({ rank: DEAL, key: dealKey(dealId), mode: 'exclusive' as const })),
  );
}

function masterDataRequests(keys: MasterDataKeys, mode: LockMode): LockRequest[] {
  const of = (rank: number, kind: string, ids: readonly string[] = []) =>
    ids.map((id) => ({ rank, key: `contract:${kind}:${id}`, mode }));
  return [
    ...of(RATE_CARD, 'rate_card', keys.rateCardIds),
    ...of(MASTER_DATA, 'customer', keys.customerIds),
    ...of(MASTER_DATA, 'template', keys.templateIds),
    ...of(MASTER_DATA, 'legal_entity', keys.legalEntityIds),
  ];
}

function dealKey(dealId: string): string {
  return `contract:deal:${dealId}`;
}

function takeLocks(tx: ContractTx, requests: readonly LockRequest[]): Promise<void> {
  return takeAdvisoryLocks(prismaExecutor(tx), requests);
}
