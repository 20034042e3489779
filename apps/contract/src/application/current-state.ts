import { epochDay } from '@throughline/calendar';
import { ContractApproved, ContractState, DealState, DealWon } from '@throughline/contracts';
import { CurrentStateConfig } from '@throughline/messaging';

import { ContractTx } from '../infrastructure/contract-db';
import { SOURCE } from './tokens';

type DealRow = NonNullable<Awaited<ReturnType<ContractTx['deal']['findUnique']>>>;
type SetupRow = NonNullable<Awaited<ReturnType<ContractTx['setupProcess']['findUnique']>>>;

export function dealStateOf(
  row: DealRow,
  openExceptionCodes: readonly string[],
  setup: SetupRow | null,
  projectIds: readonly string[],
): DealState {
  const deal = row.deal as unknown as DealWon;
  return {
    dealId: row.dealId,
    dealName: deal.dealName,
    customerId: row.customerId,
    currency: deal.currency,
    amountMinor: deal.amountMinor,
    templateId: row.templateId,
    legalEntityIds: [...row.legalEntityIds],
    status: row.status as DealState['status'],
    contractId: row.contractId,
    openExceptionCodes: [...new Set(openExceptionCodes)].sort(),
    setupStatus: (setup?.status ?? null) as DealState['setupStatus'],
    projectIds: [...projectIds].sort(),
    receivedAt: row.receivedAt.getTime(),
    approvedAt: row.approvedAt?.getTime() ?? null,
    setupCompletedAt: setup?.completedAt?.getTime() ?? null,
  };
}

/** The approved contract of a deal; null while the deal is pending. */
export function contractStateOf(row: DealRow): ContractState | null {
  const contract = row.contract as unknown as ContractApproved | null;
  if (!contract || !row.approvedAt) return null;
  return {
    contractId: contract.contractId,
    dealId: contract.dealId,
    customerId: contract.customerId,
    templateId: contract.templateId,
    billingType: contract.billingType,
    deliveries: contract.deliveries,
    dealName: contract.dealName,
    startDate: contract.startDate === null ? null : epochDay(contract.startDate),
    approvedAt: row.approvedAt.getTime(),
  };
}

async function dealStates(tx: ContractTx, ids: readonly string[]): Promise<Map<string, DealState>> {
  const dealIds = [...ids];
  // One transaction is one connection: its queries run one after the other.
  const deals = await tx.deal.findMany({ where: { dealId: { in: dealIds } } });
  const open = await tx.dealException.findMany({
    where: { dealId: { in: dealIds }, status: 'OPEN' },
    select: { dealId: true, code: true },
  });
  const setups = await tx.setupProcess.findMany({ where: { dealId: { in: dealIds } } });
  const projects = await tx.setupProject.findMany({
    where: { dealId: { in: dealIds } },
    select: { dealId: true, projectId: true },
  });
  return new Map(
    deals.map((row) => [
      row.dealId,
      dealStateOf(
        row,
        open.filter((exception) => exception.dealId === row.dealId).map((exception) => exception.code),
        setups.find((setup) => setup.dealId === row.dealId) ?? null,
        projects.filter((project) => project.dealId === row.dealId).map((project) => project.projectId),
      ),
    ]),
  );
}

async function contractStates(tx: ContractTx, ids: readonly string[]): Promise<Map<string, ContractState>> {
  const deals = await tx.deal.findMany({ where: { contractId: { in: [...ids] } } });
  const states = new Map<string, ContractState>();
  for (const row of deals) {
    const state = contractStateOf(row);
    if (state) states.set(state.contractId, state);
  }
  return states;
}

/**
 * The contract service's current-state topics: every change to a deal, its exceptions or its setup
 * (tracked by migration 002) publishes the deal's full state, and the contract's once approved.
 */
export const CONTRACT_CURRENT_STATE: CurrentStateConfig<ContractTx> = {
  source: SOURCE,
  entities: [
    { entity: 'deal', eventType: 'DealState', load: dealStates },
    { entity: 'contract', eventType: 'ContractState', load: contractStates },
  ],
};
