import { INVOICE_SYNC } from '../domain/timeline-entry';
import { ReportingTx } from './reporting-db';

export interface InvoiceSyncActivity {
  dealId: string;
  steps: number;
  lastAt: Date;
}

/**
 * Per deal, the outbound sync entries of the invoices its lines bill (they name no deal; see
 * INVOICE_SYNC), so `GET /deals` counts the same steps the deal's timeline shows.
 */
export async function invoiceSyncActivity(tx: ReportingTx, schema: string): Promise<InvoiceSyncActivity[]> {
  const rows = await tx.$queryRawUnsafe<{ deal_id: string; steps: number; last_at: Date }[]>(
    `SELECT l.deal_id, count(*)::int AS steps, max(t.occurred_at) AS last_at
     FROM (SELECT DISTINCT invoice_id, deal_id FROM ${schema}.invoice_line) l
     JOIN ${schema}.timeline_entry t ON t.entity_type = $1 AND t.entity_id = l.invoice_id
     WHERE t.deal_id IS NULL AND t.step = $2
     GROUP BY l.deal_id`,
    INVOICE_SYNC.entityType,
    INVOICE_SYNC.step,
  );
  return rows.map((row) => ({ dealId: row.deal_id, steps: row.steps, lastAt: row.last_at }));
}
