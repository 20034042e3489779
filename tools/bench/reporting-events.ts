import { EVENTS, EventRecord, EventType } from '@throughline/contracts';
import { sampleEventRecord } from '@throughline/contracts/testing';
import { createEvent, ensureTopics, EventPublisher } from '@throughline/messaging';

import { BenchStack } from './bench-stack';

/** The event types the synthetic reporting history is made of. */
export const REPORTING_HISTORY_TYPES = [
  'DealWon',
  'ProjectCreated',
  'TimeEntryApproved',
  'ActualChanged',
  'InvoiceIssued',
  'PaymentReceived',
] as const satisfies readonly EventType[];

const CURRENCIES = ['EUR', 'EUR', 'GBP', 'USD'];
const ROLES = [
  { role: 'Architect', rateMinor: 15_000, costRateMinor: 9_000 },
  { role: 'Consultant', rateMinor: 11_000, costRateMinor: 6_500 },
  { role: 'Analyst', rateMinor: 8_000, costRateMinor: 4_500 },
];
const PROJECTS = 24;
const PEOPLE = 240;
const origin = { source: 'bench' };

interface Project {
  projectId: string;
  dealId: string;
  customerId: string;
  legalEntityId: string;
  currency: string;
}

/**
 * A month of history as reporting receives it, without running the upstream services: per deal a
 * DealWon and a ProjectCreated (24 projects, 4 legal entities, 3 currencies), then `entries` time
 * entries, each a TimeEntryApproved and its priced ActualChanged (240 people), then one issued
 * invoice per project, half of them paid. Yields batches in publishing order; with `entries: false`
 * only the deals, projects, invoices and payments (see `insertEntries`).
 */
