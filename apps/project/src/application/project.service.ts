import { Inject, Injectable } from '@nestjs/common';

import { utcDateOf } from '@throughline/calendar';
import {
  BusinessExceptionRaised,
  ContractApproved,
  EventRecord,
  ProjectCreated,
  ProjectTemplateUpserted,
  RateCardUpserted,
} from '@throughline/contracts';
import {
  ConsumedEvent,
  createEvent,
  EventOrigin,
  handleOnce,
  MessagingRuntime,
} from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import {
  PlanProblem,
  planProjects,
  ProjectTemplateRecord,
  projectIdFor,
  RateCardRecord,
  referencesOf,
} from '../domain/project-plan';
import {
  lockContractPlanning,
  lockContracts,
  lockRateCardWrite,
  lockTemplateWrite,
} from '../infrastructure/planning-locks';
import { ProjectDb, projectOf, projectRow, ProjectTx, toJson } from '../infrastructure/project-db';
import { PendingContract, ProjectTemplate, RateCard } from '../infrastructure/prisma/generated/client';
import { applyHeldChangeOrders } from './plan-changes';

export const PROJECT_DB = Symbol('PROJECT_DB');
const SOURCE = 'project';

/** A contract on its way to becoming projects, with the flow it belongs to. */
interface ContractToPlan {
  contract: ContractApproved;
  approvedOn: string;
  /** Events created for the contract, even much later, continue its ContractApproved flow. */
  correlationId: string;
  causeEventId: string;
  openExceptions: OpenException[];
}

interface OpenException {
  key: string;
  exceptionId: string;
}

@Injectable()
export class ProjectService {
  constructor(
    @Inject(PROJECT_DB) private readonly db: ProjectDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** ContractApproved → one project per delivery, now or once its reference data has arrived. */
  async approveContract(event: ConsumedEvent<'ContractApproved'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const contract = event.data;
      await lockContractPlanning(tx, contract);
      const projectIds = contract.deliveries.map((d) => projectIdFor(contract.dealId, d.legalEntityId));
      const existing = await tx.project.count({ where: { projectId: { in: projectIds } } });
      if (existing === projectIds.length && projectIds.length > 0) return [];
      const pending = await tx.pendingContract.findUnique({ where: { contractId: contract.contractId } });
      return this.plan(tx, {
        contract,
        approvedOn: utcDateOf(event.envelope.occurredAt),
        correlationId: event.envelope.correlationId,
        causeEventId: event.envelope.eventId,
        openExceptions: pending ? openExceptionsOf(pending) : [],
      });
    });
  }

  /** Replicates a project template and plans the contracts that were waiting for it. */
  async upsertTemplate(event: ConsumedEvent<'ProjectTemplateUpserted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      // Who sent the record (upsertedBy) is not part of the replica.
      const { templateId, upsertedBy: _sender, ...template } = event.data;
      await lockTemplateWrite(tx, templateId);
      const stored = await tx.projectTemplate.findUnique({ where: { templateId } });
      if (isNewer(stored, event)) return [];
      const row = { ...template, phases: toJson(template.phases), sourceOccurredAt: occurredAt(event) };
      await tx.projectTemplate.upsert({ where: { templateId }, create: { templateId, ...row }, update: row });
      return this.replanPending(tx, await tx.pendingContract.findMany({ where: { templateId } }));
    });
  }

  /** Replicates a rate card and plans the contracts that were waiting for it. */
  async upsertRateCard(event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const { rateCardId, upsertedBy: _sender, ...rateCard } = event.data;
      await lockRateCardWrite(tx, rateCardId);
      const stored = await tx.rateCard.findUnique({ where: { rateCardId } });
      if (isNewer(stored, event)) return [];
      const row = { ...rateCard, rates: toJson(rateCard.rates), sourceOccurredAt: occurredAt(event) };
      await tx.rateCard.upsert({ where: { rateCardId }, create: { rateCardId, ...row }, update: row });
      const waiting = await tx.pendingContract.findMany({ where: { rateCardIds: { has: rateCardId } } });
      return this.replanPending(tx, waiting);
    });
  }

  async project(projectId: string): Promise<ProjectCreated> {
    const row = await this.db.project.findUnique({ where: { projectId } });
    if (!row) throw new NotFoundError(`Unknown project ${projectId}`);
    return projectOf(row);
  }

  async projectsOfDeal(dealId: string): Promise<ProjectCreated[]> {
    const rows = await this.db.project.findMany({ where: { dealId }, orderBy: { projectId: 'asc' } });
    return rows.map(projectOf);
  }

  /** Re-plans contracts that were pending when read; the caller holds the reference data's lock. */
  private async replanPending(tx: ProjectTx, rows: PendingContract[]): Promise<EventRecord[]> {
    await lockContracts(
      tx,
      rows.map((row) => row.contract as unknown as ContractApproved),
    );
    const emitted: EventRecord[] = [];
    for (const { contractId } of rows) {
      // Another reference-data change may have planned it while this one waited for its lock.
      const row = await tx.pendingContract.findUnique({ where: { contractId } });
      if (!row) continue;
      emitted.push(
        ...(await this.plan(tx, {
          contract: row.contract as unknown as ContractApproved,
          approvedOn: row.approvedOn,
          correlationId: row.correlationId,
          causeEventId: row.causeEventId,
          openExceptions: openExceptionsOf(row),
        })),
      );
    }
    return emitted;
  }

  /**
   * Creates the contract's projects when its reference data is complete and correct; otherwise
   * keeps it pending and keeps its business exceptions in step with its current problems.
   */
  private async plan(tx: ProjectTx, target: ContractToPlan): Promise<EventRecord[]> {
    const { contract } = target;
    const origin: EventOrigin = {
      source: SOURCE,
      correlationId: target.correlationId,
      causationId: target.causeEventId,
    };
    const references = referencesOf(contract);
    const template = await tx.projectTemplate.findUnique({ where: { templateId: references.templateId } });
    const rateCards = await tx.rateCard.findMany({ where: { rateCardId: { in: references.rateCardIds } } });
    const plan = planProjects(contract, target.approvedOn, {
      template: template ? templateOf(template) : undefined,
      rateCards: new Map(rateCards.map((rateCard) => [rateCard.rateCardId, rateCardOf(rateCard)])),
    });
    const problems = plan.kind === 'pending' ? plan.problems : [];
    const stillOpen = target.openExceptions.filter((open) => problems.some((p) => p.key === open.key));
    const resolved = target.openExceptions
      .filter((open) => !stillOpen.includes(open))
      .map((open) =>
        createEvent(
          'BusinessExceptionResolved',
          {
            exceptionId: open.exceptionId,
            entityType: 'Contract',
            entityId: contract.contractId,
            dealId: contract.dealId,
            resolution: 'The reference data was corrected',
          },
          origin,
        ),
      );

    if (plan.kind === 'ready') {
      const created: EventRecord[] = [];
      for (const project of plan.projects) {
        const exists = await tx.project.findUnique({ where: { projectId: project.projectId } });
        if (exists) continue;
        await tx.project.create({ data: projectRow(project) });
        created.push(createEvent('ProjectCreated', project, origin));
        created.push(...(await applyHeldChangeOrders(tx, project.projectId, Date.now())));
      }
      await tx.pendingContract.deleteMany({ where: { contractId: contract.contractId } });
      return [...created, ...resolved];
    }

    const newProblems = problems.filter((problem) => !stillOpen.some((open) => open.key === problem.key));
    const raised = newProblems.map((problem) =>
      createEvent('BusinessExceptionRaised', exceptionOf(contract, problem), origin),
    );
    const openExceptions: OpenException[] = [
      ...stillOpen,
      ...newProblems.map((problem) => ({ key: problem.key, exceptionId: exceptionIdOf(contract, problem) })),
    ];
    const row = {
      dealId: contract.dealId,
      templateId: references.templateId,
      rateCardIds: references.rateCardIds,
      contract: toJson(contract),
      approvedOn: target.approvedOn,
      correlationId: target.correlationId,
      causeEventId: target.causeEventId,
      waitingFor: plan.waitingFor,
      openExceptions: toJson(openExceptions),
    };
    await tx.pendingContract.upsert({
      where: { contractId: contract.contractId },
      create: { contractId: contract.contractId, ...row },
      update: row,
    });
    return [...raised, ...resolved];
  }
}

