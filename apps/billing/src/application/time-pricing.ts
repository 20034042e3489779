import { EventRecord, ProjectCreated, TimeEntryApproved } from '@throughline/contracts';
import { causedBy, ConsumedEvent } from '@throughline/messaging';

import { billingPeriodFor, entryProblem, priceTimeEntry, RateCard } from '../domain/pricing';
import { BillingTx, closedPeriods, rateCardOf } from '../infrastructure/billing-db';
import { Actual, BillingProject } from '../infrastructure/prisma/generated/client';
import { actualChangedEvents, missingRateRaised, SOURCE } from './actual-events';

/** What pricing sets on an actual (the carry is the project's after it). */
export interface PricedFields {
  status: string;
  billable: boolean;
  currency: string;
  rateMinor: bigint | null;
  rateCardId: string | null;
  billAmountMinor: bigint;
  costRateMinor: bigint | null;
  costAmountMinor: bigint;
  note: string | null;
  carryHundredths?: number;
}

/** Rate cards named by the contracts of billing's projects (see `projectCards`). */
export async function contractCardIds(tx: BillingTx): Promise<Set<string>> {
  const rows = await tx.billingProject.findMany({
    where: { rateCardId: { not: null } },
    select: { rateCardId: true },
    distinct: ['rateCardId'],
  });
  return new Set(rows.flatMap((row) => (row.rateCardId === null ? [] : [row.rateCardId])));
}

/** Prices a time actual from the project's cards and the person's cost rate, after `project`'s carry. */
export function pricedTimeFields(
  row: Pick<Actual, 'hoursHundredths' | 'role' | 'workDate' | 'approvedBillable'>,
  project: BillingProject,
  cards: readonly RateCard[],
  personCostRateMinor: number | null,
  namedCards: ReadonlySet<string>,
): PricedFields {
  const priced = priceTimeEntry(
    {
      hoursHundredths: Number(row.hoursHundredths),
      role: row.role ?? '',
      workDate: row.workDate,
      billable: row.approvedBillable,
    },
    {
      projectId: project.projectId,
      legalEntityId: project.legalEntityId,
      currency: project.currency,
      billingType: project.billingType as ProjectCreated['billingType'],
      rateCardId: project.rateCardId,
      contractCardIds: namedCards,
    },
    cards,
    personCostRateMinor,
    project.carryHundredths,
  );
  const big = (value: number | null) => (value === null ? null : BigInt(value));
  return {
    status: priced.status,
    billable: priced.billable,
    currency: project.currency,
    rateMinor: big(priced.rateMinor),
    rateCardId: priced.rateCardId,
    billAmountMinor: BigInt(priced.billAmountMinor),
    costRateMinor: big(priced.costRateMinor),
    costAmountMinor: BigInt(priced.costAmountMinor),
    note: priced.note,
    carryHundredths: priced.carryHundredths,
  };
}

/** The stored facts of a newly approved time entry, before pricing. */
export function newTimeActual(entry: TimeEntryApproved, periodDate: string, closed: ReadonlySet<string>) {
  return {
    actualId: entry.entryId,
    revision: entry.revision,
    kind: 'TIME',
    projectId: entry.projectId,
    personId: entry.personId,
    role: entry.role,
    workDate: entry.workDate,
    hoursHundredths: BigInt(entry.hoursHundredths),
    approvedBillable: entry.billable,
    billable: entry.billable,
    billingPeriod: billingPeriodFor(periodDate, closed),
    status: 'UNPRICED',
    approvedAt: BigInt(entry.approvedAt),
  };
}

/**
 * Prices a batch of new time entries with what pricing reads loaded once (projects, their rate
 * cards, person cost rates, closed periods): no query per entry. Each entry becomes exactly what
 * the one-entry path (create, then `price`) makes of it, with the same events.
 */
export class TimePricing {
  private constructor(
    private projects: Map<string, BillingProject>,
    private readonly cards: Map<string, RateCard[]>,
    private readonly costRates: Map<string, number>,
    private readonly closed: ReadonlySet<string>,
    private readonly namedCards: ReadonlySet<string>,
  ) {}

  static async load(tx: BillingTx, projectIds: readonly string[]): Promise<TimePricing> {
    const ids = [...new Set(projectIds)];
    const projects = await loadProjects(tx, ids);
    const legalEntityIds = [...new Set([...projects.values()].map((project) => project.legalEntityId))];
    const cards = new Map<string, RateCard[]>();
    for (const row of await tx.rateCard.findMany({ where: { legalEntityId: { in: legalEntityIds } } })) {
      const key = cardsKey(row.legalEntityId, row.currency);
      cards.set(key, [...(cards.get(key) ?? []), rateCardOf(row)]);
    }
    const costRates = new Map(
      (await tx.personCostRate.findMany({ where: { projectId: { in: ids } } })).map((row) => [
        costRateKey(row.projectId, row.personId),
        Number(row.costRateMinor),
      ]),
    );
    return new TimePricing(projects, cards, costRates, await closedPeriods(tx), await contractCardIds(tx));
  }

