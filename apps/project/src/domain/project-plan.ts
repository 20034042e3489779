import { addDays, isIsoDate } from '@throughline/calendar';
import {
  ContractApproved,
  ContractDelivery,
  ExceptionOwnerRole,
  ProjectCreated,
  ProjectMilestone,
  ProjectPhase,
  ProjectRole,
  ProjectTemplateUpserted,
  RateCardRate,
  RateCardUpserted,
} from '@throughline/contracts';

import { FULL_FEE_BASIS_POINTS, splitByBasisPoints } from './money';

/** Master data as this service keeps it: who sent a record (upsertedBy) is not kept. */
export type ProjectTemplateRecord = Omit<ProjectTemplateUpserted, 'upsertedBy'>;
export type RateCardRecord = Omit<RateCardUpserted, 'upsertedBy'>;

/** Reference data (replicated from master-data events) a contract is planned against. */
export interface ReferenceData {
  template: ProjectTemplateRecord | undefined;
  rateCards: ReadonlyMap<string, RateCardRecord>;
}

/** Something only a person can fix; the contract waits until the reference data is corrected. */
export interface PlanProblem {
  /** Stable per contract: the same problem raised again has the same key. */
  key: string;
  code: 'INVALID_PROJECT_TEMPLATE' | 'INCOMPLETE_RATE_CARD' | 'INVALID_CONTRACT';
  ownerRole: ExceptionOwnerRole;
  message: string;
  remediation: string;
  details: Record<string, string>;
}

/**
 * `ready`: the projects to create. `pending`: reference data has not arrived yet (`waitingFor`,
 * normal when events arrive out of order) or is wrong (`problems`, for a person to fix).
 */
export type ProjectPlan =
  | { kind: 'ready'; projects: ProjectCreated[] }
  | { kind: 'pending'; waitingFor: string[]; problems: PlanProblem[] };

export function projectIdFor(dealId: string, legalEntityId: string): string {
  return `PRJ-${dealId}-${legalEntityId}`;
}

/** The template and rate cards a contract is planned against. */
export function referencesOf(contract: ContractApproved): { templateId: string; rateCardIds: string[] } {
  return {
    templateId: contract.templateId,
    rateCardIds: [...new Set(contract.deliveries.map((delivery) => delivery.rateCardId))],
  };
}

/**
 * Plans one project per delivery (delivering legal entity) of an approved contract, scheduled
 * from the contract's start date or, for contracts without one, `approvedOn`.
 */
export function planProjects(
  contract: ContractApproved,
  approvedOn: string,
  reference: ReferenceData,
): ProjectPlan {
  const startDate = contract.startDate ?? approvedOn;
  const waitingFor: string[] = [];
  const problems = contractProblems(contract, startDate);
  const { template } = reference;
  if (template) problems.push(...templateProblems(template, contract));
  else waitingFor.push(`project template ${contract.templateId}`);
  for (const rateCardId of referencesOf(contract).rateCardIds) {
    const rateCard = reference.rateCards.get(rateCardId);
    if (rateCard) problems.push(...rateCardProblems(rateCard, contract));
    else waitingFor.push(`rate card ${rateCardId}`);
  }
  if (!template || waitingFor.length > 0 || problems.length > 0) {
    return { kind: 'pending', waitingFor, problems };
  }
  return {
    kind: 'ready',
    projects: contract.deliveries.map((delivery) =>
      projectFor(
        contract,
        delivery,
        startDate,
        template,
        reference.rateCards.get(delivery.rateCardId)?.rates ?? [],
      ),
    ),
  };
}

function projectFor(
  contract: ContractApproved,
  delivery: ContractDelivery,
  startDate: string,
  template: ProjectTemplateRecord,
  rates: readonly RateCardRate[],
): ProjectCreated {
  const projectId = projectIdFor(contract.dealId, delivery.legalEntityId);
  const phases: ProjectPhase[] = template.phases.map((phase, p) => ({
    phaseId: `${projectId}-PH${p + 1}`,
    name: phase.name,
    startDate: addDays(startDate, phase.offsetDays),
    endDate: addDays(startDate, phase.offsetDays + phase.durationDays - 1),
    milestones: phase.milestones.map((milestone, m): ProjectMilestone => ({
      milestoneId: `${projectId}-PH${p + 1}-MS${m + 1}`,
      name: milestone.name,
      dueDate: addDays(startDate, milestone.offsetDays),
      amountMinor: null,
      percentOfFee: milestone.percentOfFee,
    })),
  }));
  if (contract.billingType === 'FIXED_FEE_MILESTONE') priceMilestones(phases, delivery.budgetMinor);
  return {
    projectId,
    contractId: contract.contractId,
    dealId: contract.dealId,
    customerId: contract.customerId,
    legalEntityId: delivery.legalEntityId,
    currency: delivery.currency,
    billingType: contract.billingType,
    templateId: contract.templateId,
    name: `${contract.dealName ?? contract.dealId} (${delivery.country})`,
    startDate,
    endDate: addDays(startDate, template.durationDays - 1),
    budgetMinor: delivery.budgetMinor,
    phases,
    roles: rolesOf(delivery, rates),
    // Billing prices the project's time from the card the contract names, not any card of the entity.
    rateCardId: delivery.rateCardId,
  };
}

/** Fixed-fee milestones share the budget by their percentOfFee; they sum exactly to the budget. */
function priceMilestones(phases: ProjectPhase[], budgetMinor: number): void {
  const milestones = phases.flatMap((phase) => phase.milestones);
  const amounts = splitByBasisPoints(
    budgetMinor,
    milestones.map((milestone) => milestone.percentOfFee ?? 0),
  );
  milestones.forEach((milestone, i) => (milestone.amountMinor = amounts[i]));
}

