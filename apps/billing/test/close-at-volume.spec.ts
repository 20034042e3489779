/**
 * Period close and invoice issue at month-end volume, against the real stack: N UNBILLED time
 * actuals of one time-and-materials project (seeded straight into billing's database — seeding is
 * not under test) are closed through the HTTP API into one draft and issued. N defaults to 20,000
 * so the file stays well under a minute; for the 100,000 figures run
 *   CLOSE_AT_VOLUME_ACTUALS=100000 npx jest -c apps/billing/jest.config.js apps/billing/test/close-at-volume.spec.ts
 * (it prints how long the close and the issue took).
 */
import { Pool } from 'pg';

import { BillingPeriodClosed, eventDefinition, EventRecord, ProjectCreated } from '@throughline/contracts';
import { createEvent, MessagingRuntime } from '@throughline/messaging';
import { EventProbe } from '@throughline/messaging/testing';
import {
  startTestService,
  testServiceConfig,
  TestService,
  testSubject,
} from '@throughline/messaging-nest/testing';

import { AppModule } from '../src/app.module';
import { actualChangedOf } from '../src/application/actual-events';
import { INVOICING_LIMITS, InvoicingLimits, TAX_POLICY } from '../src/application/invoicing.service';
import { BILLING_DB } from '../src/application/tokens';
import { BillingDb } from '../src/infrastructure/billing-db';

const ACTUALS = Number(process.env['CLOSE_AT_VOLUME_ACTUALS'] ?? 20_000);

jest.setTimeout(Math.max(120_000, ACTUALS * 3));

const PERIOD = '2031-03';
const PROJECT = 'PRJ-VOL';
const INVOICE = `INV-${PERIOD}-C-VOL-LE-VOL-EUR`;

const project: ProjectCreated = {
  projectId: PROJECT,
  contractId: 'CTR-VOL',
  dealId: 'D-VOL',
  customerId: 'C-VOL',
  legalEntityId: 'LE-VOL',
  currency: 'EUR',
  billingType: 'TIME_AND_MATERIALS',
  templateId: 'TPL-1',
  name: 'Volume',
  startDate: '2031-01-01',
  endDate: '2031-12-31',
  budgetMinor: 10_001,
  phases: [],
  roles: [{ role: 'Consultant', hoursHundredths: 40_000, rateMinor: 12_345, skills: [] }],
  // As created before ProjectCreated v2: priced from the legal entity's rate cards.
  rateCardId: null,
};