  /** A well-formed entry of a project billing knows can be priced in bulk. */
  canPrice(entry: TimeEntryApproved): boolean {
    return entryProblem(entry) === null && this.projects.has(entry.projectId);
  }

  async reloadProjects(tx: BillingTx): Promise<void> {
    this.projects = await loadProjects(tx, [...this.projects.keys()]);
  }

  /** Prices and stores the entries (in order), moves the projects' carries, returns the events. */
  async store(tx: BillingTx, events: readonly ConsumedEvent<'TimeEntryApproved'>[]): Promise<EventRecord[]> {
    if (events.length === 0) return [];
    const now = BigInt(Date.now());
    const carried = new Set<BillingProject>();
    const data = events.map(({ data: entry }) => {
      const project = this.projects.get(entry.projectId) as BillingProject;
      const facts = newTimeActual(entry, entry.workDate, this.closed);
      const { carryHundredths, ...priced } = pricedTimeFields(
        facts,
        project,
        this.cards.get(cardsKey(project.legalEntityId, project.currency)) ?? [],
        this.costRates.get(costRateKey(project.projectId, entry.personId)) ?? null,
        this.namedCards,
      );
      if (carryHundredths !== undefined && carryHundredths !== project.carryHundredths) {
        project.carryHundredths = carryHundredths;
        carried.add(project);
      }
      return {
        ...facts,
        ...priced,
        dealId: project.dealId,
        customerId: project.customerId,
        legalEntityId: project.legalEntityId,
        billingPeriod: billingPeriodFor(`${facts.billingPeriod}-01`, this.closed),
        changedAt: now,
      };
    });
    const rows: Actual[] = data.map((row) => ({
      ...row,
      expenseAmountMinor: null,
      description: null,
      invoiceId: null,
      recordedSeq: 0n,
    }));
    await insertActuals(tx, rows);
    if (carried.size > 0) {
      await tx.$executeRaw`
        UPDATE billing_project SET carry_hundredths = moved.carry
        FROM unnest(${[...carried].map((p) => p.projectId)}::text[], ${[...carried].map((p) => p.carryHundredths)}::int[])
          AS moved (project_id, carry)
        WHERE billing_project.project_id = moved.project_id`;
    }
    const byId = new Map(rows.map((row) => [row.actualId, row]));
    return events.flatMap((event) => {
      const row = byId.get(event.data.entryId) as Actual;
      const origin = causedBy(event, SOURCE);
      const changed = actualChangedEvents([row], origin, null);
      if (row.status !== 'UNPRICED') return changed;
      return [...changed, missingRateRaised(row, this.projects.get(row.projectId) as BillingProject, origin)];
    });
  }
}

/**
 * One statement with one JSON parameter: Prisma's createManyAndReturn spent most of billing's CPU
 * at month-end building and parsing 26 columns per row (recorded_seq stays the column default).
 */
async function insertActuals(tx: BillingTx, rows: readonly Actual[]): Promise<void> {
  const json = JSON.stringify(
    rows.map(({ recordedSeq: _seq, ...row }) => row),
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO actual (actual_id, revision, kind, project_id, deal_id, customer_id, legal_entity_id,
       person_id, role, work_date, hours_hundredths, approved_billable, billable, currency,
       expense_amount_minor, description, rate_minor, rate_card_id, bill_amount_minor, cost_rate_minor,
       cost_amount_minor, billing_period, status, invoice_id, note, approved_at, changed_at)
     SELECT "actualId", revision, kind, "projectId", "dealId", "customerId", "legalEntityId",
       "personId", role, "workDate", "hoursHundredths", "approvedBillable", billable, currency,
       "expenseAmountMinor", description, "rateMinor", "rateCardId", "billAmountMinor", "costRateMinor",
       "costAmountMinor", "billingPeriod", status, "invoiceId", note, "approvedAt", "changedAt"
     FROM jsonb_to_recordset($1::jsonb) AS r ("actualId" TEXT, revision INT, kind TEXT, "projectId" TEXT,
       "dealId" TEXT, "customerId" TEXT, "legalEntityId" TEXT, "personId" TEXT, role TEXT, "workDate" TEXT,
       "hoursHundredths" BIGINT, "approvedBillable" BOOLEAN, billable BOOLEAN, currency TEXT,
       "expenseAmountMinor" BIGINT, description TEXT, "rateMinor" BIGINT, "rateCardId" TEXT,
       "billAmountMinor" BIGINT, "costRateMinor" BIGINT, "costAmountMinor" BIGINT, "billingPeriod" TEXT,
       status TEXT, "invoiceId" TEXT, note TEXT, "approvedAt" BIGINT, "changedAt" BIGINT)`,
    json,
  );
}

async function loadProjects(
  tx: BillingTx,
  projectIds: readonly string[],
): Promise<Map<string, BillingProject>> {
  const rows = await tx.billingProject.findMany({ where: { projectId: { in: [...projectIds] } } });
  return new Map(rows.map((row) => [row.projectId, row]));
}

const cardsKey = (legalEntityId: string, currency: string) => `${legalEntityId}\u0000${currency}`;
const costRateKey = (projectId: string, personId: string) => `${projectId}\u0000${personId}`;
