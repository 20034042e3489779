import { Inject, Injectable } from '@nestjs/common';

import { epochDay } from '@throughline/calendar';
import { EventRecord } from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { MASTER_DATA_KINDS, MasterDataKind, MasterDataRecord, recordIdOf } from '../domain/master-data';
import { IngressDb } from '../infrastructure/ingress-db';
import { INGRESS_DB, SOURCE } from './tokens';

export interface UpsertResult {
  kind: MasterDataKind;
  id: string;
  /** PUBLISHED: new or changed, an *Upserted event was published; UNCHANGED: identical, nothing sent. */
  outcome: 'PUBLISHED' | 'UNCHANGED';
  version: number;
}

/**
 * Relays ERP master data as *Upserted events on compacted topics. Ingress keeps the last payload
 * per record, so an identical re-send publishes nothing and a changed one publishes again.
 */
@Injectable()
export class MasterDataService {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * All records in one transaction: either every change is published or none. `actor` (the verified
   * caller) is recorded in each published event's `upsertedBy`.
   */
  async upsert(
    records: readonly MasterDataRecord[],
    actor: string,
    correlationId?: string,
  ): Promise<UpsertResult[]> {
    const results: UpsertResult[] = [];
    const origin: EventOrigin = { source: SOURCE, correlationId };
    await commit(this.db, async (tx) => {
      const events: EventRecord[] = [];
      for (const record of records) {
        const id = recordIdOf(record);
        // One statement decides "new, changed or identical" under the row lock, so concurrent
        // identical PUTs publish once. JSONB equality ignores key order.
        const changed = await tx.$queryRaw<{ version: number }[]>`
          INSERT INTO erp_record (kind, record_id, payload)
          VALUES (${record.kind}, ${id}, ${JSON.stringify(record.payload)}::jsonb)
          ON CONFLICT (kind, record_id) DO UPDATE
             SET payload = EXCLUDED.payload, version = erp_record.version + 1, updated_at = now()
           WHERE erp_record.payload IS DISTINCT FROM EXCLUDED.payload
          RETURNING version`;
        if (changed[0]) {
          events.push(upsertedEvent(record, actor, origin));
          results.push({ kind: record.kind, id, outcome: 'PUBLISHED', version: changed[0].version });
        } else {
          const current = await tx.erpRecord.findUniqueOrThrow({
            where: { kind_recordId: { kind: record.kind, recordId: id } },
            select: { version: true },
          });
          results.push({ kind: record.kind, id, outcome: 'UNCHANGED', version: current.version });
        }
      }
      return events;
    });
    const published = results.filter((result) => result.outcome === 'PUBLISHED');
    this.logger.info(
      {
        correlationId,
        actor,
        published: published.map((result) => `${MASTER_DATA_KINDS[result.kind].eventType}:${result.id}`),
        unchanged: results.length - published.length,
      },
      'ERP master data received',
    );
    return results;
  }
}

function upsertedEvent(record: MasterDataRecord, upsertedBy: string, origin: EventOrigin): EventRecord {
  switch (record.kind) {
    case 'CUSTOMER':
      return createEvent('CustomerUpserted', { ...record.payload, upsertedBy }, origin);
    case 'LEGAL_ENTITY':
      return createEvent('LegalEntityUpserted', { ...record.payload, upsertedBy }, origin);
    case 'RATE_CARD':
      return createEvent('RateCardUpserted', { ...record.payload, upsertedBy }, origin);
    case 'PROJECT_TEMPLATE':
      return createEvent('ProjectTemplateUpserted', { ...record.payload, upsertedBy }, origin);
    case 'TAX_REGIME': {
      // The API takes ISO dates like every other ERP route; the event carries Avro dates (epoch days).
      const rates = record.payload.rates.map((rate) => ({
        ...rate,
        effectiveFrom: epochDay(rate.effectiveFrom),
        effectiveTo: rate.effectiveTo === null ? null : epochDay(rate.effectiveTo),
      }));
      return createEvent('TaxRegimeUpserted', { ...record.payload, rates, upsertedBy }, origin);
    }
    case 'CUSTOMER_TAX_PROFILE':
      return createEvent('CustomerTaxProfileUpserted', { ...record.payload, upsertedBy }, origin);
  }
}
