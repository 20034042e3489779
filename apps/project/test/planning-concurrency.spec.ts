import { randomBytes } from 'node:crypto';

import {
  ChangeOrderApproved,
  ContractApproved,
  ProjectTemplateUpserted,
  RateCardUpserted,
} from '@throughline/contracts';
import { MessagingRuntime } from '@throughline/messaging';
import { finishesOrWaits, HeldTransactions, TestDatabase } from '@throughline/persistence/testing';

import { PlanService } from '../src/application/plan.service';
import { ProjectService } from '../src/application/project.service';
import { ProjectDb } from '../src/infrastructure/project-db';
import { consumed, createProjectTestDatabase, replicaClients } from './replicas';

jest.setTimeout(60_000);

const run = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueId = (prefix: string) => `${prefix}-${run}-${(sequence += 1)}`;

interface ReferenceData {
  template: ProjectTemplateUpserted;
  rateCard: RateCardUpserted;
}

function referenceData(): ReferenceData {
  return {
    template: {
      templateId: uniqueId('TPL'),
      name: 'Time and materials',
      billingType: 'TIME_AND_MATERIALS',
      durationDays: 90,
      phases: [
        {
          name: 'Delivery',
          offsetDays: 0,
          durationDays: 90,
          milestones: [{ name: 'Go-live', offsetDays: 89, percentOfFee: 10_000 }],
        },
      ],
      upsertedBy: null,
    },
    rateCard: {
      rateCardId: uniqueId('RC'),
      legalEntityId: 'LE-DE',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      rates: [{ role: 'Consultant', rateMinor: 15_000, costRateMinor: 7_500 }],
      upsertedBy: null,
    },
  };
}

function contractOf({ template, rateCard }: ReferenceData): ContractApproved {
  const dealId = uniqueId('D');
  return {
    contractId: `CTR-${dealId}`,
    dealId,
    customerId: 'C-100',
    templateId: template.templateId,
    billingType: 'TIME_AND_MATERIALS',
    dealName: 'Finance transformation',
    startDate: '2026-12-01',
    deliveries: [
      {
        legalEntityId: 'LE-DE',
        currency: 'EUR',
        country: 'DE',
        rateCardId: rateCard.rateCardId,
        budgetMinor: 6_000,
        lines: [{ lineId: 'l1', role: 'Consultant', hoursHundredths: 4_000, amountMinor: 6_000 }],
      },
    ],
  };
}

const projectIdOf = (contract: ContractApproved) => `PRJ-${contract.dealId}-LE-DE`;

function changeOrderFor(projectId: string): ChangeOrderApproved {
  return {
    changeOrderId: uniqueId('CO'),
    projectId,
    description: 'More budget',
    effectiveDate: '2027-01-15',
    budgetDeltaMinor: 1_000,
    newEndDate: null,
    roleChanges: [],
    milestoneChanges: [],
    approvedBy: 'u-sales-1',
    currency: 'EUR',
  };
}

/**
 * Planning on two replicas of the service (two clients, one database), with one replica's
 * transaction held open while the other runs: contracts of different deals do not wait for each
 * other; a contract and the reference data it is planned from, and a project and a change order for
 * it, always end in the right state.
 */
