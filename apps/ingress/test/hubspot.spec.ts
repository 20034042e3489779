import { hubSpotDealStageEvent, HubSpotStubData } from '@throughline/crm-sandbox';
import { IngressHarness, sleep, startIngress } from './ingress-harness';

jest.setTimeout(60_000);

const company = { name: 'Acme GmbH', erp_customer_id: 'C-100' };
const lineItems = {
  '501': {
    name: 'Architecture',
    quantity: '40',
    price: '150.00',
    amount: '6000.00',
    legal_entity_id: 'LE-DE',
    role: 'Architect',
    rate_card_id: 'RC-DE-2026',
    hs_sku: 'ARCH',
  },
  '502': {
    name: 'Implementation',
    quantity: '120.5',
    price: '99.99',
    amount: null,
    legal_entity_id: 'LE-UK',
    role: 'Consultant',
    rate_card_id: null,
    hs_sku: null,
  },
};

function deal(overrides: Record<string, string | null> = {}) {
  return {
    properties: {
      dealname: 'Finance transformation',
      amount: '18048.80',
      deal_currency_code: 'EUR',
      closedate: '2026-11-30T00:00:00.000Z',
      dealstage: 'closedwon',
      throughline_template_id: 'TPL-FIXED',
      ...overrides,
    },
    lineItemIds: ['501', '502'],
    companyIds: ['77'],
  };
}

const data: HubSpotStubData = {
  deals: {
    '9001': deal(),
    '9101': deal({ dealname: 'Redelivered deal' }),
    '9201': deal(),
    '9301': deal({ dealname: 'Flaky API deal' }),
    '9401': { ...deal(), companyIds: ['78'] },
  },
  companies: { '77': company, '78': { name: 'No ERP id Ltd', erp_customer_id: null } },
  lineItems,
};

