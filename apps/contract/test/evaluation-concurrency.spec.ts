import { MessagingRuntime } from '@throughline/messaging';
import { finishesOrWaits, HeldTransactions, TestDatabase } from '@throughline/persistence/testing';

import { DealApprovalService } from '../src/application/deal-approval.service';
import { ContractDb } from '../src/infrastructure/contract-db';
import { customer, dealLine, dealWon, legalEntity, rateCard, template } from './fixtures';
import { consumed, createContractTestDatabase, replicaClients } from './replicas';

jest.setTimeout(60_000);

/**
 * Deal evaluation on two replicas of the service (two clients, one database), with one replica's
 * transaction held open while the other runs: evaluations of different deals do not wait for each
 * other; an evaluation and the master data it reads always end in the right state.
 */
describe('deal evaluation on two replicas', () => {
  let database: TestDatabase;
  let clients: [ContractDb, ContractDb];
  const runtime = { groupId: 'contract-concurrency' } as MessagingRuntime;
  const setup = { deadlineMs: 60_000, deadlineCheckMs: 60_000 };
  const service = (db: ContractDb) => new DealApprovalService(db, setup, runtime);

  beforeAll(async () => {
    database = await createContractTestDatabase();
    clients = replicaClients(database.url);
    // The first query of a client is slow (it loads its query compiler): not part of any test.
    await Promise.all(clients.map((client) => client.$transaction((tx) => tx.$queryRaw`SELECT 1`)));
  });

  // A failed expectation must not leave a transaction (and its locks) open for the next test.
  const held: HeldTransactions<ContractDb>[] = [];
  const hold = (client: ContractDb) => {
    const transactions = new HeldTransactions(client);
    held.push(transactions);
    return transactions;
  };
  afterEach(() => held.splice(0).forEach((transactions) => transactions.release()));

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    await database.drop();
  });

  /** Master data for deals; `without` is left out, to be stored while a deal is evaluated. */
  const masterData = () => {
    const acme = customer();
    const le = legalEntity();
    return { acme, le, rc: rateCard(le.legalEntityId), tm: template('TIME_AND_MATERIALS') };
  };
  type MasterData = ReturnType<typeof masterData>;
  type Part = 'customer' | 'legal entity' | 'rate card' | 'template';
  const store: Record<Part, (replica: DealApprovalService, data: MasterData) => Promise<void>> = {
    customer: (replica, { acme }) => replica.customerUpserted(consumed('CustomerUpserted', acme)),
    'legal entity': (replica, { le }) => replica.legalEntityUpserted(consumed('LegalEntityUpserted', le)),
    'rate card': (replica, { rc }) => replica.rateCardUpserted(consumed('RateCardUpserted', rc)),
    template: (replica, { tm }) => replica.projectTemplateUpserted(consumed('ProjectTemplateUpserted', tm)),
  };
  const storeAllBut = async (data: MasterData, ...without: Part[]) => {
    for (const part of Object.keys(store) as Part[])
      if (!without.includes(part)) await store[part](service(clients[0]), data);
  };
  const dealOf = ({ acme, le, tm }: MasterData) =>
    dealWon({ customerId: acme.customerId, templateId: tm.templateId, lines: [dealLine(le.legalEntityId)] });
  const statusOf = async (dealId: string) =>
    (await clients[0].deal.findUniqueOrThrow({ where: { dealId } })).status;
  const contractsApproved = (dealId: string) =>
    clients[0].$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM messaging_outbox
      WHERE event_type = 'ContractApproved' AND record->'data'->>'dealId' = ${dealId}`.then(
      ([row]) => row.count,
    );

  it('evaluates deals of the same customer, legal entity and rate card at the same time', async () => {
    const data = masterData();
    await storeAllBut(data);
    const first = dealOf(data);
    const second = dealOf(data);
    const holder = hold(clients[0]);

    const firstDone = service(holder.db).dealWon(consumed('DealWon', first));
    await holder.holding;
    const secondDone = service(clients[1]).dealWon(consumed('DealWon', second));
    await expect(finishesOrWaits(clients[0], secondDone)).resolves.toBe('finished');
    holder.release();
    await firstDone;

    expect(await statusOf(first.dealId)).toBe('APPROVED');
    expect(await statusOf(second.dealId)).toBe('APPROVED');
  });

  it.each<Part>(['customer', 'legal entity', 'rate card', 'template'])(
    'approves a deal whose %s is stored while the deal is evaluated',
    async (missing) => {
      const data = masterData();
      await storeAllBut(data, missing);
      const deal = dealOf(data);
      const holder = hold(clients[0]);

      const evaluated = service(holder.db).dealWon(consumed('DealWon', deal));
      await holder.holding;
      const stored = store[missing](service(clients[1]), data);
      const outcome = await finishesOrWaits(clients[0], stored);
      holder.release();
      await Promise.all([evaluated, stored]);

      expect(await statusOf(deal.dealId)).toBe('APPROVED');
      expect(await contractsApproved(deal.dealId)).toBe(1);
      // It waited for the transaction it depends on, instead of missing its uncommitted write.
      expect(outcome).toBe('waiting');
    },
  );

  it.each<Part>(['customer', 'legal entity', 'rate card', 'template'])(
    'approves a deal that arrives while its %s is being stored',
    async (missing) => {
      const data = masterData();
      await storeAllBut(data, missing);
      const deal = dealOf(data);
      const holder = hold(clients[0]);

      const stored = store[missing](service(holder.db), data);
      await holder.holding;
      const evaluated = service(clients[1]).dealWon(consumed('DealWon', deal));
      const outcome = await finishesOrWaits(clients[0], evaluated);
      holder.release();
      await Promise.all([evaluated, stored]);

      expect(await statusOf(deal.dealId)).toBe('APPROVED');
      expect(await contractsApproved(deal.dealId)).toBe(1);
      // It waited for the transaction it depends on, instead of missing its uncommitted write.
      expect(outcome).toBe('waiting');
    },
  );

  it('approves a pending deal once when two master-data changes resume it at the same time', async () => {
    const data = masterData();
    await storeAllBut(data, 'customer', 'rate card');
    const deal = dealOf(data);
    await service(clients[0]).dealWon(consumed('DealWon', deal));
    expect(await statusOf(deal.dealId)).toBe('PENDING');
    const holder = hold(clients[0]);

    const customerStored = store.customer(service(holder.db), data);
    await holder.holding;
    const rateCardStored = store['rate card'](service(clients[1]), data);
    const outcome = await finishesOrWaits(clients[0], rateCardStored);
    holder.release();
    await Promise.all([customerStored, rateCardStored]);

    expect(await statusOf(deal.dealId)).toBe('APPROVED');
    expect(await contractsApproved(deal.dealId)).toBe(1);
    // It waited for the transaction it depends on, instead of missing its uncommitted write.
    expect(outcome).toBe('waiting');
  });

  it('approves a deal once when a change that completes it and another change resume it at the same time', async () => {
    const data = masterData();
    await storeAllBut(data, 'rate card');
    const deal = dealOf(data);
    await service(clients[0]).dealWon(consumed('DealWon', deal));
    const holder = hold(clients[0]);

    const rateCardStored = store['rate card'](service(holder.db), data);
    await holder.holding;
    // The customer is re-sent unchanged: on its own it completes nothing, after the rate card it would.
    const customerStored = store.customer(service(clients[1]), data);
    const outcome = await finishesOrWaits(clients[0], customerStored);
    holder.release();
    await Promise.all([rateCardStored, customerStored]);

    expect(await statusOf(deal.dealId)).toBe('APPROVED');
    expect(await contractsApproved(deal.dealId)).toBe(1);
    expect(outcome).toBe('waiting');
  });

  it('evaluates deals of different master data while master data of another deal is stored', async () => {
    const waiting = masterData();
    await storeAllBut(waiting, 'rate card');
    const other = masterData();
    await storeAllBut(other);
    const holder = hold(clients[0]);

    const stored = store['rate card'](service(holder.db), waiting);
    await holder.holding;
    const otherDeal = dealOf(other);
    const evaluated = service(clients[1]).dealWon(consumed('DealWon', otherDeal));
    await expect(finishesOrWaits(clients[0], evaluated)).resolves.toBe('finished');
    holder.release();
    await stored;

    expect(await statusOf(otherDeal.dealId)).toBe('APPROVED');
  });
});