describe('project planning on two replicas', () => {
  let database: TestDatabase;
  let clients: [ProjectDb, ProjectDb];
  const runtime = { groupId: 'project-concurrency' } as MessagingRuntime;
  const projects = (db: ProjectDb) => new ProjectService(db, runtime);
  const plans = (db: ProjectDb) => new PlanService(db, runtime);

  beforeAll(async () => {
    database = await createProjectTestDatabase();
    clients = replicaClients(database.url);
    // The first transaction of a client is slow (it loads its query compiler): not part of any test.
    await Promise.all(clients.map((client) => client.$transaction((tx) => tx.$queryRaw`SELECT 1`)));
  });

  // A failed expectation must not leave a transaction (and its locks) open for the next test.
  const held: HeldTransactions<ProjectDb>[] = [];
  const hold = (client: ProjectDb) => {
    const transactions = new HeldTransactions(client);
    held.push(transactions);
    return transactions;
  };
  afterEach(() => held.splice(0).forEach((transactions) => transactions.release()));

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    await database.drop();
  });

  type Part = 'template' | 'rate card';
  const store: Record<Part, (db: ProjectDb, data: ReferenceData) => Promise<void>> = {
    template: (db, { template }) =>
      projects(db).upsertTemplate(consumed('ProjectTemplateUpserted', template)),
    'rate card': (db, { rateCard }) => projects(db).upsertRateCard(consumed('RateCardUpserted', rateCard)),
  };
  const storeAllBut = async (data: ReferenceData, ...without: Part[]) => {
    for (const part of Object.keys(store) as Part[])
      if (!without.includes(part)) await store[part](clients[0], data);
  };
  const approve = (db: ProjectDb, contract: ContractApproved) =>
    projects(db).approveContract(consumed('ContractApproved', contract));
  const outboxCount = (eventType: string, field: string, value: string) =>
    clients[0].$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM messaging_outbox
      WHERE event_type = ${eventType} AND record->'data'->>${field} = ${value}`.then(([row]) => row.count);
  const stillPending = (contract: ContractApproved) =>
    clients[0].pendingContract.findUnique({ where: { contractId: contract.contractId } });
  const projectsCreated = (contract: ContractApproved) =>
    outboxCount('ProjectCreated', 'dealId', contract.dealId);

  it('plans contracts of the same template and rate card at the same time', async () => {
    const data = referenceData();
    await storeAllBut(data);
    const first = contractOf(data);
    const second = contractOf(data);
    const holder = hold(clients[0]);

    const firstDone = approve(holder.db, first);
    await holder.holding;
    const outcome = await finishesOrWaits(clients[0], approve(clients[1], second));
    holder.release();
    await firstDone;

    expect(await projectsCreated(first)).toBe(1);
    expect(await projectsCreated(second)).toBe(1);
    expect(outcome).toBe('finished');
  });

  it.each<Part>(['template', 'rate card'])(
    'creates the project of a contract whose %s is stored while it is planned',
    async (missing) => {
      const data = referenceData();
      await storeAllBut(data, missing);
      const contract = contractOf(data);
      const holder = hold(clients[0]);

      const planned = approve(holder.db, contract);
      await holder.holding;
      const stored = store[missing](clients[1], data);
      const outcome = await finishesOrWaits(clients[0], stored);
      holder.release();
      await Promise.all([planned, stored]);

      expect(await projectsCreated(contract)).toBe(1);
      // It waited for the transaction it depends on, instead of missing its uncommitted write.
      expect(outcome).toBe('waiting');
    },
  );

  it.each<Part>(['template', 'rate card'])(
    'creates the project of a contract that arrives while its %s is being stored',
    async (missing) => {
      const data = referenceData();
      await storeAllBut(data, missing);
      const contract = contractOf(data);
      const holder = hold(clients[0]);

      const stored = store[missing](holder.db, data);
      await holder.holding;
      const planned = approve(clients[1], contract);
      const outcome = await finishesOrWaits(clients[0], planned);
      holder.release();
      await Promise.all([planned, stored]);

      expect(await projectsCreated(contract)).toBe(1);
      expect(outcome).toBe('waiting');
    },
  );

  it('creates the project once when its template and rate card arrive at the same time', async () => {
    const data = referenceData();
    const contract = contractOf(data);
    await approve(clients[0], contract);
    const holder = hold(clients[0]);

    const templateStored = store.template(holder.db, data);
    await holder.holding;
    const rateCardStored = store['rate card'](clients[1], data);
    const outcome = await finishesOrWaits(clients[0], rateCardStored);
    holder.release();
    await Promise.all([templateStored, rateCardStored]);

    expect(await projectsCreated(contract)).toBe(1);
    expect(await stillPending(contract)).toBeNull();
    expect(outcome).toBe('waiting');
  });

  it('resolves a pending contract’s exception once when a change that fixes it and another change re-plan it', async () => {
    const data = referenceData();
    const incomplete = { ...data, rateCard: { ...data.rateCard, rates: [] } };
    await storeAllBut(incomplete);
    const contract = contractOf(data);
    await approve(clients[0], contract);
    expect(await outboxCount('BusinessExceptionRaised', 'entityId', contract.contractId)).toBe(1);
    const holder = hold(clients[0]);

    const rateCardStored = store['rate card'](holder.db, data);
    await holder.holding;
    // The template is re-sent unchanged: on its own it fixes nothing, after the rate card it would.
    const templateStored = store.template(clients[1], data);
    const outcome = await finishesOrWaits(clients[0], templateStored);
    holder.release();
    await Promise.all([rateCardStored, templateStored]);

    expect(await projectsCreated(contract)).toBe(1);
    expect(await outboxCount('BusinessExceptionResolved', 'entityId', contract.contractId)).toBe(1);
    expect(await stillPending(contract)).toBeNull();
    expect(outcome).toBe('waiting');
  });

  it('applies a change order that arrives while its project is being created', async () => {
    const data = referenceData();
    await storeAllBut(data);
    const contract = contractOf(data);
    const changeOrder = changeOrderFor(projectIdOf(contract));
    const holder = hold(clients[0]);

    const planned = approve(holder.db, contract);
    await holder.holding;
    const applied = plans(clients[1]).applyChangeOrder(consumed('ChangeOrderApproved', changeOrder));
    const outcome = await finishesOrWaits(clients[0], applied);
    holder.release();
    await Promise.all([planned, applied]);

    const stored = await clients[0].changeOrder.findUniqueOrThrow({
      where: { changeOrderId: changeOrder.changeOrderId },
    });
    expect(stored.status).toBe('APPLIED');
    expect(outcome).toBe('waiting');
  });

  it('applies a change order held while its project is being created', async () => {
    const data = referenceData();
    await storeAllBut(data);
    const contract = contractOf(data);
    const changeOrder = changeOrderFor(projectIdOf(contract));
    const holder = hold(clients[0]);

    const held = plans(holder.db).applyChangeOrder(consumed('ChangeOrderApproved', changeOrder));
    await holder.holding;
    const planned = approve(clients[1], contract);
    const outcome = await finishesOrWaits(clients[0], planned);
    holder.release();
    await Promise.all([planned, held]);

    const stored = await clients[0].changeOrder.findUniqueOrThrow({
      where: { changeOrderId: changeOrder.changeOrderId },
    });
    expect(stored.status).toBe('APPLIED');
    expect(outcome).toBe('waiting');
  });
});