describe('HubSpot webhooks against the real stack', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress(['DealWon'], data);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('records a signed batch and publishes one DealWon with exactly mapped amounts and lines', async () => {
    const won = hubSpotDealStageEvent({
      eventId: 1001,
      dealId: 9001,
      occurredAt: Date.UTC(2026, 10, 30, 10),
    });
    const other = { ...won, eventId: 1002, propertyName: 'amount', propertyValue: '18048.80' };
    const response = await harness.postHubSpot([won, other]);
    expect(response.status).toBe(202);
    expect(response.json['received']).toBe(2);
    const deliveries = response.json['deliveries'] as {
      deliveryId: string;
      status: string;
      correlationId: string;
    }[];
    expect(deliveries.map(({ deliveryId, status }) => ({ deliveryId, status }))).toEqual([
      { deliveryId: '1001', status: 'PENDING' },
      { deliveryId: '1002', status: 'IGNORED' },
    ]);

    const event = await harness.probe.waitFor('DealWon', (e) => e.data.dealId === 'HS-9001');
    expect(event.data).toEqual({
      dealId: 'HS-9001',
      crm: 'HUBSPOT',
      crmDeliveryId: '1001',
      dealName: 'Finance transformation',
      customerId: 'C-100',
      customerName: 'Acme GmbH',
      currency: 'EUR',
      amountMinor: 1_804_880,
      closeDate: '2026-11-30',
      templateId: 'TPL-FIXED',
      lines: [
        {
          lineId: '501',
          legalEntityId: 'LE-DE',
          role: 'Architect',
          rateCardId: 'RC-DE-2026',
          hoursHundredths: 4_000,
          amountMinor: 600_000,
          currency: 'EUR',
          description: 'Architecture',
        },
        {
          lineId: '502',
          legalEntityId: 'LE-UK',
          role: 'Consultant',
          rateCardId: null,
          hoursHundredths: 12_050,
          amountMinor: 1_204_880, // 120.5 h × 99.99 = 12048.795 → 12048.80
          currency: 'EUR',
          description: 'Implementation',
        },
      ],
      salesOwnerEmail: null,
    });
    expect(event.envelope.source).toBe('ingress');
    expect(event.envelope.correlationId).toBe(deliveries[0]?.correlationId);

    const calls = harness.stub.requests.filter(
      (request) =>
        request.path.includes('9001') || request.path.includes('77') || request.path.includes('batch'),
    );
    expect(calls.every((call) => call.authorized)).toBe(true);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'GET /crm/v3/objects/deals/9001',
      'GET /crm/v3/objects/companies/77',
      'POST /crm/v3/objects/line_items/batch/read',
    ]);
    expect(calls[0]?.query).toEqual({
      properties: 'dealname,amount,deal_currency_code,closedate,dealstage,throughline_template_id',
      associations: 'line_items,companies',
    });
    expect(calls[2]?.body).toEqual({
      inputs: [{ id: '501' }, { id: '502' }],
      properties: [
        'name',
        'quantity',
        'price',
        'amount',
        'legal_entity_id',
        'role',
        'rate_card_id',
        'hs_sku',
      ],
    });

    expect(await harness.delivery('hubspot', '1001')).toMatchObject({
      status: 'PROCESSED',
      dealId: 'HS-9001',
      attempts: 1,
    });
    expect(await harness.delivery('hubspot', '1002')).toMatchObject({
      status: 'IGNORED',
      reason: 'change of deal property "amount" is not handled',
    });
  });

  it('refuses a bad signature, a missing signature and a stale timestamp with 401, keeping the request', async () => {
    const body = [hubSpotDealStageEvent({ eventId: 1101, dealId: 9001 })];
    const bad = await harness.postHubSpot(body, { secret: 'not-the-app-secret' });
    expect(bad).toMatchObject({ status: 401, json: { error: 'signature mismatch' } });
    const missing = await harness.postHubSpot(body, { headers: { 'x-hubspot-signature-v3': '' } });
    expect(missing).toMatchObject({ status: 401, json: { error: 'missing X-HubSpot-Signature-v3 header' } });
    const stale = await harness.postHubSpot(body, { timestamp: Date.now() - 6 * 60_000 });
    expect(stale).toMatchObject({ status: 401, json: { error: 'stale timestamp' } });
    const future = await harness.postHubSpot(body, { timestamp: Date.now() + 6 * 60_000 });
    expect(future).toMatchObject({ status: 401, json: { error: 'stale timestamp' } });

    const refused = await harness.get<{
      rejected: { id: string; httpStatus: number; reason: string; bodyPrefix: string }[];
    }>('/rejected-deliveries?source=hubspot');
    const ids = [bad, missing, stale, future].map((answer) => answer.json['rejectedId']);
    expect(
      refused.rejected
        .filter((row) => ids.includes(row.id))
        .map((row) => [row.httpStatus, row.reason, row.bodyPrefix]),
    ).toEqual([
      [401, 'stale timestamp', JSON.stringify(body)],
      [401, 'stale timestamp', JSON.stringify(body)],
      [401, 'missing X-HubSpot-Signature-v3 header', JSON.stringify(body)],
      [401, 'signature mismatch', JSON.stringify(body)],
    ]);
    const response = await fetch(`${harness.service.url}/deliveries/hubspot/1101`);
    expect(response.status).toBe(404);
  });

  it('publishes one DealWon per deal, whatever HubSpot resends', async () => {
    const first = hubSpotDealStageEvent({ eventId: 2001, dealId: 9101 });
    expect((await harness.postHubSpot([first])).status).toBe(202);
    const again = await harness.postHubSpot([{ ...first, attemptNumber: 1 }]);
    expect(again.status).toBe(202);
    expect(again.json['deliveries']).toEqual([
      expect.objectContaining({ deliveryId: '2001', redelivered: true }),
    ]);
    await harness.probe.waitFor('DealWon', (e) => e.data.dealId === 'HS-9101');

    // A different delivery about the same deal (e.g. the stage was toggled and set again).
    expect((await harness.postHubSpot([hubSpotDealStageEvent({ eventId: 2002, dealId: 9101 })])).status).toBe(
      202,
    );
    const duplicate = await harness.waitForDelivery('hubspot', '2002', (row) => row['status'] !== 'PENDING');
    expect(duplicate).toMatchObject({
      status: 'DUPLICATE',
      reason: 'deal HS-9101 was already won (DealWon from delivery 2001)',
    });
    await sleep(1_500);
    expect(harness.probe.events('DealWon', (e) => e.data.dealId === 'HS-9101')).toHaveLength(1);
    const fetched = harness.stub.requests.filter((request) => request.path === '/crm/v3/objects/deals/9101');
    expect(fetched).toHaveLength(1);
  });

  it('answers malformed JSON and a wrong shape with 400 and the reason, keeping the raw body', async () => {
    const malformed = await harness.postHubSpot(undefined, { rawBody: '[{"eventId": 3001,' });
    expect(malformed.status).toBe(400);
    expect(malformed.json['error']).toMatch(/^malformed JSON: /);

    const wrongShape = [{ ...hubSpotDealStageEvent({ eventId: 3002, dealId: 9201 }), objectId: 'nine' }];
    const shape = await harness.postHubSpot(wrongShape);
    expect(shape).toMatchObject({
      status: 400,
      json: {
        type: 'urn:throughline:problem:invalid-request',
        detail: '1 of 1 events refused: [0].objectId: Expected number, received string',
        errors: [{ field: '[0]', detail: '[0].objectId: Expected number, received string' }],
      },
    });

    const notAnArray = await harness.postHubSpot({ eventId: 3003 });
    expect(notAnArray).toMatchObject({
      status: 400,
      json: { error: '(body): Expected array, received object' },
    });

    // Unsigned garbage is refused for its signature before anything reads it.
    const unsigned = await harness.postHubSpot(undefined, {
      rawBody: '{oops',
      headers: { 'x-hubspot-signature-v3': 'AAAA' },
    });
    expect(unsigned).toMatchObject({ status: 401, json: { error: 'signature mismatch' } });

    const refused = await harness.get<{
      rejected: { id: string; httpStatus: number; reason: string; bodyPrefix: string }[];
    }>('/rejected-deliveries?source=hubspot&limit=10');
    const byId = new Map(refused.rejected.map((row) => [row.id, row]));
    expect(byId.get(malformed.json['rejectedId'] as string)).toMatchObject({
      httpStatus: 400,
      bodyPrefix: '[{"eventId": 3001,',
      reason: malformed.json['error'],
    });
    expect(byId.get(shape.json['rejectedId'] as string)).toMatchObject({
      httpStatus: 400,
      bodyPrefix: JSON.stringify(wrongShape),
    });
    expect(byId.get(unsigned.json['rejectedId'] as string)).toMatchObject({
      httpStatus: 401,
      bodyPrefix: '{oops',
    });
  });

  it('refuses bodies that are not JSON with 415 and oversized ones with 413, keeping no body', async () => {
    const body = [hubSpotDealStageEvent({ eventId: 3101, dealId: 9201, stage: 'appointmentscheduled' })];
    const plain = await harness.postHubSpot(body, { headers: { 'content-type': 'text/plain' } });
    expect(plain).toMatchObject({
      status: 415,
      json: { type: 'urn:throughline:problem:unsupported-media-type' },
    });
    expect((await fetch(`${harness.service.url}/deliveries/hubspot/3101`)).status).toBe(404);

    const huge = await harness.postHubSpot(undefined, { rawBody: `[${'"x",'.repeat(40_000)}"x"]` });
    expect(huge).toMatchObject({ status: 413, json: { detail: 'request body over 102400 bytes' } });
    const refused = await harness.get<{ rejected: Record<string, unknown>[] }>(
      '/rejected-deliveries?limit=100',
    );
    expect(refused.rejected.find((row) => row['id'] === huge.json['rejectedId'])).toMatchObject({
      httpStatus: 413,
      bodyPrefix: null,
      bodyBytes: null,
    });
  });

  it('retries when the HubSpot API fails, then publishes', async () => {
    harness.stub.failNext({ status: 500, times: 1, pathPrefix: '/crm/v3/objects/deals/9301' });
    expect((await harness.postHubSpot([hubSpotDealStageEvent({ eventId: 4001, dealId: 9301 })])).status).toBe(
      202,
    );
    const event = await harness.probe.waitFor('DealWon', (e) => e.data.dealId === 'HS-9301');
    expect(event.data).toMatchObject({
      dealName: 'Flaky API deal',
      crmDeliveryId: '4001',
      amountMinor: 1_804_880,
    });
    expect(await harness.delivery('hubspot', '4001')).toMatchObject({
      status: 'PROCESSED',
      attempts: 2,
      lastError: null,
    });
    expect(
      harness.stub.requests.filter((request) => request.path === '/crm/v3/objects/deals/9301'),
    ).toHaveLength(2);
  });

  it('rejects a deal it cannot map with the reason, and publishes once it is fixed and retried', async () => {
    expect((await harness.postHubSpot([hubSpotDealStageEvent({ eventId: 5001, dealId: 9401 })])).status).toBe(
      202,
    );
    await harness.waitForDelivery('hubspot', '5001', (row) => row['status'] !== 'PENDING');
    const rejected = await harness.get<{ deliveries: Record<string, unknown>[] }>(
      '/deliveries?status=REJECTED&crm=HUBSPOT',
    );
    expect(rejected.deliveries).toEqual([
      expect.objectContaining({
        deliveryId: '5001',
        dealId: 'HS-9401',
        status: 'REJECTED',
        reason: 'company 78 property "erp_customer_id" is empty',
      }),
    ]);
    expect(harness.probe.events('DealWon', (e) => e.data.dealId === 'HS-9401')).toHaveLength(0);

    harness.stub.data.companies['78'] = { name: 'No ERP id Ltd', erp_customer_id: 'C-178' };
    const retry = await fetch(`${harness.service.url}/deliveries/hubspot/5001/retry`, { method: 'POST' });
    expect(retry.status).toBe(200);
    const event = await harness.probe.waitFor('DealWon', (e) => e.data.dealId === 'HS-9401');
    expect(event.data).toMatchObject({ customerId: 'C-178', customerName: 'No ERP id Ltd' });
    const again = await fetch(`${harness.service.url}/deliveries/hubspot/5001/retry`, { method: 'POST' });
    expect(again.status).toBe(422);
  });
});
