import {
  BillingType,
  ContractApproved,
  ContractDelivery,
  CustomerUpserted,
  DealLine,
  DealWon,
  ExceptionOwnerRole,
  LegalEntityUpserted,
  RateCardUpserted,
} from '@throughline/contracts';

import { contractStartDate } from './calendar';
import { ExceptionDescription } from './exceptions';

/** A won deal as this service keeps it: the sales owner's e-mail is personal data it does not need. */
export type WonDeal = Omit<DealWon, 'salesOwnerEmail'>;

/** ERP master data as this service keeps it: who sent a record (upsertedBy) is not kept. */
export type CustomerRecord = Omit<CustomerUpserted, 'upsertedBy'>;
export type LegalEntityRecord = Omit<LegalEntityUpserted, 'upsertedBy'>;
export type RateCardRecord = Omit<RateCardUpserted, 'upsertedBy'>;

export interface TemplateSummary {
  templateId: string;
  name: string;
  billingType: BillingType;
}

/** The ERP master data a deal is validated against, as replicated locally. */
export interface MasterData {
  customer: CustomerRecord | null;
  template: TemplateSummary | null;
  legalEntities: readonly LegalEntityRecord[];
  /** Every rate card of the deal's legal entities, plus the ones its lines name. */
  rateCards: readonly RateCardRecord[];
}

/** Who must act on each kind of gap. */
export const GAP_OWNERS = {
  UNKNOWN_CUSTOMER: 'MASTER_DATA',
  // A blocked customer is a credit or compliance hold, which finance owns in the ERP.
  CUSTOMER_BLOCKED: 'FINANCE_OPERATIONS',
  UNKNOWN_TEMPLATE: 'DELIVERY',
  DEAL_WITHOUT_LINES: 'SALES_OPERATIONS',
  UNKNOWN_LEGAL_ENTITY: 'MASTER_DATA',
  MISSING_TAX_REGISTRATION: 'FINANCE_OPERATIONS',
  LEGAL_ENTITY_CURRENCY_MISMATCH: 'FINANCE_OPERATIONS',
  CONFLICTING_RATE_CARDS: 'SALES_OPERATIONS',
  MISSING_RATE_CARD: 'SALES_OPERATIONS',
  ROLE_NOT_ON_RATE_CARD: 'SALES_OPERATIONS',
} as const satisfies Record<string, ExceptionOwnerRole>;

export type GapCode = keyof typeof GAP_OWNERS;

/** Something the deal needs before its contract can be approved; raised as a business exception. */
export interface Gap extends ExceptionDescription {
  /** Deterministic per (deal, code, subject), so re-evaluating a deal never duplicates an exception. */
  exceptionId: string;
  code: GapCode;
}

export type DealEvaluation =
  { status: 'PENDING'; gaps: Gap[] } | { status: 'APPROVED'; contract: ContractApproved };

export function contractIdFor(dealId: string): string {
  return `CTR-${dealId}`;
}

export function exceptionIdFor(dealId: string, code: string, subject?: string): string {
  return subject === undefined ? `${dealId}:${code}` : `${dealId}:${code}:${subject}`;
}

const RESUMES = 'The deal is re-evaluated automatically when the change arrives.';

/**
 * Validates a won deal against master data and, when nothing is missing, approves its contract:
 * one delivery per delivering legal entity (in the order the deal first names them), in that legal
 * entity's currency, priced from one rate card effective on the close date. Every gap found is
 * reported at once, so each owner can act in parallel.
 */
