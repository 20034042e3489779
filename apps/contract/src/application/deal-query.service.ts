import { Inject, Injectable } from '@nestjs/common';

import { ContractApproved, ExceptionOwnerRole } from '@throughline/contracts';
import { NotFoundError } from '@throughline/platform';

import {
  missingSteps,
  SetupStage,
  setupStage,
  SetupStatus,
  setupSteps,
  SetupStep,
} from '../domain/setup-process';
import { ContractDb } from '../infrastructure/contract-db';
import { DealStatus, dealExceptions, findDeal, StoredException } from '../infrastructure/deal.repository';
import { loadSetup } from '../infrastructure/setup.repository';
import { CONTRACT_DB } from './tokens';

export interface ExceptionView {
  exceptionId: string;
  code: string;
  ownerRole: ExceptionOwnerRole;
  message: string;
  remediation: string;
  details: Record<string, string>;
  raisedAt: string;
  resolvedAt: string | null;
}

export interface DealView {
  dealId: string;
  dealName: string;
  customerId: string;
  templateId: string;
  closeDate: string;
  status: DealStatus;
  receivedAt: string;
  approvedAt: string | null;
  contract: ContractApproved | null;
  openGaps: ExceptionView[];
  resolvedGaps: ExceptionView[];
  setup: {
    status: SetupStatus;
    stage: SetupStage;
    deadlineAt: string | null;
    overdueAt: string | null;
    completedAt: string | null;
    missing: string[];
    steps: (Omit<SetupStep, 'at'> & { at: string | null })[];
  };
}

/** Read side for operators: where a deal stands, what blocks it, and how far its setup got. */
@Injectable()
export class DealQueryService {
  constructor(@Inject(CONTRACT_DB) private readonly db: ContractDb) {}

  async describe(dealId: string): Promise<DealView> {
    const stored = await findDeal(this.db, dealId);
    const setup = stored && (await loadSetup(this.db, dealId));
    if (!stored || !setup) throw new NotFoundError(`Unknown deal ${dealId}: no DealWon was received for it`);
    const exceptions = await dealExceptions(this.db, dealId);
    const { process } = setup;
    return {
      dealId,
      dealName: stored.deal.dealName,
      customerId: stored.deal.customerId,
      templateId: stored.deal.templateId,
      closeDate: stored.deal.closeDate,
      status: stored.status,
      receivedAt: iso(stored.receivedAt),
      approvedAt: isoOrNull(stored.approvedAt),
      contract: stored.contract,
      openGaps: exceptions.filter((e) => e.status === 'OPEN').map(toView),
      resolvedGaps: exceptions.filter((e) => e.status === 'RESOLVED').map(toView),
      setup: {
        status: process.status,
        stage: setupStage(process),
        deadlineAt: isoOrNull(process.deadlineAt),
        overdueAt: isoOrNull(process.overdueAt),
        completedAt: isoOrNull(process.completedAt),
        missing: missingSteps(process),
        steps: setupSteps(process).map((step) => ({ ...step, at: isoOrNull(step.at) })),
      },
    };
  }
}

function toView({ status: _status, raisedAt, resolvedAt, ...exception }: StoredException): ExceptionView {
  return { ...exception, raisedAt: iso(raisedAt), resolvedAt: isoOrNull(resolvedAt) };
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function isoOrNull(time: number | null): string | null {
  return time === null ? null : iso(time);
}
