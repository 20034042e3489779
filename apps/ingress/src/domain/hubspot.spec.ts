import { DealNotMappable } from './deal-draft';
import {
  associatedIds,
  classifyHubSpotEvent,
  HubSpotDealSnapshot,
  hubSpotWebhookBatchSchema,
  hubSpotWebhookEventSchema,
  mapHubSpotDeal,
  primaryCompanyId,
} from './hubspot';

const event = {
  eventId: 1001,
  subscriptionId: 42,
  portalId: 62515,
  appId: 54321,
  occurredAt: Date.UTC(2026, 10, 30, 9, 0),
  subscriptionType: 'deal.propertyChange',
  attemptNumber: 0,
  objectId: 9001,
  propertyName: 'dealstage',
  propertyValue: 'closedwon',
  changeSource: 'CRM_UI',
};

const snapshot: HubSpotDealSnapshot = {
  deal: {
    id: '9001',
    properties: {
      dealname: 'Finance transformation',
      amount: '125000.50',
      deal_currency_code: 'EUR',
      closedate: '2026-11-30T00:00:00Z',
      dealstage: 'closedwon',
      throughline_template_id: 'TPL-FIXED',
    },
    associations: {
      'line items': {
        results: [
          { id: '501', type: 'deal_to_line_item' },
          { id: '502', type: 'deal_to_line_item' },
        ],
      },
      companies: { results: [{ id: '77', type: 'deal_to_company' }] },
    },
  },
  company: { id: '77', properties: { name: 'Acme GmbH', erp_customer_id: 'C-100' } },
  lineItems: [
    {
      id: '502',
      properties: {
        name: 'Implementation',
        quantity: '410.5',
        price: '150',
        amount: '61575.00',
        legal_entity_id: 'LE-UK',
        role: 'Consultant',
        rate_card_id: null,
        hs_sku: 'IMPL',
      },
    },
    {
      id: '501',
      properties: {
        name: 'Architecture',
        quantity: '40',
        price: '159.9',
        amount: null,
        legal_entity_id: 'LE-DE',
        role: 'Architect',
        rate_card_id: 'RC-DE-2026',
        hs_sku: 'ARCH',
      },
    },
  ],
};

const context = {
  deliveryId: '1001',
  occurredAt: event.occurredAt,
  closedWonStage: 'closedwon',
  defaultCurrency: null,
};

describe('HubSpot webhook events', () => {
  it('accepts HubSpot batches of 1 to 1000 events, checked one by one', () => {
    expect(hubSpotWebhookBatchSchema.safeParse([event, { ...event, eventId: '1002' }]).success).toBe(true);
    expect(hubSpotWebhookBatchSchema.safeParse([]).success).toBe(false);
    expect(hubSpotWebhookBatchSchema.safeParse({ eventId: 1 }).success).toBe(false);
    const result = hubSpotWebhookEventSchema.safeParse({ ...event, objectId: 'x' });
    expect(result.error?.issues[0]?.path).toEqual(['objectId']);
  });

  it('bounds ids and times: 64-bit ids, JSON numbers exact, occurredAt from 2000 to 2100', () => {
    const issues = (patch: object) => {
      const error = hubSpotWebhookEventSchema.safeParse({ ...event, ...patch }).error;
      return error && [...new Set(error.issues.map((issue) => issue.path.join('.')))];
    };
    expect(issues({ objectId: 1e308 })).toEqual(['objectId']);
    expect(issues({ objectId: 0 })).toEqual(['objectId']);
    expect(issues({ occurredAt: 1e16 })).toEqual(['occurredAt']);
    expect(issues({ occurredAt: 1_700_000_000 })).toEqual(['occurredAt']); // seconds, not ms
    expect(issues({ eventId: '99999999999999999999' })).toEqual(['eventId']);
    expect(issues({ eventId: '9223372036854775808' })).toEqual(['eventId']);
    // Not digits: refused as a bad field, never a BigInt SyntaxError (the fuzz suite's 500).
    expect(issues({ eventId: '{}' })).toEqual(['eventId']);
    expect(issues({ eventId: '9223372036854775807', objectId: Number.MAX_SAFE_INTEGER })).toBeUndefined();
  });

  it('treats only a deal stage change to the closed-won stage as a won deal', () => {
    expect(classifyHubSpotEvent(event, 'closedwon')).toEqual({ status: 'PENDING' });
    expect(classifyHubSpotEvent(event, '12345678')).toEqual({
      status: 'IGNORED',
      reason: 'deal stage "closedwon" is not the closed-won stage "12345678"',
    });
    expect(classifyHubSpotEvent({ ...event, subscriptionType: 'contact.creation' }, 'closedwon')).toEqual({
      status: 'IGNORED',
      reason: 'subscriptionType "contact.creation" is not handled',
    });
    expect(classifyHubSpotEvent({ ...event, propertyName: 'amount' }, 'closedwon')).toMatchObject({
      status: 'IGNORED',
    });
  });
});