export function* reportingHistory(
  run: string,
  entries: number | false,
  period: string,
  batchSize = 2_000,
): Generator<EventRecord[]> {
  const projects = historyProjects(run);
  yield projects.flatMap((project) => [dealWon(project, period), projectCreated(project, period)]);
  const approvedAt = Date.now();
  let batch: EventRecord[] = [];
  for (let i = 0; i < (entries || 0); i++) {
    const entry = historyEntry(run, projects, i, period);
    batch.push(
      createEvent(
        'TimeEntryApproved',
        {
          entryId: entry.entryId,
          projectId: entry.project.projectId,
          personId: entry.personId,
          role: entry.role,
          workDate: entry.workDate,
          hoursHundredths: HOURS_HUNDREDTHS,
          billable: true,
          approvedAt,
          approvedBy: 'U-BENCH',
          sourceSystem: 'PSA',
          revision: 1,
          correctionReason: null,
        },
        origin,
      ),
      createEvent(
        'ActualChanged',
        {
          actualId: entry.entryId,
          kind: 'TIME',
          projectId: entry.project.projectId,
          dealId: entry.project.dealId,
          customerId: entry.project.customerId,
          legalEntityId: entry.project.legalEntityId,
          personId: entry.personId,
          role: entry.role,
          workDate: entry.workDate,
          hoursHundredths: HOURS_HUNDREDTHS,
          billable: true,
          currency: entry.project.currency,
          rateMinor: entry.rateMinor,
          rateCardId: `RC-${entry.project.legalEntityId}`,
          billAmountMinor: entry.billAmountMinor,
          costRateMinor: entry.costRateMinor,
          costAmountMinor: entry.costAmountMinor,
          billingPeriod: period,
          status: entry.status,
          invoiceId: entry.invoiceId,
          approvedAt,
          changedAt: approvedAt,
          changedBy: null,
        },
        origin,
      ),
    );
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  yield projects.flatMap((project, p) => {
    const issued = invoiceIssued(project, period);
    return p % 2 === 0 ? [issued, paymentReceived(project, issued.data.totalMinor, period)] : [issued];
  });
}

const HOURS_HUNDREDTHS = 50;

function historyProjects(run: string): Project[] {
  return Array.from({ length: PROJECTS }, (_, p) => ({
    projectId: `PRJ-${run}-${p}`,
    dealId: `D-${run}-${p}`,
    customerId: `CUST-${run}-${p % 6}`,
    legalEntityId: `LE-${run}-${p % CURRENCIES.length}`,
    currency: CURRENCIES[p % CURRENCIES.length] as string,
  }));
}

/** Time entry `i` of the history: which project, person, role, day, and how it was priced. */
function historyEntry(run: string, projects: readonly Project[], i: number, period: string) {
  const { role, rateMinor, costRateMinor } = ROLES[i % ROLES.length] as (typeof ROLES)[number];
  const project = projects[i % PROJECTS] as Project;
  // Every tenth actual is still unbilled after the period (billing leakage has something to show).
  const unbilled = i % 10 === 0;
  return {
    entryId: `TE-${run}-${i}`,
    project,
    personId: `P-${run}-${i % PEOPLE}`,
    role,
    workDate: `${period}-${String(1 + (Math.floor(i / PEOPLE) % 28)).padStart(2, '0')}`,
    rateMinor,
    costRateMinor,
    billAmountMinor: (rateMinor * HOURS_HUNDREDTHS) / 100,
    costAmountMinor: (costRateMinor * HOURS_HUNDREDTHS) / 100,
    status: unbilled ? ('UNBILLED' as const) : ('INVOICED' as const),
    invoiceId: unbilled ? null : `INV-${project.projectId}`,
  };
}

/**
 * Writes the history's `entries` time entries straight into reporting's projection tables
 * (`approved_time` and `actual` of `schema`), the rows its recorder makes of those events, in a few
 * statements: reporting consumes far slower than a read benchmark can wait for.
 */
export async function insertEntries(
  stack: BenchStack,
  schema: string,
  entries: number,
  period: string,
): Promise<void> {
  const projects = historyProjects(stack.run);
  const approvedAt = Date.now();
  const chunk = 20_000;
  for (let start = 0; start < entries; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, entries - start) }, (_, k) =>
      historyEntry(stack.run, projects, start + k, period),
    );
    const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
    const values = [
      column((row) => row.entryId),
      column((row) => row.project.projectId),
      column((row) => row.personId),
      column((row) => row.role),
      column((row) => row.workDate),
    ];
    await stack.db('reporting').query(
      `INSERT INTO ${schema}.approved_time (entry_id, project_id, person_id, role, work_date, hours_hundredths,
         billable, approved_at, approved_by, source_system, event_id)
       SELECT e, p, person, r, d, ${HOURS_HUNDREDTHS}, true, $6, 'U-BENCH', 'PSA', gen_random_uuid()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(e, p, person, r, d)`,
      [...values, approvedAt],
    );
    await stack.db('reporting').query(
      `INSERT INTO ${schema}.actual (actual_id, kind, project_id, deal_id, customer_id, legal_entity_id, person_id,
         role, work_date, hours_hundredths, billable, currency, bill_amount_minor, cost_amount_minor, billing_period,
         status, invoice_id, approved_at, changed_at, event_id)
       SELECT e, 'TIME', p, deal, customer, le, person, r, d, ${HOURS_HUNDREDTHS}, true, cur, bill, cost, $14, status,
              invoice, to_timestamp($15 / 1000.0), to_timestamp($15 / 1000.0), gen_random_uuid()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[])
           AS t(e, p, person, r, d, deal, customer, le, cur, bill, cost, status, invoice)`,
      [
        ...values,
        column((row) => row.project.dealId),
        column((row) => row.project.customerId),
        column((row) => row.project.legalEntityId),
        column((row) => row.project.currency),
        column((row) => row.billAmountMinor),
        column((row) => row.costAmountMinor),
        column((row) => row.status),
        column((row) => row.invoiceId),
        period,
        approvedAt,
      ],
    );
  }
}

/** Events in the history of `entries` time entries (what `reportingHistory` yields in all). */
export function reportingHistorySize(entries: number | false): number {
  return 2 * PROJECTS + 2 * (entries || 0) + PROJECTS + PROJECTS / 2;
}

