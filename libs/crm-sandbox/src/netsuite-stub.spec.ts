import { randomBytes } from 'node:crypto';

import { NetSuiteStub, startNetSuiteStub } from './netsuite-stub';
import { netSuiteTbaSignature } from './netsuite-tba';

describe('NetSuite stub', () => {
  let stub: NetSuiteStub;

  beforeEach(async () => {
    stub = await startNetSuiteStub();
  });

  afterEach(() => stub.close());

  /** Signs as a NetSuite client would (fresh nonce, HMAC-SHA256, realm = account id). */
  function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
    const url = `${stub.url}${path}`;
    const { accountId, consumerKey, consumerSecret, tokenId, tokenSecret } = stub.credentials;
    const oauth: Record<string, string> = {
      oauth_consumer_key: consumerKey,
      oauth_token: tokenId,
      oauth_signature_method: 'HMAC-SHA256',
      oauth_timestamp: String(Math.floor(Date.now() / 1_000)),
      oauth_nonce: randomBytes(8).toString('hex'),
      oauth_version: '1.0',
    };
    oauth['oauth_signature'] = netSuiteTbaSignature(method, url, oauth, consumerSecret, tokenSecret);
    const authorization = `OAuth realm="${accountId}", ${Object.entries(oauth)
      .map(([name, value]) => `${name}="${encodeURIComponent(value)}"`)
      .join(', ')}`;
    return fetch(url, {
      method,
      headers: { authorization, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const upsertCustomer = (id: string, companyName = 'Acme GmbH') =>
    call('PUT', `/services/rest/record/v1/customer/eid:${id}`, {
      externalId: id,
      companyName,
      isPerson: false,
    });

  const invoice = (customer: string, overrides: Record<string, unknown> = {}) => ({
    externalId: 'INV-1',
    tranId: 'LE-DE-1',
    entity: { externalId: customer },
    tranDate: '2025-05-02',
    dueDate: '2025-06-01',
    memo: 'Throughline INV-1',
    item: {
      items: [
        {
          item: { externalId: 'THROUGHLINE-TIME' },
          description: 'Consultant',
          quantity: 7.5,
          rate: 150,
          amount: 1125,
        },
        { item: { externalId: 'THROUGHLINE-EXPENSE' }, description: 'Travel', amount: 189.5 },
      ],
    },
    ...overrides,
  });

  it('upserts a customer by external id: created once, then updated in place', async () => {
    const created = await upsertCustomer('C-1');
    expect(created.status).toBe(204);
    const location = created.headers.get('location');
    expect(location).toMatch(/\/services\/rest\/record\/v1\/customer\/\d+$/);
    const updated = await upsertCustomer('C-1', 'Acme AG');
    expect(updated.headers.get('location')).toBe(location);
    expect(Object.values(stub.data.customers)).toEqual([
      expect.objectContaining({ externalId: 'C-1', companyName: 'Acme AG' }),
    ]);
  });

  it('upserts a project (job) under a known customer, and refuses an unknown one', async () => {
    await upsertCustomer('C-1');
    const job = (parent: string) => ({
      externalId: 'PRJ-1',
      companyName: 'Rollout',
      parent: { externalId: parent },
      startDate: '2025-04-01',
      projectedEndDate: '2025-09-30',
    });
    expect((await call('PUT', '/services/rest/record/v1/job/eid:PRJ-1', job('C-1'))).status).toBe(204);
    expect(stub.data.jobs['PRJ-1']).toMatchObject({ parent: 'C-1', companyName: 'Rollout' });
    const refused = await call('PUT', '/services/rest/record/v1/job/eid:PRJ-2', job('C-404'));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'parent' }],
    });
  });

  it('creates one invoice per idempotency key and names it in Location', async () => {
    await upsertCustomer('C-1');
    const key = { 'x-netsuite-idempotency-key': '0b6a2c1e-4f7d-5e8a-9b3c-2d1e0f9a8b7c' };
    const first = await call('POST', '/services/rest/record/v1/invoice', invoice('C-1'), key);
    const again = await call('POST', '/services/rest/record/v1/invoice', invoice('C-1'), key);
    expect([first.status, again.status]).toEqual([204, 204]);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(stub.data.invoices).toHaveLength(1);
    expect(stub.data.invoices[0]).toMatchObject({ entity: 'C-1', total: '1314.50', externalId: 'INV-1' });
  });

  it('answers an unknown customer with a 400 in NetSuite error shape', async () => {
    const response = await call('POST', '/services/rest/record/v1/invoice', invoice('C-404'));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1',
      title: 'Bad Request',
      status: 400,
      'o:errorDetails': [
        {
          detail: expect.stringMatching(/Invalid Field Value C-404 for the following field: entity/),
          'o:errorCode': 'USER_ERROR',
          'o:errorPath': 'entity',
        },
      ],
    });
    expect(stub.data.invoices).toHaveLength(0);
  });

  it.each([
    ['an unknown field', { currencyName: 'EUR' }, /\$\.currencyName: is not a field/],
    ['no lines', { item: { items: [] } }, /\$\.item\.items: must not be empty/],
    [
      'an amount that is not quantity × rate',
      { item: { items: [{ item: { externalId: 'THROUGHLINE-TIME' }, quantity: 2, rate: 10, amount: 21 }] } },
      /amount: is not quantity × rate/,
    ],
    ['a date that is not YYYY-MM-DD', { tranDate: '02.05.2025' }, /tranDate: must be a date/],
  ])('refuses an invoice with %s', async (_name, overrides, problem) => {
    await upsertCustomer('C-1');
    const response = await call('POST', '/services/rest/record/v1/invoice', invoice('C-1', overrides));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { 'o:errorDetails': { detail: string; 'o:errorCode': string }[] };
    expect(body['o:errorDetails'].map((error) => error.detail).join('\n')).toMatch(problem);
    expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('INVALID_CONTENT');
  });

  it('refuses a request without valid token-based authentication', async () => {
    const response = await fetch(`${stub.url}/services/rest/record/v1/customer/eid:C-1`, {
      method: 'PUT',
      headers: { authorization: 'OAuth realm="1234567_SB1", oauth_signature="x"' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      status: 401,
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }],
    });
  });
});