export function evaluateDeal(deal: WonDeal, masterData: MasterData): DealEvaluation {
  const gaps = new GapCollector(deal.dealId);
  checkCustomer(deal, masterData.customer, gaps);
  if (!masterData.template) {
    gaps.add('UNKNOWN_TEMPLATE', deal.templateId, {
      message: `Project template ${deal.templateId} of deal ${deal.dealId} is unknown`,
      remediation:
        `Publish the template from the ERP: PUT /erp/project-templates/${deal.templateId} on ingress ` +
        `with {"name","billingType","durationDays","phases"}. ${RESUMES}`,
      details: { templateId: deal.templateId },
    });
  }
  if (deal.lines.length === 0) {
    gaps.add('DEAL_WITHOUT_LINES', deal.dealId, {
      message: `Deal ${deal.dealId} has no line items, so no legal entity is set to deliver it`,
      remediation:
        'Add line items (legal entity, role, hours, amount) to the deal in the CRM and win it again ' +
        'as a new deal; a deal already won is not re-read.',
      details: {},
    });
  }
  const deliveries: ContractDelivery[] = [];
  for (const [legalEntityId, lines] of groupBy(deal.lines, (line) => line.legalEntityId)) {
    const legalEntity = masterData.legalEntities.find((entity) => entity.legalEntityId === legalEntityId);
    if (legalEntity) checkLegalEntity(deal, legalEntity, lines, gaps);
    else {
      gaps.add('UNKNOWN_LEGAL_ENTITY', legalEntityId, {
        message: `Legal entity ${legalEntityId} delivering lines ${lineIds(lines)} of deal ${deal.dealId} is unknown`,
        remediation:
          `Publish the legal entity from the ERP: PUT /erp/legal-entities/${legalEntityId} on ingress with ` +
          `{"name","country","currency":"${lines[0]?.currency}","taxRegistrationId"}. ${RESUMES}`,
        details: { legalEntityId },
      });
    }
    const rateCard = resolveRateCard(deal, legalEntityId, lines, masterData.rateCards, gaps);
    if (legalEntity && rateCard) {
      deliveries.push({
        legalEntityId,
        currency: legalEntity.currency,
        country: legalEntity.country,
        rateCardId: rateCard.rateCardId,
        budgetMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0),
        lines: lines.map(({ lineId, role, hoursHundredths, amountMinor }) => ({
          lineId,
          role,
          hoursHundredths,
          amountMinor,
        })),
      });
    }
  }
  const found = gaps.list();
  if (found.length > 0 || !masterData.template) return { status: 'PENDING', gaps: found };
  return {
    status: 'APPROVED',
    contract: {
      contractId: contractIdFor(deal.dealId),
      dealId: deal.dealId,
      customerId: deal.customerId,
      templateId: deal.templateId,
      billingType: masterData.template.billingType,
      deliveries,
      dealName: deal.dealName,
      startDate: contractStartDate(deal.closeDate),
    },
  };
}

function checkCustomer(deal: WonDeal, customer: CustomerRecord | null, gaps: GapCollector): void {
  const { customerId } = deal;
  if (!customer) {
    gaps.add('UNKNOWN_CUSTOMER', customerId, {
      message: `Customer ${customerId} (${deal.customerName}) of deal ${deal.dealId} is unknown`,
      remediation:
        `Publish the customer from the ERP: PUT /erp/customers/${customerId} on ingress with ` +
        `{"name","status":"ACTIVE","billingCurrency"}. ${RESUMES}`,
      details: { customerId },
    });
  } else if (customer.status !== 'ACTIVE') {
    gaps.add('CUSTOMER_BLOCKED', customerId, {
      message: `Customer ${customerId} (${customer.name}) of deal ${deal.dealId} is ${customer.status} in the ERP`,
      remediation:
        `Release the customer's block in the ERP if the deal may go ahead: PUT /erp/customers/${customerId} ` +
        `on ingress with "status":"ACTIVE". ${RESUMES}`,
      details: { customerId, status: customer.status },
    });
  }
}

