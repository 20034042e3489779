import {
  BillingType,
  CustomerStatus,
  CustomerUpserted,
  LegalEntityUpserted,
  ProjectTemplateUpserted,
  RateCardRate,
  RateCardUpserted,
} from '@throughline/contracts';

import { MasterData, WonDeal } from '../domain/deal-evaluation';
import { ContractTx } from './contract-db';

// Rows are built field by field: decoded payloads are Avro record instances, which Prisma rejects.

/** Local replica of ERP master data: each upsert replaces the record (latest wins, as on the topic). */
export async function upsertCustomer(tx: ContractTx, customer: CustomerUpserted): Promise<void> {
  const { customerId, name, status, billingCurrency } = customer;
  const row = { name, status, billingCurrency };
  await tx.customer.upsert({ where: { customerId }, create: { customerId, ...row }, update: row });
}

export async function upsertLegalEntity(tx: ContractTx, legalEntity: LegalEntityUpserted): Promise<void> {
  const { legalEntityId, name, country, currency, taxRegistrationId } = legalEntity;
  const row = { name, country, currency, taxRegistrationId };
  await tx.legalEntity.upsert({ where: { legalEntityId }, create: { legalEntityId, ...row }, update: row });
}

/** The legal entity a stored rate card belongs to (null for a card not stored yet). */
export async function rateCardLegalEntity(tx: ContractTx, rateCardId: string): Promise<string | null> {
  const stored = await tx.rateCard.findUnique({ where: { rateCardId }, select: { legalEntityId: true } });
  return stored?.legalEntityId ?? null;
}

export async function upsertRateCard(tx: ContractTx, rateCard: RateCardUpserted): Promise<void> {
  const { rateCardId, legalEntityId, currency, effectiveFrom, effectiveTo, rates } = rateCard;
  const row = {
    legalEntityId,
    currency,
    effectiveFrom,
    effectiveTo,
    rates: rates.map(({ role, rateMinor, costRateMinor }) => ({ role, rateMinor, costRateMinor })),
  };
  await tx.rateCard.upsert({ where: { rateCardId }, create: { rateCardId, ...row }, update: row });
}

/** Only what contract approval needs of a template; the project service plans from the rest. */
export async function upsertProjectTemplate(
  tx: ContractTx,
  template: ProjectTemplateUpserted,
): Promise<void> {
  const { templateId, name, billingType } = template;
  await tx.projectTemplate.upsert({
    where: { templateId },
    create: { templateId, name, billingType },
    update: { name, billingType },
  });
}

/** The master data `deal` is validated against. */
export async function loadMasterData(tx: ContractTx, deal: WonDeal): Promise<MasterData> {
  const legalEntityIds = [...new Set(deal.lines.map((line) => line.legalEntityId))];
  const namedRateCardIds = deal.lines.flatMap((line) => (line.rateCardId === null ? [] : [line.rateCardId]));
  // Sequential: an interactive transaction runs on one connection anyway.
  const customer = await tx.customer.findUnique({ where: { customerId: deal.customerId } });
  const template = await tx.projectTemplate.findUnique({ where: { templateId: deal.templateId } });
  const legalEntities = await tx.legalEntity.findMany({ where: { legalEntityId: { in: legalEntityIds } } });
  const rateCards = await tx.rateCard.findMany({
    where: { OR: [{ legalEntityId: { in: legalEntityIds } }, { rateCardId: { in: namedRateCardIds } }] },
  });
  return {
    customer: customer && {
      customerId: customer.customerId,
      name: customer.name,
      status: customer.status as CustomerStatus,
      billingCurrency: customer.billingCurrency,
    },
    template: template && {
      templateId: template.templateId,
      name: template.name,
      billingType: template.billingType as BillingType,
    },
    legalEntities: legalEntities.map(({ legalEntityId, name, country, currency, taxRegistrationId }) => ({
      legalEntityId,
      name,
      country,
      currency,
      taxRegistrationId,
    })),
    rateCards: rateCards.map(
      ({ rateCardId, legalEntityId, currency, effectiveFrom, effectiveTo, rates }) => ({
        rateCardId,
        legalEntityId,
        currency,
        effectiveFrom,
        effectiveTo,
        rates: rates as unknown as RateCardRate[],
      }),
    ),
  };
}
