import { salesforceClosedWonEvent } from '@throughline/crm-sandbox';
import { IngressHarness, sleep, startIngress } from './ingress-harness';

jest.setTimeout(60_000);

const architecture = {
  id: '00k5g00000LmNoPAAV',
  name: 'Architecture',
  hours: '40.00',
  unitPrice: '150.00',
  totalPrice: '6000.00',
  legalEntityId: 'LE-DE',
  role: 'Architect',
  rateCardId: 'RC-DE-2026',
};
const lineItems = [
  architecture,
  { id: '00k5g00000LmNoQAAV', hours: '12.5', unitPrice: '99.99', legalEntityId: 'LE-UK', role: 'Consultant' },
];

describe('Salesforce webhooks against the real stack', () => {
  let harness: IngressHarness;

  beforeAll(async () => {
    harness = await startIngress(['DealWon']);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('maps a relayed closed-won opportunity synchronously and publishes DealWon once', async () => {
    const event = salesforceClosedWonEvent({
      opportunityId: '0065g00000SfHappy1',
      amount: '7249.88',
      currency: 'USD',
      ownerEmail: 'ada@example.com',
      lineItems,
    });
    const response = await harness.postSalesforce(event);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      deliveryId: event.eventUuid,
      dealId: 'SF-0065g00000SfHappy1',
      status: 'PROCESSED',
      redelivered: false,
    });
    const won = await harness.probe.waitFor('DealWon', (e) => e.data.dealId === 'SF-0065g00000SfHappy1');
    expect(won.envelope.correlationId).toBe(response.json['correlationId']);
    expect(won.data).toEqual({
      dealId: 'SF-0065g00000SfHappy1',
      crm: 'SALESFORCE',
      crmDeliveryId: event.eventUuid,
      dealName: 'Cloud migration',
      customerId: 'C-200',
      customerName: 'Globex Inc.',
      currency: 'USD',
      amountMinor: 724_988,
      closeDate: '2026-11-30',
      templateId: 'TPL-TM',
      lines: [
        {
          lineId: '00k5g00000LmNoPAAV',
          legalEntityId: 'LE-DE',
          role: 'Architect',
          rateCardId: 'RC-DE-2026',
          hoursHundredths: 4_000,
          amountMinor: 600_000,
          currency: 'USD',
          description: 'Architecture',
        },
        {
          lineId: '00k5g00000LmNoQAAV',
          legalEntityId: 'LE-UK',
          role: 'Consultant',
          rateCardId: null,
          hoursHundredths: 1_250,
          amountMinor: 124_988,
          currency: 'USD',
          description: 'Consultant',
        },
      ],
      salesOwnerEmail: 'ada@example.com',
    });

    const redelivered = await harness.postSalesforce(event);
    expect(redelivered).toMatchObject({ status: 200, json: { status: 'PROCESSED', redelivered: true } });
    const sameDeal = salesforceClosedWonEvent({ opportunityId: '0065g00000SfHappy1', lineItems });
    const duplicate = await harness.postSalesforce(sameDeal);
    expect(duplicate).toMatchObject({
      status: 200,
      json: {
        status: 'DUPLICATE',
        reason: `deal SF-0065g00000SfHappy1 was already won (DealWon from delivery ${event.eventUuid})`,
      },
    });
    await sleep(1_500);
    expect(harness.probe.events('DealWon', (e) => e.data.dealId === 'SF-0065g00000SfHappy1')).toHaveLength(1);
  });

  it('refuses a bad signature with 401 and records nothing', async () => {
    const event = salesforceClosedWonEvent({ opportunityId: '0065g00000SfBadSig', lineItems });
    const response = await harness.postSalesforce(event, { secret: 'wrong-secret' });
    expect(response).toMatchObject({ status: 401, json: { error: 'signature mismatch' } });
    const stale = await harness.postSalesforce(event, { timestamp: Date.now() - 10 * 60_000 });
    expect(stale).toMatchObject({ status: 401, json: { error: 'stale timestamp' } });
    expect((await fetch(`${harness.service.url}/deliveries/salesforce/${event.eventUuid}`)).status).toBe(404);
  });

  it('answers a wrong shape with 400 naming the field', async () => {
    const event = salesforceClosedWonEvent({ opportunityId: '0065g00000SfShape1', lineItems });
    const numeric = { ...event, payload: { ...event.payload, Amount__c: 7249.88 } };
    const response = await harness.postSalesforce(numeric);
    expect(response).toMatchObject({
      status: 400,
      json: {
        error: 'payload.Amount__c: expected a decimal string such as "1250.00" (JSON numbers are refused)',
      },
    });
    const badLines = { ...event, payload: { ...event.payload, LineItems__c: '[{"Id": 1}]' } };
    expect((await harness.postSalesforce(badLines)).json['error']).toBe(
      'payload.LineItems__c[0].Id: Expected string, received number',
    );
  });

  it('records an opportunity in another stage as IGNORED, and an unmappable one as REJECTED (422)', async () => {
    const open = salesforceClosedWonEvent({
      opportunityId: '0065g00000SfOpen01',
      stage: 'Negotiation',
      lineItems,
    });
    expect(await harness.postSalesforce(open)).toMatchObject({ status: 200, json: { status: 'IGNORED' } });

    const broken = salesforceClosedWonEvent({
      opportunityId: '0065g00000SfBroken',
      erpCustomerId: null,
      templateId: null,
      lineItems: [{ ...architecture, legalEntityId: null }],
    });
    const response = await harness.postSalesforce(broken);
    const reason =
      'payload.ErpCustomerId__c is empty; payload.TemplateId__c is empty; payload.LineItems__c[0].LegalEntityId__c is empty';
    expect(response).toMatchObject({ status: 422, json: { status: 'REJECTED', error: reason } });
    const rejected = await harness.get<{ deliveries: Record<string, unknown>[] }>(
      '/deliveries?status=REJECTED&crm=SALESFORCE',
    );
    expect(rejected.deliveries).toEqual([
      expect.objectContaining({ deliveryId: broken.eventUuid, dealId: 'SF-0065g00000SfBroken', reason }),
    ]);
    expect((await harness.delivery('salesforce', broken.eventUuid))['payload']).toEqual(broken);
  });
});