function checkLegalEntity(
  deal: WonDeal,
  legalEntity: LegalEntityRecord,
  lines: readonly DealLine[],
  gaps: GapCollector,
): void {
  const { legalEntityId } = legalEntity;
  if (legalEntity.taxRegistrationId === null) {
    gaps.add('MISSING_TAX_REGISTRATION', legalEntityId, {
      message: `Legal entity ${legalEntityId} (${legalEntity.name}) has no tax registration, so it cannot invoice deal ${deal.dealId}`,
      remediation:
        `Record the tax registration in the ERP: PUT /erp/legal-entities/${legalEntityId} on ingress with ` +
        `its current body and "taxRegistrationId" set. ${RESUMES}`,
      details: { legalEntityId, country: legalEntity.country },
    });
  }
  for (const [currency, linesInCurrency] of groupBy(lines, (line) => line.currency)) {
    if (currency === legalEntity.currency) continue;
    gaps.add('LEGAL_ENTITY_CURRENCY_MISMATCH', `${legalEntityId}/${currency}`, {
      message:
        `Lines ${lineIds(linesInCurrency)} of deal ${deal.dealId} are in ${currency}, but legal entity ` +
        `${legalEntityId} delivers and invoices in ${legalEntity.currency}`,
      remediation:
        `If ${legalEntityId}'s functional currency is wrong, correct it in the ERP: PUT /erp/legal-entities/` +
        `${legalEntityId} on ingress with "currency":"${currency}". Otherwise the deal must be re-quoted in ` +
        `${legalEntity.currency} in the CRM. ${RESUMES}`,
      details: { legalEntityId, lineCurrency: currency, legalEntityCurrency: legalEntity.currency },
    });
  }
}

/**
 * The one rate card a legal entity's delivery is priced from: the card its lines name, or else
 * the card of that legal entity in the lines' currency effective on the close date (when several
 * overlap, the one that started last). It must price every role the lines sell.
 */
function resolveRateCard(
  deal: WonDeal,
  legalEntityId: string,
  lines: readonly DealLine[],
  rateCards: readonly RateCardRecord[],
  gaps: GapCollector,
): RateCardRecord | null {
  const named = unique(lines.flatMap((line) => (line.rateCardId === null ? [] : [line.rateCardId])));
  if (named.length > 1) {
    gaps.add('CONFLICTING_RATE_CARDS', legalEntityId, {
      message: `Lines of deal ${deal.dealId} delivered by ${legalEntityId} name different rate cards (${named.join(', ')}); one delivery is priced from one rate card`,
      remediation:
        `Make every line item delivered by ${legalEntityId} name the same rate card in the CRM and win ` +
        'the deal again as a new deal; a deal already won is not re-read.',
      details: { legalEntityId, rateCardIds: named.join(',') },
    });
    return null;
  }
  const [rateCardId] = named;
  let chosen: RateCardRecord | null = null;
  for (const [currency, linesInCurrency] of groupBy(lines, (line) => line.currency)) {
    const roles = unique(linesInCurrency.map((line) => line.role));
    const need = { legalEntityId, currency, date: deal.closeDate, roles };
    const card = rateCardId
      ? namedRateCard(rateCardId, rateCards, need, deal.dealId, gaps)
      : effectiveRateCard(rateCards, need, deal.dealId, gaps);
    if (!card) continue;
    for (const role of roles.filter((candidate) => !card.rates.some((rate) => rate.role === candidate))) {
      gaps.add('ROLE_NOT_ON_RATE_CARD', `${card.rateCardId}/${role}`, {
        message: `Rate card ${card.rateCardId} (${legalEntityId}, ${currency}) has no rate for role "${role}" sold on deal ${deal.dealId}`,
        remediation:
          `Add the role to the rate card in the ERP: PUT /erp/rate-cards/${card.rateCardId} on ingress with ` +
          `its current body plus {"role":"${role}","rateMinor":<hourly bill rate in ${currency} minor units>} ` +
          `in "rates". ${RESUMES}`,
        details: { rateCardId: card.rateCardId, legalEntityId, currency, role },
      });
    }
    chosen ??= card;
  }
  return chosen;
}

