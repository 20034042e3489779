import { MessagingRuntime } from '@throughline/messaging';
import { eventually } from '@throughline/messaging/testing';
import { Logger } from '@throughline/messaging-nest';
import { TestDatabase } from '@throughline/persistence/testing';

import { DealApprovalService } from '../src/application/deal-approval.service';
import { ProjectSetupService } from '../src/application/project-setup.service';
import { ContractDb } from '../src/infrastructure/contract-db';
import { SetupDeadlineScheduler } from '../src/interface/setup-deadline.scheduler';
import { customer, dealLine, dealWon, legalEntity, rateCard, template } from './fixtures';
import { consumed, createContractTestDatabase, replicaClients } from './replicas';

jest.setTimeout(60_000);

const DEALS = 30;

const byTypeAndDeal = (
  a: { event_type: string; deal_id: string },
  b: { event_type: string; deal_id: string },
) => (a.event_type < b.event_type ? -1 : a.event_type > b.event_type ? 1 : a.deal_id < b.deal_id ? -1 : 1);

/**
 * The setup deadline check on two replicas (two clients of one database, each with its own timer):
 * setups that fall due together are declared OVERDUE once each.
 */
describe('setup deadline check on two replicas', () => {
  let database: TestDatabase;
  let clients: [ContractDb, ContractDb];
  const runtime = { groupId: 'contract-deadline-replicas' } as MessagingRuntime;
  const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;
  // Due at once, checked every 20 ms by each replica.
  const setup = { deadlineMs: 1, deadlineCheckMs: 20 };

  beforeAll(async () => {
    database = await createContractTestDatabase();
    clients = replicaClients(database.url);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    await database.drop();
  });

  it('declares each overdue setup OVERDUE once however many replicas check', async () => {
    const approvals = new DealApprovalService(clients[0], setup, runtime);
    const acme = customer();
    const le = legalEntity();
    const tm = template('TIME_AND_MATERIALS');
    await approvals.customerUpserted(consumed('CustomerUpserted', acme));
    await approvals.legalEntityUpserted(consumed('LegalEntityUpserted', le));
    await approvals.rateCardUpserted(consumed('RateCardUpserted', rateCard(le.legalEntityId)));
    await approvals.projectTemplateUpserted(consumed('ProjectTemplateUpserted', tm));
    const deals = Array.from({ length: DEALS }, () =>
      dealWon({
        customerId: acme.customerId,
        templateId: tm.templateId,
        lines: [dealLine(le.legalEntityId)],
      }),
    );
    for (const deal of deals) await approvals.dealWon(consumed('DealWon', deal));

    const checks = clients.map(
      (client) =>
        new SetupDeadlineScheduler(new ProjectSetupService(client, runtime, logger), setup, client, logger),
    );
    checks.forEach((check) => check.onApplicationBootstrap());
    try {
      await eventually(
        async () => (await clients[0].setupProcess.count({ where: { status: 'IN_PROGRESS' } })) === 0,
      );
    } finally {
      // Stopping waits for running checks, so everything either replica declared is in the outbox.
      await Promise.all(checks.map((check) => check.onModuleDestroy()));
    }

    const declared = await clients[0].$queryRaw<{ event_type: string; deal_id: string; count: number }[]>`
      SELECT event_type, record->'data'->>'dealId' AS deal_id, count(*)::int AS count FROM messaging_outbox
      WHERE event_type IN ('ProjectSetupCompleted', 'BusinessExceptionRaised')
        AND (event_type = 'ProjectSetupCompleted' OR record->'data'->>'code' = 'SETUP_OVERDUE')
      GROUP BY 1, 2`;
    const once = deals
      .flatMap((deal) => [
        { event_type: 'BusinessExceptionRaised', deal_id: deal.dealId, count: 1 },
        { event_type: 'ProjectSetupCompleted', deal_id: deal.dealId, count: 1 },
      ])
      .sort(byTypeAndDeal);
    expect(declared.sort(byTypeAndDeal)).toEqual(once);
  });
});
