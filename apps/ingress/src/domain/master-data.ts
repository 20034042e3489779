import {
  CustomerTaxProfileUpserted,
  CustomerUpserted,
  LegalEntityUpserted,
  ProjectTemplateUpserted,
  RateCardUpserted,
  TaxRegimeUpserted,
} from '@throughline/contracts';

/** ERP master data ingress relays; each kind is one compacted topic keyed by its id. */
export const MASTER_DATA_KINDS = {
  CUSTOMER: { eventType: 'CustomerUpserted', idField: 'customerId' },
  LEGAL_ENTITY: { eventType: 'LegalEntityUpserted', idField: 'legalEntityId' },
  RATE_CARD: { eventType: 'RateCardUpserted', idField: 'rateCardId' },
  PROJECT_TEMPLATE: { eventType: 'ProjectTemplateUpserted', idField: 'templateId' },
  TAX_REGIME: { eventType: 'TaxRegimeUpserted', idField: 'legalEntityId' },
  CUSTOMER_TAX_PROFILE: { eventType: 'CustomerTaxProfileUpserted', idField: 'customerId' },
} as const;

export type MasterDataKind = keyof typeof MASTER_DATA_KINDS;

/** One dated rate of a tax code as the ERP sends it: ISO dates (the event carries epoch days). */
export interface TaxRegimeRateRecord {
  taxCode: string;
  rateBasisPoints: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/** A legal entity's tax regime as the ERP sends it and ingress stores it. */
export type TaxRegimeRecord = Omit<TaxRegimeUpserted, 'upsertedBy' | 'rates'> & {
  rates: TaxRegimeRateRecord[];
};

/** Billing's code for reverse-charged lines; an ERP tax code of that name would be ambiguous. */
export const RESERVED_TAX_CODE = 'REVERSE_CHARGE';

/**
 * A record as the ERP sends it. Who sent it (`upsertedBy`) is added to the event only: it is not
 * part of the record, so the same record from another caller is unchanged, not a change.
 */
export type MasterDataRecord =
  | { kind: 'CUSTOMER'; payload: Omit<CustomerUpserted, 'upsertedBy'> }
  | { kind: 'LEGAL_ENTITY'; payload: Omit<LegalEntityUpserted, 'upsertedBy'> }
  | { kind: 'RATE_CARD'; payload: Omit<RateCardUpserted, 'upsertedBy'> }
  | { kind: 'PROJECT_TEMPLATE'; payload: Omit<ProjectTemplateUpserted, 'upsertedBy'> }
  | { kind: 'TAX_REGIME'; payload: TaxRegimeRecord }
  | { kind: 'CUSTOMER_TAX_PROFILE'; payload: Omit<CustomerTaxProfileUpserted, 'upsertedBy'> };

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
    case 'TAX_REGIME':
      return record.payload.legalEntityId;
    case 'CUSTOMER_TAX_PROFILE':
      return record.payload.customerId;
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

/**
 * Rules of a tax regime beyond field formats: every rate has a sane validity window, no tax code has
 * two versions starting the same day (which one applies would be ambiguous; versions that merely
 * overlap are fine, the later start wins), the standard code has a rate, and no code is named
 * REVERSE_CHARGE (billing's code for reverse-charged lines).
 */
export function taxRegimeIssues(regime: Pick<TaxRegimeRecord, 'standardTaxCode' | 'rates'>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const starts = new Set<string>();
  regime.rates.forEach((rate, index) => {
    if (rate.effectiveTo !== null && rate.effectiveTo < rate.effectiveFrom) {
      issues.push({
        path: ['rates', index, 'effectiveTo'],
        message: `must be on or after effectiveFrom ${rate.effectiveFrom} (got ${rate.effectiveTo})`,
      });
    }
    if (rate.taxCode === RESERVED_TAX_CODE) {
      issues.push({
        path: ['rates', index, 'taxCode'],
        message: `${RESERVED_TAX_CODE} is reserved for reverse-charged lines`,
      });
    }
    const start = `${rate.taxCode}@${rate.effectiveFrom}`;
    if (starts.has(start)) {
      issues.push({
        path: ['rates', index, 'effectiveFrom'],
        message: `tax code "${rate.taxCode}" has more than one rate from ${rate.effectiveFrom}`,
      });
    }
    starts.add(start);
  });
  if (!regime.rates.some((rate) => rate.taxCode === regime.standardTaxCode)) {
    issues.push({
      path: ['standardTaxCode'],
      message: `"${regime.standardTaxCode}" has no rate in rates`,
    });
  }
  return issues;
}