function exceptionIdOf(contract: ContractApproved, problem: PlanProblem): string {
  return `EXC-${contract.contractId}-${problem.key}`;
}

function exceptionOf(contract: ContractApproved, problem: PlanProblem): BusinessExceptionRaised {
  return {
    exceptionId: exceptionIdOf(contract, problem),
    ownerRole: problem.ownerRole,
    entityType: 'Contract',
    entityId: contract.contractId,
    dealId: contract.dealId,
    code: problem.code,
    message: problem.message,
    remediation: problem.remediation,
    details: problem.details,
  };
}

function openExceptionsOf(row: PendingContract): OpenException[] {
  return row.openExceptions as unknown as OpenException[];
}

function templateOf(row: ProjectTemplate): ProjectTemplateRecord {
  return {
    templateId: row.templateId,
    name: row.name,
    billingType: row.billingType as ProjectTemplateUpserted['billingType'],
    durationDays: row.durationDays,
    phases: row.phases as unknown as ProjectTemplateUpserted['phases'],
  };
}

function rateCardOf(row: RateCard): RateCardRecord {
  return {
    rateCardId: row.rateCardId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
    rates: row.rates as unknown as RateCardUpserted['rates'],
  };
}

function occurredAt(event: ConsumedEvent): bigint {
  return BigInt(event.envelope.occurredAt);
}

/** True when the stored replica comes from a later event than `event` (a late redelivery). */
function isNewer(stored: { sourceOccurredAt: bigint } | null, event: ConsumedEvent): boolean {
  return stored !== null && stored.sourceOccurredAt > occurredAt(event);
}