/** Publishes the batches through the messaging lib's publisher (Avro, registry, acks=all). */
export async function publishHistory(
  stack: BenchStack,
  batches: Iterable<EventRecord[]>,
  total: number,
  print: (line: string) => void,
): Promise<void> {
  await ensureTopics(
    stack.kafka,
    REPORTING_HISTORY_TYPES.map((type) => EVENTS[type].topic),
    stack.naming,
  );
  const publisher = new EventPublisher(stack.kafka, stack.codec(), stack.naming);
  await publisher.connect();
  try {
    let sent = 0;
    let reported = 0;
    for (const batch of batches) {
      await publisher.publish(batch.map((record) => ({ record })));
      sent += batch.length;
      if (sent - reported >= total / 10) {
        print(`   published ${sent} / ${total} events`);
        reported = sent;
      }
    }
  } finally {
    await publisher.disconnect();
  }
}

function dealWon(project: Project, period: string): EventRecord<'DealWon'> {
  return createEvent(
    'DealWon',
    {
      ...sampleEventRecord('DealWon').data,
      dealId: project.dealId,
      crmDeliveryId: `DLV-${project.dealId}`,
      dealName: `Benchmark deal ${project.dealId}`,
      customerId: project.customerId,
      customerName: `Customer ${project.customerId}`,
      currency: project.currency,
      amountMinor: 50_000_000,
      closeDate: `${period}-01`,
      lines: [],
    },
    origin,
  );
}

function projectCreated(project: Project, period: string): EventRecord<'ProjectCreated'> {
  return createEvent(
    'ProjectCreated',
    {
      ...sampleEventRecord('ProjectCreated').data,
      ...project,
      contractId: `CTR-${project.dealId}`,
      billingType: 'TIME_AND_MATERIALS',
      name: `Benchmark project ${project.projectId}`,
      startDate: `${period}-01`,
      endDate: `${Number(period.slice(0, 4)) + 1}${period.slice(4)}-01`,
      budgetMinor: 50_000_000,
      phases: [],
      roles: ROLES.map(({ role, rateMinor }) => ({ role, hoursHundredths: 200_000, rateMinor, skills: [] })),
    },
    origin,
  );
}

function invoiceIssued(project: Project, period: string): EventRecord<'InvoiceIssued'> {
  const amountMinor = 1_000_000;
  return createEvent(
    'InvoiceIssued',
    {
      invoiceId: `INV-${project.projectId}`,
      invoiceNumber: `BENCH-${project.projectId}`,
      customerId: project.customerId,
      legalEntityId: project.legalEntityId,
      currency: project.currency,
      billingPeriod: period,
      issuedOn: `${period}-28`,
      dueDate: `${period}-28`,
      issuedAt: Date.now(),
      lines: [
        {
          lineId: `${project.projectId}-1`,
          projectId: project.projectId,
          dealId: project.dealId,
          kind: 'TIME',
          description: 'Time',
          quantityHundredths: null,
          unitPriceMinor: null,
          amountMinor,
          sourceCount: 0,
          taxCode: null,
          taxRateBasisPoints: null,
          taxMinor: 0,
        },
      ],
      totalMinor: amountMinor,
      netMinor: amountMinor,
      taxMinor: 0,
      taxes: [],
      reverseCharge: false,
      taxNote: null,
      customerCountry: null,
      customerTaxId: null,
      issuedBy: 'U-BENCH',
    },
    origin,
  );
}

function paymentReceived(
  project: Project,
  amountMinor: number,
  period: string,
): EventRecord<'PaymentReceived'> {
  return createEvent(
    'PaymentReceived',
    {
      paymentId: `PAY-${project.projectId}`,
      invoiceId: `INV-${project.projectId}`,
      customerId: project.customerId,
      currency: project.currency,
      amountMinor,
      receivedOn: `${period}-28`,
      reference: null,
      recordedBy: 'api-key:bench',
    },
    origin,
  );
}
