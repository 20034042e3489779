import { ActualStatus, EventPayloads } from '@throughline/contracts';
import { ConsumedEvent } from '@throughline/messaging';

import { ACTUAL_STATUS_RANK, StateVersion, supersedes } from '../domain/time-to-cash';
import { actualChangedOfState, ReplayedEventType } from '../domain/rebuild-sources';
import { versionAt } from '../infrastructure/figure-rows';
import { ReportingTx } from '../infrastructure/reporting-db';

/**
 * The month-end volume event types: handled a fetched batch at a time, with one set-based upsert per
 * table (plus the report totals the tables' triggers keep, see migrations/projection/005).
 */
export const BATCHED_EVENT_TYPES = [
  'TimeEntryApproved',
  'ActualChanged',
  'InvoiceIssued',
  'PaymentReceived',
  // Only a rebuild from current state reads it (rebuild-sources.ts).
  'ActualState',
] as const satisfies readonly ReplayedEventType[];
export type BatchedEventType = (typeof BATCHED_EVENT_TYPES)[number];

export function isBatchedEvent(
  event: ConsumedEvent<ReplayedEventType>,
): event is ConsumedEvent<BatchedEventType> {
  return (BATCHED_EVENT_TYPES as readonly string[]).includes(event.envelope.eventType);
}

/** Statuses in lifecycle order (ACTUAL_STATUS_RANK), so SQL ranks a stored status with array_position. */
const STATUSES_BY_RANK = (Object.entries(ACTUAL_STATUS_RANK) as [ActualStatus, number][])
  .sort(([, a], [, b]) => a - b)
  .map(([status]) => status);

/** Revision first, then the earlier approval, then the greater event id (see `supersedes`). */
export function approvedTimeVersion(revision: number, approvedAt: number, eventId: string): StateVersion {
  return { at: revision, rank: -approvedAt, eventId };
}

type Data<T extends BatchedEventType> = { data: EventPayloads[T]; eventId: string };

/**
 * Writes the newest state of every entity the events carry, keeping "keep newest" (see
 * `supersedes`) exactly: the batch is first reduced in memory to the newest version per key, then
 * each table gets one `INSERT ... ON CONFLICT DO UPDATE ... WHERE <incoming is newer>`. The WHERE
 * clause is the same order as `supersedes`, evaluated by PostgreSQL against the stored row after
 * waiting for any concurrent writer of that row, so two transactions (two partitions, two instances,
 * a rebuild and the live consumer) writing the same key need no other lock and end in the newest
 * state whichever commits first. Rows are written in key order, so concurrent batches take their
 * row locks in one order and cannot deadlock.
 */
export async function applyFigureBatch(
  tx: ReportingTx,
  schema: string,
  events: readonly ConsumedEvent<ReplayedEventType>[],
): Promise<void> {
  const of = <T extends BatchedEventType>(eventType: T): Data<T>[] =>
    events
      .filter((event) => event.envelope.eventType === eventType)
      .map((event) => ({ data: event.data as EventPayloads[T], eventId: event.envelope.eventId }));

  await writeApprovedTime(tx, schema, of('TimeEntryApproved'));
  const fromStates = of('ActualState').flatMap(({ data, eventId }) => {
    const changed = actualChangedOfState(data);
    return changed ? [{ data: changed, eventId }] : [];
  });
  await writeActuals(tx, schema, [...of('ActualChanged'), ...fromStates]);
  await writeInvoices(tx, schema, of('InvoiceIssued'));
  await writePayments(tx, schema, of('PaymentReceived'));
}