interface RateCardNeed {
  legalEntityId: string;
  currency: string;
  date: string;
  roles: readonly string[];
}

export function isEffectiveOn(card: RateCardRecord, date: string): boolean {
  return card.effectiveFrom <= date && (card.effectiveTo === null || date <= card.effectiveTo);
}

function effectiveRateCard(
  rateCards: readonly RateCardRecord[],
  need: RateCardNeed,
  dealId: string,
  gaps: GapCollector,
): RateCardRecord | null {
  const [card] = rateCards
    .filter(
      (candidate) =>
        candidate.legalEntityId === need.legalEntityId &&
        candidate.currency === need.currency &&
        isEffectiveOn(candidate, need.date),
    )
    .sort(
      (a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom) || a.rateCardId.localeCompare(b.rateCardId),
    );
  if (card) return card;
  gaps.add('MISSING_RATE_CARD', `${need.legalEntityId}/${need.currency}`, {
    message: `No rate card for legal entity ${need.legalEntityId} in ${need.currency} is effective on ${need.date}, the close date of deal ${dealId}`,
    remediation: rateCardRemediation('{rateCardId}', need),
    details: rateCardDetails(need),
  });
  return null;
}

function namedRateCard(
  rateCardId: string,
  rateCards: readonly RateCardRecord[],
  need: RateCardNeed,
  dealId: string,
  gaps: GapCollector,
): RateCardRecord | null {
  const card = rateCards.find((candidate) => candidate.rateCardId === rateCardId);
  const problem = !card
    ? 'is unknown'
    : card.legalEntityId !== need.legalEntityId
      ? `belongs to legal entity ${card.legalEntityId}`
      : card.currency !== need.currency
        ? `is in ${card.currency}`
        : !isEffectiveOn(card, need.date)
          ? `is effective ${card.effectiveFrom}..${card.effectiveTo ?? 'open-ended'} only`
          : null;
  if (card && problem === null) return card;
  gaps.add('MISSING_RATE_CARD', `${need.legalEntityId}/${need.currency}/${rateCardId}`, {
    message:
      `Rate card ${rateCardId} named by deal ${dealId} ${problem}; it must price ${need.legalEntityId}'s ` +
      `work in ${need.currency} on ${need.date}`,
    remediation: rateCardRemediation(rateCardId, need),
    details: { ...rateCardDetails(need), rateCardId },
  });
  return null;
}

function rateCardRemediation(rateCardId: string, need: RateCardNeed): string {
  const rates = need.roles.map(
    (role) => `{"role":"${role}","rateMinor":<hourly bill rate in ${need.currency} minor units>}`,
  );
  return (
    `Publish the rate card from the ERP: PUT /erp/rate-cards/${rateCardId} on ingress with ` +
    `{"legalEntityId":"${need.legalEntityId}","currency":"${need.currency}",` +
    `"effectiveFrom":"<${need.date} or earlier>","effectiveTo":<null, or ${need.date} or later>,` +
    `"rates":[${rates.join(',')}]}. ${RESUMES}`
  );
}

function rateCardDetails(need: RateCardNeed): Record<string, string> {
  return {
    legalEntityId: need.legalEntityId,
    currency: need.currency,
    effectiveOn: need.date,
    roles: need.roles.join(','),
  };
}

class GapCollector {
  private readonly gaps = new Map<string, Gap>();

  constructor(private readonly dealId: string) {}

  add(code: GapCode, subject: string, gap: Pick<Gap, 'message' | 'remediation' | 'details'>): void {
    const exceptionId = exceptionIdFor(this.dealId, code, subject);
    if (!this.gaps.has(exceptionId))
      this.gaps.set(exceptionId, { exceptionId, code, ownerRole: GAP_OWNERS[code], ...gap });
  }

  list(): Gap[] {
    return [...this.gaps.values()];
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function lineIds(lines: readonly DealLine[]): string {
  return lines.map((line) => line.lineId).join(', ');
}