describe(`period close and issue with ${ACTUALS} actuals`, () => {
  let service: TestService;
  let probe: EventProbe;
  let pool: Pool;
  // Read by the service at each close and issue: one test shortens it to make a close run out of time.
  const limits: InvoicingLimits = { transactionTimeoutMs: 300_000, maxWaitMs: 10_000 };

  beforeAll(async () => {
    const config = testServiceConfig('billing');
    const module = AppModule.forConfig(config);
    module.providers = [
      ...(module.providers ?? []),
      { provide: INVOICING_LIMITS, useValue: limits },
      // About the close's volume, not tax: invoices untaxed (test/tax.spec.ts taxes them).
      { provide: TAX_POLICY, useValue: 'OFF' },
    ];
    service = await startTestService(module, config);
    pool = new Pool({ connectionString: config.databaseUrl, max: 2 });
    probe = await new EventProbe(service.runtime as MessagingRuntime).start([
      'BillingProvisioned',
      'InvoiceIssued',
    ]);
    await probe.publish(createEvent('ProjectCreated', project, { source: 'project' }));
    await probe.waitFor('BillingProvisioned', (e) => e.data.projectId === PROJECT);
    // Hours 0.25–8.00 and rates 100.00–199.99 vary per actual; the amount is hours × rate rounded
    // down (the close bills what pricing stored, whatever it is). Plus a few of the next period,
    // which this close must leave alone.
    await pool.query(
      `INSERT INTO actual (actual_id, kind, project_id, deal_id, customer_id, legal_entity_id, person_id, role,
         work_date, hours_hundredths, approved_billable, billable, currency, rate_minor, rate_card_id,
         bill_amount_minor, cost_rate_minor, cost_amount_minor, billing_period, status, approved_at, changed_at)
       SELECT 'TE-VOL-' || lpad(n::text, 6, '0'), 'TIME', $1, 'D-VOL', 'C-VOL', 'LE-VOL', 'P-' || (n % 50), 'Consultant',
         period || '-' || lpad((1 + n % 28)::text, 2, '0'), hours, true, true, 'EUR', rate, 'RC-VOL',
         hours * rate / 100, 8000, hours * 8000 / 100, period, 'UNBILLED', 0, 0
       FROM (SELECT n, 25 + (n * 37) % 776 AS hours, 10000 + (n * 7919) % 10000 AS rate,
               CASE WHEN n > $2 THEN $4 ELSE $3 END AS period
             FROM generate_series(1, $2::int + 5) AS n) AS seeded`,
      [PROJECT, ACTUALS, PERIOD, '2031-04'],
    );
  });

  afterAll(async () => {
    await pool?.end();
    await probe?.stop();
    await service?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'CORR-VOL' },
      body: JSON.stringify(body),
    });
  const one = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0];
  const statuses = async () =>
    Object.fromEntries(
      (
        await pool.query<{ key: string; count: number }>(
          `SELECT billing_period || ' ' || status || ' ' || coalesce(invoice_id, '-') AS key, count(*)::int AS count
           FROM actual WHERE project_id = $1 GROUP BY 1`,
          [PROJECT],
        )
      ).rows.map((row) => [row.key, row.count]),
    );

  it('answers a close that runs out of time with 422 and the reason, and stores nothing', async () => {
    limits.transactionTimeoutMs = 100;
    try {
      const response = await post(`/billing-periods/${PERIOD}/close`, { closedBy: 'U-FINANCE' });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        code: 'BILLING_COMMAND_DID_NOT_FINISH',
        error: `Closing billing period ${PERIOD} did not finish within 0.1 s and was rolled back: nothing was stored`,
        owner: 'FINANCE_OPERATIONS',
      });
    } finally {
      limits.transactionTimeoutMs = 300_000;
    }
    expect(await one('SELECT count(*)::int AS count FROM billing_period')).toEqual({ count: 0 });
    expect(await one('SELECT count(*)::int AS count FROM invoice')).toEqual({ count: 0 });
    expect(await statuses()).toEqual({ [`${PERIOD} UNBILLED -`]: ACTUALS, '2031-04 UNBILLED -': 5 });
  });

  it('closes every actual into one draft whose lines cite them and whose total is their exact sum, then issues it', async () => {
    const expected = await one(
      `SELECT sum(bill_amount_minor)::text AS total, sum(hours_hundredths)::text AS hours
       FROM actual WHERE billing_period = $1`,
      [PERIOD],
    );

    let started = Date.now();
    const closed = await post(`/billing-periods/${PERIOD}/close`, { closedBy: 'U-FINANCE' });
    const closeMs = Date.now() - started;
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as BillingPeriodClosed).draftInvoices).toEqual([
      {
        invoiceId: INVOICE,
        customerId: 'C-VOL',
        legalEntityId: 'LE-VOL',
        currency: 'EUR',
        totalMinor: Number(expected.total),
        lineCount: ACTUALS,
      },
    ]);
    expect(await statuses()).toEqual({
      [`${PERIOD} READY_TO_INVOICE ${INVOICE}`]: ACTUALS,
      '2031-04 UNBILLED -': 5,
    });
    // Every line cites exactly one of the actuals, each actual once, with its amount, hours and rate.
    expect(
      await one(
        `SELECT i.total_minor::text AS total, i.status, count(*)::int AS lines, count(DISTINCT a.actual_id)::int AS cited,
           sum((l ->> 'amountMinor')::bigint)::text AS "lineTotal",
           count(*) FILTER (WHERE (l ->> 'amountMinor')::bigint = a.bill_amount_minor
             AND (l ->> 'quantityHundredths')::bigint = a.hours_hundredths
             AND (l ->> 'unitPriceMinor')::bigint = a.rate_minor
             AND jsonb_array_length(l -> 'sourceIds') = 1)::int AS matching
         FROM invoice i
         CROSS JOIN jsonb_array_elements(i.lines) AS l
         JOIN actual a ON a.actual_id = l -> 'sourceIds' ->> 0 AND a.invoice_id = i.invoice_id
         WHERE i.invoice_id = $1
         GROUP BY i.total_minor, i.status`,
        [INVOICE],
      ),
    ).toEqual({
      total: expected.total,
      status: 'DRAFT',
      lines: ACTUALS,
      cited: ACTUALS,
      lineTotal: expected.total,
      matching: ACTUALS,
    });
    expect(await outboxed('ActualChanged', 'READY_TO_INVOICE')).toBe(ACTUALS);
    expect(await outboxed('BillingPeriodClosed')).toBe(1);
    await expectActualChangedAsCreateEventMakesIt('TE-VOL-000002', 'READY_TO_INVOICE', 'U-FINANCE');

    // Closing again is refused and changes nothing.
    const again = await post(`/billing-periods/${PERIOD}/close`, { closedBy: 'U-FINANCE' });
    expect(again.status).toBe(409);
    expect(await outboxed('BillingPeriodClosed')).toBe(1);

    started = Date.now();
    const issued = await post(`/invoices/${INVOICE}/issue`, { issuedOn: '2031-04-02' });
    const issueMs = Date.now() - started;
    expect(issued.status).toBe(200);
    expect(await issued.json()).toMatchObject({
      invoiceId: INVOICE,
      invoiceNumber: 'LE-VOL-000001',
      totalMinor: Number(expected.total),
      dueDate: '2031-05-02',
    });
    expect(await statuses()).toEqual({
      [`${PERIOD} INVOICED ${INVOICE}`]: ACTUALS,
      '2031-04 UNBILLED -': 5,
    });
    expect(await outboxed('ActualChanged', 'INVOICED')).toBe(ACTUALS);
    expect(await outboxed('InvoiceIssued')).toBe(1);
    // The issued invoice reaches Kafka whatever its size: it publishes summary lines, not one per actual.
    const published = await probe.waitFor('InvoiceIssued', (e) => e.data.invoiceId === INVOICE);
    expect([
      published.data.lines.reduce((sum, line) => sum + line.sourceCount, 0),
      published.data.lines.reduce((sum, line) => sum + line.amountMinor, 0),
    ]).toEqual([ACTUALS, Number(expected.total)]);
    expect(published.data.lines.length).toBeLessThan(10);

    // The API pages the detail lines; the list leaves them out.
    const get = async (path: string) => {
      const response = await fetch(`${service.url}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const first = await get(`/invoices/${INVOICE}`);
    expect([first.body['lineCount'], (first.body['lines'] as unknown[]).length]).toEqual([ACTUALS, 1_000]);
    const last = await get(`/invoices/${INVOICE}?offset=${ACTUALS - 2}&limit=5`);
    const stored = await one(
      `SELECT lines -> (jsonb_array_length(lines) - 2) AS a, lines -> (jsonb_array_length(lines) - 1) AS b
       FROM invoice WHERE invoice_id = $1`,
      [INVOICE],
    );
    expect(last.body['lines']).toEqual([stored.a, stored.b]);
    expect((await get(`/invoices/${INVOICE}?limit=1001`)).status).toBe(400);
    const listed = await get(`/invoices?customerId=C-VOL`);
    expect(listed.body).toEqual([expect.objectContaining({ invoiceId: INVOICE, lineCount: ACTUALS })]);
    expect(Object.keys((listed.body as unknown as Record<string, unknown>[])[0] ?? {})).not.toContain(
      'lines',
    );
    await expectActualChangedAsCreateEventMakesIt(
      `TE-VOL-${String(ACTUALS).padStart(6, '0')}`,
      'INVOICED',
      await testSubject(),
    );

    process.stdout.write(
      `close-at-volume: ${ACTUALS} actuals (${expected.hours / 100} h, ${expected.total} minor units): ` +
        `close ${closeMs} ms, issue ${issueMs} ms\n`,
    );
  });

  /**
   * The outbox record PostgreSQL built is the one createEvent(actualChangedOf(row, changedBy)) makes,
   * and encodes; changedBy is the close's closedBy or the issuing caller.
   */
  async function expectActualChangedAsCreateEventMakesIt(
    actualId: string,
    status: string,
    changedBy: string,
  ) {
    const row = await service.app
      .get<BillingDb>(BILLING_DB)
      .actual.findUniqueOrThrow({ where: { actualId } });
    const { record } = await one(
      `SELECT record FROM messaging_outbox
       WHERE event_type = 'ActualChanged' AND record -> 'data' ->> 'actualId' = $1 AND record -> 'data' ->> 'status' = $2`,
      [actualId, status],
    );
    expect(record.data).toEqual(actualChangedOf(row, changedBy));
    expect(record.envelope).toEqual({
      eventId: expect.any(String),
      eventType: 'ActualChanged',
      schemaVersion: eventDefinition('ActualChanged').latestVersion,
      occurredAt: expect.any(Number),
      correlationId: 'CORR-VOL',
      causationId: null,
      source: 'billing',
      key: PROJECT,
    });
    await expect(
      (service.runtime as MessagingRuntime).codec.encode(record as EventRecord),
    ).resolves.toBeInstanceOf(Buffer);
  }

  async function outboxed(eventType: string, status?: string): Promise<number> {
    const row = await one(
      `SELECT count(*)::int AS count FROM messaging_outbox
       WHERE event_type = $1 AND ($2::text IS NULL OR record -> 'data' ->> 'status' = $2)`,
      [eventType, status ?? null],
    );
    return row.count;
  }
});