describe('HubSpot associations', () => {
  it('reads line items under either key, each id once', () => {
    expect(associatedIds(snapshot.deal, 'line_items')).toEqual(['501', '502']);
    expect(
      associatedIds(
        { id: '1', properties: {}, associations: { line_items: { results: [{ id: '9', type: 't' }] } } },
        'line_items',
      ),
    ).toEqual(['9']);
  });

  it('picks the only or the primary company, and refuses ambiguity', () => {
    expect(primaryCompanyId(snapshot.deal)).toBe('77');
    const two = (types: string[]) => ({
      id: '1',
      properties: {},
      associations: {
        companies: {
          results: [
            { id: '77', type: types[0] ?? '' },
            { id: '77', type: 'deal_to_company_unlabeled' },
            { id: '78', type: types[1] ?? '' },
          ],
        },
      },
    });
    expect(primaryCompanyId(two(['deal_to_company', 'deal_to_company_unlabeled']))).toBe('77');
    expect(() => primaryCompanyId(two(['deal_to_company_unlabeled', 'deal_to_company_unlabeled']))).toThrow(
      'deal 1 is associated with 2 companies (77, 78) and none is its primary company',
    );
    expect(() => primaryCompanyId({ id: '1', properties: {} })).toThrow('deal 1 has no associated company');
  });
});

describe('mapHubSpotDeal', () => {
  it('maps deal, company and line items to DealWon with exact minor units', () => {
    expect(mapHubSpotDeal(snapshot, context)).toEqual({
      dealId: 'HS-9001',
      crm: 'HUBSPOT',
      crmDeliveryId: '1001',
      dealName: 'Finance transformation',
      customerId: 'C-100',
      customerName: 'Acme GmbH',
      currency: 'EUR',
      amountMinor: 12_500_050,
      closeDate: '2026-11-30',
      templateId: 'TPL-FIXED',
      lines: [
        {
          lineId: '501',
          legalEntityId: 'LE-DE',
          role: 'Architect',
          rateCardId: 'RC-DE-2026',
          hoursHundredths: 4_000,
          amountMinor: 639_600, // no amount: 40 h × 159.90
          currency: 'EUR',
          description: 'Architecture',
        },
        {
          lineId: '502',
          legalEntityId: 'LE-UK',
          role: 'Consultant',
          rateCardId: null,
          hoursHundredths: 41_050,
          amountMinor: 6_157_500,
          currency: 'EUR',
          description: 'Implementation',
        },
      ],
      salesOwnerEmail: null,
    });
  });

  it('falls back to the default currency, the webhook date and the sum of the lines', () => {
    const deal = {
      ...snapshot.deal,
      properties: { ...snapshot.deal.properties, deal_currency_code: null, closedate: '', amount: null },
    };
    const won = mapHubSpotDeal({ ...snapshot, deal }, { ...context, defaultCurrency: 'GBP' });
    expect(won).toMatchObject({ currency: 'GBP', closeDate: '2026-11-30', amountMinor: 6_797_100 });
  });

  it('lists every problem with the HubSpot object and property at fault', () => {
    const broken: HubSpotDealSnapshot = {
      ...snapshot,
      company: { id: '77', properties: { name: 'Acme GmbH', erp_customer_id: '' } },
      deal: {
        ...snapshot.deal,
        properties: { ...snapshot.deal.properties, throughline_template_id: null, amount: '12,000' },
      },
      lineItems: snapshot.lineItems.map((item) =>
        item.id === '501'
          ? { ...item, properties: { ...item.properties, legal_entity_id: null, quantity: '1.125' } }
          : item,
      ),
    };
    let error: unknown;
    try {
      mapHubSpotDeal(broken, context);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(DealNotMappable);
    expect((error as DealNotMappable).problems).toEqual([
      'company 77 property "erp_customer_id" is empty',
      'deal 9001 property "throughline_template_id" is empty',
      'line item 501 property "quantity" "1.125" has 3 decimal places; at most 2 allowed',
      'line item 501 property "legal_entity_id" is empty',
      'deal 9001 property "amount" "12,000" is not a plain decimal number (digits, optionally "." and digits)',
    ]);
  });

  it('refuses a deal that left the closed-won stage, has no lines or lost a line item', () => {
    const reopened = {
      ...snapshot.deal,
      properties: { ...snapshot.deal.properties, dealstage: 'contractsent' },
    };
    expect(() => mapHubSpotDeal({ ...snapshot, deal: reopened }, context)).toThrow(
      'deal 9001 is no longer closed-won: its dealstage is now "contractsent"',
    );
    const noLines = {
      ...snapshot.deal,
      associations: { companies: snapshot.deal.associations?.['companies'] ?? { results: [] } },
    };
    expect(() => mapHubSpotDeal({ ...snapshot, deal: noLines, lineItems: [] }, context)).toThrow(
      'deal 9001 has no associated line items',
    );
    expect(() => mapHubSpotDeal({ ...snapshot, lineItems: snapshot.lineItems.slice(0, 1) }, context)).toThrow(
      'line items 501 of deal 9001 were not found',
    );
    expect(() =>
      mapHubSpotDeal(
        {
          ...snapshot,
          deal: { ...snapshot.deal, properties: { ...snapshot.deal.properties, deal_currency_code: null } },
        },
        context,
      ),
    ).toThrow('deal 9001 property "deal_currency_code" is empty');
  });
});
