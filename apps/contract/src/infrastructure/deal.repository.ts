import { ContractApproved, ExceptionOwnerRole } from '@throughline/contracts';

import { contractIdFor, Gap, GapCode, WonDeal } from '../domain/deal-evaluation';
import { ExceptionDescription, GapChanges } from '../domain/exceptions';
import { ContractTx } from './contract-db';

export type DealStatus = 'PENDING' | 'APPROVED';

export interface StoredDeal {
  deal: WonDeal;
  status: DealStatus;
  correlationId: string;
  contract: ContractApproved | null;
  receivedAt: number;
  approvedAt: number | null;
}

export interface StoredException extends ExceptionDescription {
  status: 'OPEN' | 'RESOLVED';
  raisedAt: number;
  resolvedAt: number | null;
}

/** Master data a PENDING deal references; any match means the deal must be re-evaluated. */
export interface DealReferences {
  customerId?: string;
  templateId?: string;
  legalEntityIds?: string[];
  rateCardIds?: string[];
}

type DealRow = NonNullable<Awaited<ReturnType<ContractTx['deal']['findUnique']>>>;

function toStoredDeal(row: DealRow): StoredDeal {
  return {
    deal: row.deal as unknown as WonDeal,
    status: row.status as DealStatus,
    correlationId: row.correlationId,
    contract: row.contract as unknown as ContractApproved | null,
    receivedAt: row.receivedAt.getTime(),
    approvedAt: row.approvedAt?.getTime() ?? null,
  };
}

export async function findDeal(tx: ContractTx, dealId: string): Promise<StoredDeal | null> {
  const row = await tx.deal.findUnique({ where: { dealId } });
  return row && toStoredDeal(row);
}

export async function insertDeal(
  tx: ContractTx,
  deal: WonDeal,
  correlationId: string,
  receivedAt: number,
): Promise<void> {
  await tx.deal.create({
    data: {
      dealId: deal.dealId,
      deal: asJson(deal),
      customerId: deal.customerId,
      templateId: deal.templateId,
      legalEntityIds: [...new Set(deal.lines.map((line) => line.legalEntityId))],
      rateCardIds: [...new Set(deal.lines.flatMap((line) => (line.rateCardId ? [line.rateCardId] : [])))],
      status: 'PENDING',
      contractId: contractIdFor(deal.dealId),
      correlationId,
      receivedAt: new Date(receivedAt),
    },
  });
}

export async function pendingDealsReferencing(
  tx: ContractTx,
  references: DealReferences,
): Promise<StoredDeal[]> {
  const anyOf = [
    ...(references.customerId ? [{ customerId: references.customerId }] : []),
    ...(references.templateId ? [{ templateId: references.templateId }] : []),
    ...(references.legalEntityIds?.length
      ? [{ legalEntityIds: { hasSome: references.legalEntityIds } }]
      : []),
    ...(references.rateCardIds?.length ? [{ rateCardIds: { hasSome: references.rateCardIds } }] : []),
  ];
  if (anyOf.length === 0) return [];
  const rows = await tx.deal.findMany({
    where: { status: 'PENDING', OR: anyOf },
    orderBy: { receivedAt: 'asc' },
  });
  return rows.map(toStoredDeal);
}

export async function markApproved(
  tx: ContractTx,
  contract: ContractApproved,
  approvedAt: number,
): Promise<void> {
  await tx.deal.update({
    where: { dealId: contract.dealId },
    data: { status: 'APPROVED', contract: asJson(contract), approvedAt: new Date(approvedAt) },
  });
}

export async function openGaps(tx: ContractTx, dealId: string): Promise<Gap[]> {
  const rows = await tx.dealException.findMany({
    where: { dealId, status: 'OPEN' },
    orderBy: { exceptionId: 'asc' },
  });
  return rows.map((row) => ({ ...toDescription(row), code: row.code as GapCode }));
}

/** Records raised gaps as OPEN (again, if they were resolved before) and resolved ones as RESOLVED. */
export async function saveGapChanges(
  tx: ContractTx,
  dealId: string,
  changes: GapChanges<Gap>,
  at: number,
): Promise<void> {
  for (const gap of changes.raised) {
    const row = {
      code: gap.code,
      ownerRole: gap.ownerRole,
      message: gap.message,
      remediation: gap.remediation,
      details: gap.details,
      status: 'OPEN',
      raisedAt: new Date(at),
      resolvedAt: null,
    };
    await tx.dealException.upsert({
      where: { exceptionId: gap.exceptionId },
      create: { exceptionId: gap.exceptionId, dealId, ...row },
      update: row,
    });
  }
  if (changes.resolved.length > 0) {
    await tx.dealException.updateMany({
      where: { exceptionId: { in: changes.resolved.map((gap) => gap.exceptionId) } },
      data: { status: 'RESOLVED', resolvedAt: new Date(at) },
    });
  }
}

/** Every exception raised for the deal, open first, then by when it was raised. */
export async function dealExceptions(tx: ContractTx, dealId: string): Promise<StoredException[]> {
  const rows = await tx.dealException.findMany({
    where: { dealId },
    orderBy: [{ status: 'asc' }, { raisedAt: 'asc' }, { exceptionId: 'asc' }],
  });
  return rows.map(toException);
}

/** A plain JSON copy: decoded payloads are Avro record instances, which Prisma cannot serialise. */
function asJson(value: object): object {
  return JSON.parse(JSON.stringify(value)) as object;
}

type ExceptionRow = Awaited<ReturnType<ContractTx['dealException']['findMany']>>[number];

function toDescription(row: ExceptionRow): ExceptionDescription {
  return {
    exceptionId: row.exceptionId,
    code: row.code,
    ownerRole: row.ownerRole as ExceptionOwnerRole,
    message: row.message,
    remediation: row.remediation,
    details: row.details as Record<string, string>,
  };
}

function toException(row: ExceptionRow): StoredException {
  return {
    ...toDescription(row),
    status: row.status as StoredException['status'],
    raisedAt: row.raisedAt.getTime(),
    resolvedAt: row.resolvedAt?.getTime() ?? null,
  };
}