/** Delivery lines aggregated per role (in first-seen order), priced from the delivery's rate card. */
function rolesOf(delivery: ContractDelivery, rates: readonly RateCardRate[]): ProjectRole[] {
  const roles = new Map<string, ProjectRole>();
  for (const line of delivery.lines) {
    const role = roles.get(line.role);
    if (role) {
      role.hoursHundredths += line.hoursHundredths;
    } else {
      const rate = rates.find((candidate) => candidate.role === line.role);
      roles.set(line.role, {
        role: line.role,
        hoursHundredths: line.hoursHundredths,
        rateMinor: rate?.rateMinor ?? 0,
        skills: [],
      });
    }
  }
  return [...roles.values()];
}

function contractProblems(contract: ContractApproved, startDate: string): PlanProblem[] {
  const reasons: string[] = [];
  if (!isIsoDate(startDate)) reasons.push(`startDate "${startDate}" is not an ISO date (YYYY-MM-DD)`);
  if (contract.deliveries.length === 0) reasons.push('it has no deliveries');
  const entities = contract.deliveries.map((delivery) => delivery.legalEntityId);
  const repeated = [...new Set(entities.filter((entity, i) => entities.indexOf(entity) !== i))];
  if (repeated.length > 0) reasons.push(`legal entities ${repeated.join(', ')} deliver more than once`);
  if (contract.deliveries.some((delivery) => delivery.budgetMinor < 0)) reasons.push('a budget is negative');
  if (reasons.length === 0) return [];
  return [
    {
      key: 'INVALID_CONTRACT',
      code: 'INVALID_CONTRACT',
      ownerRole: 'SALES_OPERATIONS',
      message: `Contract ${contract.contractId} cannot be set up as projects: ${reasons.join('; ')}`,
      remediation: 'Correct the contract and approve it again',
      details: { contractId: contract.contractId },
    },
  ];
}

function templateProblems(template: ProjectTemplateRecord, contract: ContractApproved): PlanProblem[] {
  const reasons: string[] = [];
  if (template.durationDays < 1) reasons.push(`durationDays is ${template.durationDays}`);
  template.phases.forEach((phase) => {
    if (phase.offsetDays < 0 || phase.durationDays < 1) {
      reasons.push(
        `phase "${phase.name}" has offsetDays ${phase.offsetDays}, durationDays ${phase.durationDays}`,
      );
    } else if (phase.offsetDays + phase.durationDays > template.durationDays) {
      reasons.push(
        `phase "${phase.name}" ends after the project (day ${phase.offsetDays + phase.durationDays})`,
      );
    }
    for (const milestone of phase.milestones) {
      if (milestone.offsetDays < 0 || milestone.offsetDays >= template.durationDays) {
        reasons.push(
          `milestone "${milestone.name}" is due outside the project (day ${milestone.offsetDays})`,
        );
      }
    }
  });
  if (contract.billingType === 'FIXED_FEE_MILESTONE') {
    const milestones = template.phases.flatMap((phase) => phase.milestones);
    const percents = milestones.map((milestone) => milestone.percentOfFee);
    if (milestones.length === 0) {
      reasons.push('a milestone-billed template needs milestones');
    } else if (percents.some((bp) => bp === null || bp < 0)) {
      reasons.push('every milestone of a milestone-billed template needs a percentOfFee ≥ 0');
    } else {
      const total = percents.reduce<number>((sum, bp) => sum + (bp ?? 0), 0);
      if (total !== FULL_FEE_BASIS_POINTS) {
        reasons.push(`milestone percentOfFee sums to ${total} basis points, not ${FULL_FEE_BASIS_POINTS}`);
      }
    }
  }
  if (reasons.length === 0) return [];
  return [
    {
      key: `INVALID_PROJECT_TEMPLATE:${template.templateId}`,
      code: 'INVALID_PROJECT_TEMPLATE',
      ownerRole: 'MASTER_DATA',
      message: `Project template ${template.templateId} cannot schedule contract ${contract.contractId}: ${reasons.join('; ')}`,
      remediation: `Correct project template ${template.templateId} in the ERP; the projects are created when it is republished`,
      details: { templateId: template.templateId, billingType: contract.billingType },
    },
  ];
}

function rateCardProblems(rateCard: RateCardRecord, contract: ContractApproved): PlanProblem[] {
  const deliveries = contract.deliveries.filter((delivery) => delivery.rateCardId === rateCard.rateCardId);
  const reasons: string[] = [];
  const currencies = [...new Set(deliveries.map((delivery) => delivery.currency))];
  const wrongCurrencies = currencies.filter((currency) => currency !== rateCard.currency);
  if (wrongCurrencies.length > 0) {
    reasons.push(`its rates are in ${rateCard.currency}, the deliveries in ${wrongCurrencies.join(', ')}`);
  }
  const roles = [...new Set(deliveries.flatMap((delivery) => delivery.lines.map((line) => line.role)))];
  const missing = roles.filter((role) => !rateCard.rates.some((rate) => rate.role === role));
  if (missing.length > 0) reasons.push(`it has no rate for ${missing.join(', ')}`);
  if (reasons.length === 0) return [];
  return [
    {
      key: `INCOMPLETE_RATE_CARD:${rateCard.rateCardId}`,
      code: 'INCOMPLETE_RATE_CARD',
      ownerRole: 'MASTER_DATA',
      message: `Rate card ${rateCard.rateCardId} cannot price contract ${contract.contractId}: ${reasons.join('; ')}`,
      remediation: `Correct rate card ${rateCard.rateCardId} in the ERP; the projects are created when it is republished`,
      details: {
        rateCardId: rateCard.rateCardId,
        legalEntityId: rateCard.legalEntityId,
        missingRoles: missing.join(','),
      },
    },
  ];
}