/** The newest of each key's versions, in key order. */
export function newestByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  versionOf: (item: T) => StateVersion,
): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const current = newest.get(key);
    if (current === undefined || supersedes(versionOf(item), versionOf(current))) newest.set(key, item);
  }
  return [...newest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

async function writeApprovedTime(tx: ReportingTx, schema: string, items: Data<'TimeEntryApproved'>[]) {
  if (items.length === 0) return;
  const rows = newestByKey(
    items,
    (item) => item.data.entryId,
    (item) => approvedTimeVersion(item.data.revision, item.data.approvedAt, item.eventId),
  ).map(({ data, eventId }) => ({
    entry_id: data.entryId,
    project_id: data.projectId,
    person_id: data.personId,
    role: data.role,
    work_date: data.workDate,
    hours_hundredths: data.hoursHundredths,
    billable: data.billable,
    approved_at: data.approvedAt,
    approved_by: data.approvedBy,
    source_system: data.sourceSystem,
    event_id: eventId,
    revision: data.revision,
  }));
  // The highest revision wins; within one revision the first approval; then the greater event id.
  await tx.$executeRawUnsafe(
    `INSERT INTO ${schema}.approved_time AS t (entry_id, project_id, person_id, role, work_date,
       hours_hundredths, billable, approved_at, approved_by, source_system, event_id, revision)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (entry_id TEXT, project_id TEXT, person_id TEXT,
       role TEXT, work_date TEXT, hours_hundredths BIGINT, billable BOOLEAN, approved_at BIGINT,
       approved_by TEXT, source_system TEXT, event_id UUID, revision INT)
     ON CONFLICT (entry_id) DO UPDATE SET project_id = excluded.project_id, person_id = excluded.person_id,
       role = excluded.role, work_date = excluded.work_date, hours_hundredths = excluded.hours_hundredths,
       billable = excluded.billable, approved_at = excluded.approved_at, approved_by = excluded.approved_by,
       source_system = excluded.source_system, event_id = excluded.event_id, revision = excluded.revision
     WHERE (excluded.revision, -excluded.approved_at, excluded.event_id) > (t.revision, -t.approved_at, t.event_id)`,
    JSON.stringify(rows),
  );
}

async function writeActuals(tx: ReportingTx, schema: string, items: Data<'ActualChanged'>[]) {
  if (items.length === 0) return;
  const rows = newestByKey(
    items,
    (item) => item.data.actualId,
    (item) => versionAt(item.data.changedAt, item.eventId, ACTUAL_STATUS_RANK[item.data.status]),
  ).map(({ data, eventId }) => ({
    actual_id: data.actualId,
    kind: data.kind,
    project_id: data.projectId,
    deal_id: data.dealId,
    customer_id: data.customerId,
    legal_entity_id: data.legalEntityId,
    person_id: data.personId,
    role: data.role,
    work_date: data.workDate,
    hours_hundredths: data.hoursHundredths,
    billable: data.billable,
    currency: data.currency,
    bill_amount_minor: data.billAmountMinor,
    cost_amount_minor: data.costAmountMinor,
    billing_period: data.billingPeriod,
    status: data.status,
    invoice_id: data.invoiceId,
    approved_at: new Date(data.approvedAt).toISOString(),
    changed_at: new Date(data.changedAt).toISOString(),
    event_id: eventId,
  }));
  // The latest changedAt wins, then the status further along, then the greater event id.
  await tx.$executeRawUnsafe(
    `INSERT INTO ${schema}.actual AS t (actual_id, kind, project_id, deal_id, customer_id, legal_entity_id,
       person_id, role, work_date, hours_hundredths, billable, currency, bill_amount_minor,
       cost_amount_minor, billing_period, status, invoice_id, approved_at, changed_at, event_id)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (actual_id TEXT, kind TEXT, project_id TEXT,
       deal_id TEXT, customer_id TEXT, legal_entity_id TEXT, person_id TEXT, role TEXT, work_date TEXT,
       hours_hundredths BIGINT, billable BOOLEAN, currency TEXT, bill_amount_minor BIGINT,
       cost_amount_minor BIGINT, billing_period TEXT, status TEXT, invoice_id TEXT,
       approved_at TIMESTAMPTZ(3), changed_at TIMESTAMPTZ(3), event_id UUID)
     ON CONFLICT (actual_id) DO UPDATE SET kind = excluded.kind, project_id = excluded.project_id,
       deal_id = excluded.deal_id, customer_id = excluded.customer_id,
       legal_entity_id = excluded.legal_entity_id, person_id = excluded.person_id, role = excluded.role,
       work_date = excluded.work_date, hours_hundredths = excluded.hours_hundredths,
       billable = excluded.billable, currency = excluded.currency,
       bill_amount_minor = excluded.bill_amount_minor, cost_amount_minor = excluded.cost_amount_minor,
       billing_period = excluded.billing_period, status = excluded.status,
       invoice_id = excluded.invoice_id, approved_at = excluded.approved_at,
       changed_at = excluded.changed_at, event_id = excluded.event_id
     WHERE (excluded.changed_at, array_position($2::text[], excluded.status), excluded.event_id)
         > (t.changed_at, array_position($2::text[], t.status), t.event_id)`,
    JSON.stringify(rows),
    STATUSES_BY_RANK,
  );
}

async function writeInvoices(tx: ReportingTx, schema: string, items: Data<'InvoiceIssued'>[]) {
  if (items.length === 0) return;
  const newest = newestByKey(
    items,
    (item) => item.data.invoiceId,
    (item) => versionAt(item.data.issuedAt, item.eventId),
  );
  const rows = newest.map(({ data, eventId }) => ({
    invoice_id: data.invoiceId,
    invoice_number: data.invoiceNumber,
    customer_id: data.customerId,
    legal_entity_id: data.legalEntityId,
    currency: data.currency,
    billing_period: data.billingPeriod,
    issued_on: data.issuedOn,
    due_date: data.dueDate,
    total_minor: data.totalMinor,
    // Before v3 an invoice had no tax: its total is its net.
    net_minor: data.netMinor ?? data.totalMinor,
    tax_minor: data.taxMinor,
    reverse_charge: data.reverseCharge,
    issued_at: new Date(data.issuedAt).toISOString(),
    event_id: eventId,
  }));
  // The upsert returns the invoices it wrote (not those a stored newer version kept) and holds their
  // row locks, so their lines are replaced by the same winner, after any concurrent writer.
  const written = await tx.$queryRawUnsafe<{ invoice_id: string }[]>(
    `INSERT INTO ${schema}.invoice AS t (invoice_id, invoice_number, customer_id, legal_entity_id, currency,
       billing_period, issued_on, due_date, total_minor, net_minor, tax_minor, reverse_charge, issued_at,
       event_id)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (invoice_id TEXT, invoice_number TEXT,
       customer_id TEXT, legal_entity_id TEXT, currency TEXT, billing_period TEXT, issued_on TEXT,
       due_date TEXT, total_minor BIGINT, net_minor BIGINT, tax_minor BIGINT, reverse_charge BOOLEAN,
       issued_at TIMESTAMPTZ(3), event_id UUID)
     ON CONFLICT (invoice_id) DO UPDATE SET invoice_number = excluded.invoice_number,
       customer_id = excluded.customer_id, legal_entity_id = excluded.legal_entity_id,
       currency = excluded.currency, billing_period = excluded.billing_period,
       issued_on = excluded.issued_on, due_date = excluded.due_date, total_minor = excluded.total_minor,
       net_minor = excluded.net_minor, tax_minor = excluded.tax_minor,
       reverse_charge = excluded.reverse_charge, issued_at = excluded.issued_at,
       event_id = excluded.event_id
     WHERE (excluded.issued_at, excluded.event_id) > (t.issued_at, t.event_id)
     RETURNING invoice_id`,
    JSON.stringify(rows),
  );
  const won = new Set(written.map((row) => row.invoice_id));
  if (won.size === 0) return;
  const lines = newest
    .filter(({ data }) => won.has(data.invoiceId))
    .flatMap(({ data }) =>
      data.lines.map((line) => ({
        invoice_id: data.invoiceId,
        line_id: line.lineId,
        project_id: line.projectId,
        deal_id: line.dealId,
        kind: line.kind,
        description: line.description,
        quantity_hundredths: line.quantityHundredths,
        unit_price_minor: line.unitPriceMinor,
        amount_minor: line.amountMinor,
        source_count: line.sourceCount,
        tax_code: line.taxCode,
        tax_rate_basis_points: line.taxRateBasisPoints,
        tax_minor: line.taxMinor,
      })),
    );
  const taxes = newest
    .filter(({ data }) => won.has(data.invoiceId))
    .flatMap(({ data }) =>
      data.taxes.map((total) => ({
        invoice_id: data.invoiceId,
        tax_code: total.taxCode,
        rate_basis_points: total.rateBasisPoints,
        net_minor: total.netMinor,
        tax_minor: total.taxMinor,
      })),
    );
  await tx.$executeRawUnsafe(`DELETE FROM ${schema}.invoice_line WHERE invoice_id = ANY($1::text[])`, [
    ...won,
  ]);
  await tx.$executeRawUnsafe(`DELETE FROM ${schema}.invoice_tax WHERE invoice_id = ANY($1::text[])`, [
    ...won,
  ]);
  if (lines.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO ${schema}.invoice_line (invoice_id, line_id, project_id, deal_id, kind, description,
         quantity_hundredths, unit_price_minor, amount_minor, source_count, tax_code,
         tax_rate_basis_points, tax_minor)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (invoice_id TEXT, line_id TEXT, project_id TEXT,
         deal_id TEXT, kind TEXT, description TEXT, quantity_hundredths BIGINT, unit_price_minor BIGINT,
         amount_minor BIGINT, source_count BIGINT, tax_code TEXT, tax_rate_basis_points INTEGER,
         tax_minor BIGINT)`,
      JSON.stringify(lines),
    );
  }
  if (taxes.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO ${schema}.invoice_tax (invoice_id, tax_code, rate_basis_points, net_minor, tax_minor)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (invoice_id TEXT, tax_code TEXT,
         rate_basis_points INTEGER, net_minor BIGINT, tax_minor BIGINT)`,
      JSON.stringify(taxes),
    );
  }
}

