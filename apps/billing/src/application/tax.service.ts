import { Inject, Injectable } from '@nestjs/common';

import { isoDateOfEpochDay } from '@throughline/calendar';
import { ConsumedEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';

import { CustomerTaxProfile, TaxRate, TaxRegime } from '../domain/tax';
import { BillingDb, BillingTx } from '../infrastructure/billing-db';
import { BILLING_DB } from './tokens';

/** Tax master data from the ERP: the latest regime per legal entity and profile per customer. */
@Injectable()
export class TaxService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** Stores the legal entity's regime (the latest record replaces the previous one). */
  async regimeUpserted(event: ConsumedEvent<'TaxRegimeUpserted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const regime = event.data;
      const rates: TaxRate[] = regime.rates.map((rate) => ({
        taxCode: rate.taxCode,
        rateBasisPoints: rate.rateBasisPoints,
        effectiveFrom: isoDateOfEpochDay(rate.effectiveFrom),
        effectiveTo: rate.effectiveTo === null ? null : isoDateOfEpochDay(rate.effectiveTo),
      }));
      const row = {
        country: regime.country,
        standardTaxCode: regime.standardTaxCode,
        rates: rates as unknown as object[],
      };
      await tx.taxRegime.upsert({
        where: { legalEntityId: regime.legalEntityId },
        create: { legalEntityId: regime.legalEntityId, ...row },
        update: row,
      });
      return [];
    });
  }

  /** Stores the customer's tax profile (the latest record replaces the previous one). */
  async customerProfileUpserted(event: ConsumedEvent<'CustomerTaxProfileUpserted'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const { customerId, country, taxId } = event.data;
      await tx.customerTaxProfile.upsert({
        where: { customerId },
        create: { customerId, country, taxId },
        update: { country, taxId },
      });
      return [];
    });
  }
}

/** The stored regime of `legalEntityId`, or null. */
export async function taxRegimeOf(tx: BillingTx, legalEntityId: string): Promise<TaxRegime | null> {
  const row = await tx.taxRegime.findUnique({ where: { legalEntityId } });
  return row
    ? {
        legalEntityId,
        country: row.country,
        standardTaxCode: row.standardTaxCode,
        rates: row.rates as unknown as TaxRate[],
      }
    : null;
}

/** The stored tax profile of `customerId`, or null. */
export async function customerTaxProfileOf(
  tx: BillingTx,
  customerId: string,
): Promise<CustomerTaxProfile | null> {
  const row = await tx.customerTaxProfile.findUnique({ where: { customerId } });
  return row ? { customerId, country: row.country, taxId: row.taxId } : null;
}
