import { HubSpotStub, startHubSpotStub } from '@throughline/crm-sandbox';
import { HubSpotApiError, HubSpotCrmClient } from './hubspot-client';

describe('HubSpotCrmClient against the HubSpot stub', () => {
  let stub: HubSpotStub;
  let client: HubSpotCrmClient;

  beforeAll(async () => {
    stub = await startHubSpotStub({
      accessToken: 'token-1',
      deals: {
        '1': {
          properties: { dealname: 'Deal one', amount: '10.00' },
          lineItemIds: ['11', '12'],
          companyIds: ['21'],
        },
      },
      companies: { '21': { name: 'Acme', erp_customer_id: 'C-1', phone: '+49 30 1234' } },
      lineItems: { '11': { name: 'A', quantity: '1' }, '12': { name: 'B', quantity: '2' } },
    });
    client = new HubSpotCrmClient({
      apiUrl: `${stub.url}/`,
      accessToken: 'token-1',
      requestsPerSecond: 100,
      timeoutMs: 2_000,
    });
  });

  afterAll(async () => {
    await stub.close();
  });

  async function failure(call: () => Promise<unknown>): Promise<HubSpotApiError> {
    try {
      await call();
    } catch (error) {
      if (error instanceof HubSpotApiError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  it('reads a deal with its associations and only the requested properties', async () => {
    const deal = await client.getDeal('1');
    expect(deal.id).toBe('1');
    expect(deal.properties).toMatchObject({ dealname: 'Deal one', amount: '10.00', dealstage: null });
    expect(deal.associations?.['line items']?.results).toEqual([
      { id: '11', type: 'deal_to_line_item' },
      { id: '12', type: 'deal_to_line_item' },
    ]);
    const company = await client.getCompany('21');
    expect(company.properties).not.toHaveProperty('phone');
    expect(company.properties['erp_customer_id']).toBe('C-1');
  });

  it('batch-reads line items; unknown ids are absent, not an error', async () => {
    const items = await client.batchReadLineItems(['11', '12', '13']);
    expect(items.map((item) => [item.id, item.properties['quantity']])).toEqual([
      ['11', '1'],
      ['12', '2'],
    ]);
  });

  it('classifies failures: 404 is final, 5xx and 429 are retried (with Retry-After)', async () => {
    const missing = await failure(() => client.getDeal('404404'));
    expect(missing).toMatchObject({
      retriable: false,
      status: 404,
      message: 'HubSpot deal 404404 was not found (404)',
    });

    stub.failNext({ status: 502 });
    expect(await failure(() => client.getCompany('21'))).toMatchObject({
      retriable: true,
      status: 502,
      message: 'HubSpot API answered 502 reading company 21: INTERNAL_ERROR internal error',
    });

    stub.failNext({ status: 429, retryAfterSeconds: 3 });
    expect(await failure(() => client.getCompany('21'))).toMatchObject({
      retriable: true,
      status: 429,
      retryAfterMs: 3_000,
    });
  });

  it('treats a refused token as retriable and never sends anything but the Bearer header', async () => {
    const wrong = new HubSpotCrmClient({
      apiUrl: stub.url,
      accessToken: 'other',
      requestsPerSecond: 100,
      timeoutMs: 2_000,
    });
    const error = await failure(() => wrong.getDeal('1'));
    expect(error).toMatchObject({ retriable: true, status: 401 });
    expect(error.message).not.toContain('other');
  });

  it('reports an unreachable API as retriable', async () => {
    const offline = new HubSpotCrmClient({
      apiUrl: 'http://127.0.0.1:9',
      accessToken: 'x',
      requestsPerSecond: 100,
      timeoutMs: 1_000,
    });
    expect(await failure(() => offline.getDeal('1'))).toMatchObject({ retriable: true, status: null });
  });
});