async function writePayments(tx: ReportingTx, schema: string, items: Data<'PaymentReceived'>[]) {
  if (items.length === 0) return;
  // A payment id received again changes nothing; the greater event id only makes the survivor of two
  // differing copies independent of their order.
  const rows = newestByKey(
    items,
    (item) => item.data.paymentId,
    (item) => versionAt(0, item.eventId),
  ).map(({ data, eventId }) => ({
    payment_id: data.paymentId,
    invoice_id: data.invoiceId,
    customer_id: data.customerId,
    currency: data.currency,
    amount_minor: data.amountMinor,
    received_on: data.receivedOn,
    reference: data.reference,
    event_id: eventId,
  }));
  await tx.$executeRawUnsafe(
    `INSERT INTO ${schema}.payment AS t (payment_id, invoice_id, customer_id, currency, amount_minor,
       received_on, reference, event_id)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r (payment_id TEXT, invoice_id TEXT,
       customer_id TEXT, currency TEXT, amount_minor BIGINT, received_on TEXT, reference TEXT,
       event_id UUID)
     ON CONFLICT (payment_id) DO UPDATE SET invoice_id = excluded.invoice_id,
       customer_id = excluded.customer_id, currency = excluded.currency,
       amount_minor = excluded.amount_minor, received_on = excluded.received_on,
       reference = excluded.reference, event_id = excluded.event_id
     WHERE excluded.event_id > t.event_id`,
    JSON.stringify(rows),
  );
}
