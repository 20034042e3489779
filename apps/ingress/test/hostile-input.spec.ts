import { createHash } from 'node:crypto';
import { IncomingHttpHeaders, request } from 'node:http';

import { hubSpotDealStageEvent, salesforceClosedWonEvent } from '@throughline/crm-sandbox';
import { testAuthorization } from '@throughline/messaging-nest/testing';

import { INGRESS_DB } from '../src/application/tokens';
import { DeliveriesService } from '../src/application/deliveries.service';
import { IngressDb } from '../src/infrastructure/ingress-db';
import { IngressHarness, startIngress } from './ingress-harness';

jest.setTimeout(120_000);

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  json: Record<string, unknown>;
}

/**
 * The hostile inputs of issue #11, each answered 4xx in one shape, nothing stored or published. The
 * generated ones (fast-check over every write route of every service) are in tools/fuzz.
 */
describe('ingress against hostile input (real stack)', () => {
  let harness: IngressHarness;
  let db: IngressDb;

  beforeAll(async () => {
    harness = await startIngress(['CustomerUpserted', 'RateCardUpserted', 'PaymentReceived', 'DealWon']);
    db = harness.service.app.get<IngressDb>(INGRESS_DB);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  /** A raw request: fetch cannot set Host nor send a bogus Content-Encoding. */
  async function send(
    method: string,
    path: string,
    body: string | Buffer = '',
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const url = new URL(harness.service.url);
    const authorization = await testAuthorization();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Rows of every table a write route stores in, the outbox (what would be published) included. */
  async function stored(): Promise<Record<string, number>> {
    const tables = [
      'erp_record',
      'erp_payment',
      'crm_change_order',
      'crm_delivery',
      'won_deal',
      'psa_time_entry',
      'psa_expense',
      'messaging_outbox',
    ];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const [row] = await db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM ${table}`);
      counts[table] = Number(row?.count ?? 0);
    }
    return counts;
  }

  function expectProblem(answer: Answer, status: number, slug: string, detail: RegExp): void {
    expect({ status: answer.status, detail: answer.json['detail'] }).toEqual({
      status,
      detail: expect.stringMatching(detail),
    });
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.json).toMatchObject({
      type: `urn:throughline:problem:${slug}`,
      title: expect.any(String),
      status,
      errors: expect.any(Array),
    });
  }

  const customer = { name: 'Acme', status: 'ACTIVE', billingCurrency: 'EUR' };
  const payment = {
    paymentId: 'PAY-H-1',
    invoiceId: 'INV-1',
    customerId: 'C-1',
    currency: 'EUR',
    amount: '10.00',
    receivedOn: '2026-12-01',
  };
  const timeEntry = {
    entryId: 'TE-H-1',
    projectId: 'PRJ-1',
    personId: 'U-1',
    role: 'Consultant',
    workDate: '2026-12-01',
    hours: '7.5',
    billable: true,
  };
  const rateCard = {
    legalEntityId: 'LE-DE',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    rates: [{ role: 'Consultant', rateMinor: 10_000 }],
  };

  it('answers every hostile input 4xx as problem+json with the reason, storing and publishing nothing', async () => {
    const before = await stored();
    let deep = '"x"';
    for (let i = 0; i < 5_000; i += 1) deep = `[${deep}]`;
    const json = (value: unknown) => JSON.stringify(value);
    const cases: [string, () => Promise<Answer>, number, string, RegExp][] = [
      [
        'HTML form posting a payment',
        () =>
          send('POST', '/erp/payments', 'paymentId=PAY-H-1&amount=10', {
            'content-type': 'application/x-www-form-urlencoded',
          }),
        415,
        'unsupported-media-type',
        /application\/x-www-form-urlencoded/,
      ],
      [
        'text/plain',
        () => send('PUT', '/erp/customers/C-H-1', json(customer), { 'content-type': 'text/plain' }),
        415,
        'unsupported-media-type',
        /text\/plain/,
      ],
      [
        'body over 100 kB',
        () => send('PUT', '/erp/customers/C-H-1', json({ ...customer, name: 'x'.repeat(110_000) })),
        413,
        'payload-too-large',
        /over 102400 bytes/,
      ],
      [
        'PSA body over 1 MB',
        () => send('POST', '/psa/time-entries', json([{ ...timeEntry, role: 'x'.repeat(1_100_000) }])),
        413,
        'payload-too-large',
        /over 1048576 bytes/,
      ],
      [
        'bogus Content-Encoding',
        () => send('PUT', '/erp/customers/C-H-1', json(customer), { 'content-encoding': 'bogus' }),
        415,
        'unsupported-content-encoding',
        /bogus/,
      ],
      [
        'unsupported charset',
        () =>
          send('PUT', '/erp/customers/C-H-1', json(customer), {
            'content-type': 'application/json; charset=utf-7',
          }),
        415,
        'unsupported-charset',
        /UTF-7/,
      ],
      [
        'malformed JSON',
        () => send('POST', '/erp/payments', '{"paymentId": '),
        400,
        'malformed-json',
        /^unreadable JSON body/,
      ],
      [
        'NUL in a string',
        () => send('PUT', '/erp/customers/C-H-1', json({ ...customer, name: 'Ac\u0000me' })),
        400,
        'invalid-input',
        /name: contains a NUL/,
      ],
      [
        'NUL in an id',
        () => send('POST', '/erp/payments', json({ ...payment, paymentId: 'PAY\u0000' })),
        400,
        'invalid-input',
        /paymentId: contains a NUL/,
      ],
      [
        'NUL in a path id',
        () => send('PUT', '/erp/customers/C%00H', json(customer)),
        400,
        'invalid-input',
        /\(path\): contains a NUL/,
      ],
      [
        'lone surrogate',
        () =>
          send('PUT', '/erp/customers/C-H-1', '{"name":"\\ud800","status":"ACTIVE","billingCurrency":"EUR"}'),
        400,
        'invalid-input',
        /name: contains a lone surrogate/,
      ],
      [
        '5,000-deep nesting',
        () => send('PUT', '/erp/customers/C-H-1', `{"name":${deep}}`),
        400,
        'invalid-input',
        /nested deeper than 32 levels/,
      ],
      [
        'currency ZZZ',
        () => send('PUT', '/erp/customers/C-H-1', json({ ...customer, billingCurrency: 'ZZZ' })),
        400,
        'invalid-request',
        /billingCurrency: expected an ISO 4217 currency code/,
      ],
      [
        'currency XTS',
        () => send('POST', '/erp/payments', json({ ...payment, currency: 'XTS' })),
        400,
        'invalid-request',
        /currency: expected an ISO 4217 currency code/,
      ],
      [
        'effective date in year 9999',
        () => send('PUT', '/erp/rate-cards/RC-H-1', json({ ...rateCard, effectiveFrom: '9999-01-01' })),
        400,
        'invalid-request',
        /effectiveFrom: expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31/,
      ],
      [
        'work date in year 9999',
        () => send('POST', '/psa/time-entries', json({ ...timeEntry, workDate: '9999-12-31' })),
        400,
        'invalid-request',
        /workDate: expected a calendar date YYYY-MM-DD from 2000-01-01/,
      ],
      [
        'integer past 2^53',
        () =>
          send(
            'PUT',
            '/erp/rate-cards/RC-H-1',
            json({ ...rateCard, rates: [{ role: 'Consultant', rateMinor: 1e300 }] }),
          ),
        400,
        'invalid-request',
        /rates\.0\.rateMinor/,
      ],
      [
        'Host of a DNS rebinding attacker',
        () => send('PUT', '/erp/customers/C-H-1', json(customer), { host: 'attacker.example' }),
        421,
        'misdirected-request',
        /attacker\.example/,
      ],
      [
        'cross-site Origin',
        () => send('POST', '/erp/payments', json(payment), { origin: 'https://attacker.example' }),
        403,
        'forbidden-origin',
        /attacker\.example/,
      ],
      [
        'unsigned webhook',
        () => send('POST', '/webhooks/salesforce', json({ hello: 1 })),
        401,
        'invalid-signature',
        /missing/,
      ],
      [
        'refused-request page over 100',
        () => send('GET', '/rejected-deliveries?limit=500', ''),
        400,
        'invalid-request',
        /limit/,
      ],
    ];
    for (const [name, call, status, slug, detail] of cases) {
      const answer = await call();
      expect({ name, status: answer.status }).toEqual({ name, status });
      expectProblem(answer, status, slug, detail);
    }
    expect(await stored()).toEqual(before);
    expect(harness.probe.events('CustomerUpserted')).toEqual([]);
    expect(harness.probe.events('PaymentReceived')).toEqual([]);
  });

  it('refuses the bad events of a signed HubSpot batch with their reasons and records the others', async () => {
    const good = hubSpotDealStageEvent({ eventId: 710_001, dealId: 71_001, stage: 'appointmentscheduled' });
    const farFuture = { ...hubSpotDealStageEvent({ eventId: 710_002, dealId: 71_002 }), occurredAt: 1e16 };
    const hugeId = { ...hubSpotDealStageEvent({ eventId: 710_003, dealId: 71_003 }), objectId: 1e308 };
    const tooLongId = {
      ...hubSpotDealStageEvent({ eventId: 1, dealId: 71_004 }),
      eventId: '99999999999999999999',
    };
    const withNul = {
      ...hubSpotDealStageEvent({ eventId: 710_005, dealId: 71_005 }),
      propertyValue: 'a\u0000',
    };
    const answer = await harness.postHubSpot([good, farFuture, hugeId, tooLongId, withNul]);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      received: 1,
      deliveries: [expect.objectContaining({ deliveryId: '710001', status: 'IGNORED' })],
      refused: [
        { index: 1, eventId: '710002', reason: expect.stringMatching(/^\[1\]\.occurredAt: expected epoch/) },
        { index: 2, eventId: '710003', reason: expect.stringMatching(/^\[2\]\.objectId: /) },
        { index: 3, eventId: null, reason: expect.stringMatching(/^\[3\]\.eventId: /) },
        { index: 4, eventId: '710005', reason: '[4].propertyValue: contains a NUL character (U+0000)' },
      ],
      rejectedId: expect.any(String),
    });
    for (const id of ['710002', '710003', '710005']) {
      expect((await fetch(`${harness.service.url}/deliveries/hubspot/${id}`)).status).toBe(404);
    }

    // Nothing usable at all: 400, the body kept as a prefix.
    let deep = '0';
    for (let i = 0; i < 5_000; i += 1) deep = `[${deep}]`;
    const nested = await harness.postHubSpot(undefined, { rawBody: `[${deep}]` });
    expect(nested).toMatchObject({
      status: 400,
      json: {
        type: 'urn:throughline:problem:invalid-request',
        detail: expect.stringMatching(/nested deeper/),
      },
    });
  });

  it('refuses a Salesforce opportunity id with shell metacharacters', async () => {
    const event = salesforceClosedWonEvent({ opportunityId: 'FUZZ;rm -rf /', lineItems: [] });
    const answer = await harness.postSalesforce(event);
    expect(answer).toMatchObject({
      status: 400,
      json: {
        errors: [{ field: 'payload.OpportunityId__c', detail: expect.stringMatching(/Salesforce id/) }],
      },
    });
    expect(harness.probe.events('DealWon', (e) => e.data.dealId.startsWith('SF-FUZZ'))).toEqual([]);

    // Signed, but with a NUL in a name or 5,000 levels of nesting: 400 with the field, not a 503.
    const nul = salesforceClosedWonEvent({ opportunityId: '0065g00000SfNul001', lineItems: [] });
    const withNul = await harness.postSalesforce({
      ...nul,
      payload: { ...nul.payload, Name__c: 'a\u0000b' },
    });
    expect(withNul).toMatchObject({
      status: 400,
      json: { errors: [{ field: 'payload.Name__c', detail: 'contains a NUL character (U+0000)' }] },
    });
    let deep = '0';
    for (let i = 0; i < 5_000; i += 1) deep = `[${deep}]`;
    const text = JSON.stringify({ ...nul, extra: 'DEEP' }).replace('"DEEP"', deep);
    const nested = await harness.postSalesforce(undefined, { rawBody: text });
    expect(nested).toMatchObject({
      status: 400,
      json: { detail: expect.stringMatching(/^extra\.0(\.0)*: nested deeper/) },
    });
    expect((await fetch(`${harness.service.url}/deliveries/salesforce/${nul.eventUuid}`)).status).toBe(404);
  });

  it('keeps a prefix, the size and the SHA-256 of a refused body, pages by 20, and deletes old ones', async () => {
    const body = JSON.stringify({ padding: 'p'.repeat(90_000) });
    const refused = await harness.postHubSpot(undefined, { rawBody: body, secret: 'not-the-secret' });
    expect(refused.status).toBe(401);
    const page = await harness.get<{ rejected: Record<string, unknown>[] }>('/rejected-deliveries');
    expect(page.rejected.length).toBeLessThanOrEqual(20);
    const row = page.rejected.find((candidate) => candidate['id'] === refused.json['rejectedId']);
    expect(row).toMatchObject({
      httpStatus: 401,
      bodyBytes: Buffer.byteLength(body),
      bodySha256: createHash('sha256').update(body).digest('hex'),
      bodyTruncated: true,
    });
    expect(row?.['bodyPrefix']).toBe(body.slice(0, 4_096));

    const old = await db.rejectedDelivery.create({
      data: {
        source: 'hubspot',
        httpStatus: 401,
        reason: 'old',
        receivedAt: new Date(Date.now() - 31 * 86_400_000),
      },
    });
    const deleted = await harness.service.app.get(DeliveriesService).purgeRefused(new Date());
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await db.rejectedDelivery.findUnique({ where: { id: old.id } })).toBeNull();
    expect(
      await db.rejectedDelivery.count({ where: { id: BigInt(refused.json['rejectedId'] as string) } }),
    ).toBe(1);
  });
});
