import {
  CustomerUpserted,
  LegalEntityUpserted,
  ProjectTemplateUpserted,
  RateCardUpserted,
} from '@throughline/contracts';

/** ERP master data ingress relays; each kind is one compacted topic keyed by its id. */
export const MASTER_DATA_KINDS = {
  CUSTOMER: { eventType: 'CustomerUpserted', idField: 'customerId' },
  LEGAL_ENTITY: { eventType: 'LegalEntityUpserted', idField: 'legalEntityId' },
  RATE_CARD: { eventType: 'RateCardUpserted', idField: 'rateCardId' },
  PROJECT_TEMPLATE: { eventType: 'ProjectTemplateUpserted', idField: 'templateId' },
} as const;

export type MasterDataKind = keyof typeof MASTER_DATA_KINDS;

/**
 * A record as the ERP sends it. Who sent it (`upsertedBy`) is added to the event only: it is not
 * part of the record, so the same record from another caller is unchanged, not a change.
 */
export type MasterDataRecord =
  | { kind: 'CUSTOMER'; payload: Omit<CustomerUpserted, 'upsertedBy'> }
  | { kind: 'LEGAL_ENTITY'; payload: Omit<LegalEntityUpserted, 'upsertedBy'> }
  | { kind: 'RATE_CARD'; payload: Omit<RateCardUpserted, 'upsertedBy'> }
  | { kind: 'PROJECT_TEMPLATE'; payload: Omit<ProjectTemplateUpserted, 'upsertedBy'> };

export function recordIdOf(record: MasterDataRecord): string {
  switch (record.kind) {
    case 'CUSTOMER':
      return record.payload.customerId;
    case 'LEGAL_ENTITY':
      return record.payload.legalEntityId;
    case 'RATE_CARD':
      return record.payload.rateCardId;
    case 'PROJECT_TEMPLATE':
      return record.payload.templateId;
  }
}

/** A broken rule, with the path of the field at fault in the request body. */
export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** Basis points in 100 %. */
export const WHOLE_FEE_BASIS_POINTS = 10_000;

/** Rules of a rate card beyond field formats: a sane validity window and one rate per role. */
export function rateCardIssues(
  card: Pick<RateCardUpserted, 'effectiveFrom' | 'effectiveTo' | 'rates'>,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (card.effectiveTo !== null && card.effectiveTo < card.effectiveFrom) {
    issues.push({
      path: ['effectiveTo'],
      message: `must be on or after effectiveFrom ${card.effectiveFrom} (got ${card.effectiveTo})`,
    });
  }
  const seen = new Set<string>();
  card.rates.forEach((rate, index) => {
    if (seen.has(rate.role)) {
      issues.push({ path: ['rates', index, 'role'], message: `role "${rate.role}" has more than one rate` });
    }
    seen.add(rate.role);
  });
  return issues;
}

/**
 * Rules of a project template: phases lie within the template's duration, milestones within their
 * phase (offsets are days from the project start), and milestone shares of the fee add up to at
 * most 100 %.
 */
export function projectTemplateIssues(
  template: Pick<ProjectTemplateUpserted, 'durationDays' | 'phases'>,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  let percentTotal = 0;
  template.phases.forEach((phase, phaseIndex) => {
    const phaseEnd = phase.offsetDays + phase.durationDays;
    if (phaseEnd > template.durationDays) {
      issues.push({
        path: ['phases', phaseIndex, 'durationDays'],
        message: `phase "${phase.name}" ends on day ${phaseEnd}, after the template's ${template.durationDays} days`,
      });
    }
    phase.milestones.forEach((milestone, milestoneIndex) => {
      if (milestone.offsetDays < phase.offsetDays || milestone.offsetDays > phaseEnd) {
        issues.push({
          path: ['phases', phaseIndex, 'milestones', milestoneIndex, 'offsetDays'],
          message: `milestone "${milestone.name}" on day ${milestone.offsetDays} lies outside its phase (days ${phase.offsetDays}..${phaseEnd})`,
        });
      }
      percentTotal += milestone.percentOfFee ?? 0;
    });
  });
  if (percentTotal > WHOLE_FEE_BASIS_POINTS) {
    issues.push({
      path: ['phases'],
      message: `milestone percentOfFee values add up to ${percentTotal} basis points; at most ${WHOLE_FEE_BASIS_POINTS} allowed`,
    });
  }
  return issues;
}
