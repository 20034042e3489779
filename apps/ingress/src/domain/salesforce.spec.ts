import { DealNotMappable } from './deal-draft';
import { mapSalesforceEvent, salesforceEventSchema } from './salesforce';

const lineItems = [
  {
    Id: '00k5g00000LmNoPAAV',
    Name: 'Architecture',
    ProductCode: 'ARCH',
    Quantity: '40.00',
    UnitPrice: '150.00',
    TotalPrice: '6000.00',
    LegalEntityId__c: 'LE-DE',
    Role__c: 'Architect',
    RateCardId__c: 'RC-DE-2026',
  },
  {
    Id: '00k5g00000LmNoQAAV',
    Name: 'Delivery',
    ProductCode: null,
    Quantity: '12.5',
    UnitPrice: '99.99',
    TotalPrice: null,
    LegalEntityId__c: 'LE-UK',
    Role__c: 'Consultant',
    RateCardId__c: null,
  },
];

const event = {
  eventUuid: '4b1e6c1e-6a4b-4d7e-9a59-2f7f0c8d3b21',
  replayId: '18034',
  schema: 'Opportunity_Closed_Won__e',
  createdDate: '2026-11-30T14:02:11.000Z',
  payload: {
    OpportunityId__c: '0065g00000AbCdEAAZ',
    Name__c: 'Cloud migration',
    StageName__c: 'Closed Won',
    Amount__c: '7249.88',
    CurrencyIsoCode__c: 'USD',
    CloseDate__c: '2026-11-30',
    AccountId__c: '0015g00000XyZ12AAB',
    AccountName__c: 'Globex Inc.',
    ErpCustomerId__c: 'C-200',
    TemplateId__c: 'TPL-TM',
    OwnerEmail__c: 'ada@example.com',
    LineItems__c: JSON.stringify(lineItems),
  },
};

describe('Salesforce closed-won events', () => {
  it('maps the relayed opportunity with its inline line items', () => {
    const parsed = salesforceEventSchema.parse(event);
    expect(mapSalesforceEvent(parsed, 'Closed Won')).toEqual({
      status: 'WON',
      dealWon: {
        dealId: 'SF-0065g00000AbCdEAAZ',
        crm: 'SALESFORCE',
        crmDeliveryId: '4b1e6c1e-6a4b-4d7e-9a59-2f7f0c8d3b21',
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
            amountMinor: 124_988, // 12.5 h × 99.99 = 1249.875 → 1249.88
            currency: 'USD',
            description: 'Delivery',
          },
        ],
        salesOwnerEmail: 'ada@example.com',
      },
    });
  });

  it('ignores an opportunity in another stage', () => {
    const parsed = salesforceEventSchema.parse({
      ...event,
      payload: { ...event.payload, StageName__c: 'Negotiation' },
    });
    expect(mapSalesforceEvent(parsed, 'Closed Won')).toEqual({
      status: 'IGNORED',
      reason: 'opportunity stage "Negotiation" is not the closed-won stage "Closed Won"',
    });
  });

  it('names the field of a wrong shape, including inside LineItems__c', () => {
    const issuesOf = (payload: Record<string, unknown>) =>
      salesforceEventSchema.safeParse({ ...event, payload: { ...event.payload, ...payload } }).error?.issues;
    expect(issuesOf({ Amount__c: 7249.88 })).toEqual([
      expect.objectContaining({
        path: ['payload', 'Amount__c'],
        message: 'expected a decimal string such as "1250.00" (JSON numbers are refused)',
      }),
    ]);
    expect(issuesOf({ LineItems__c: '[{"Id":' })?.[0]).toMatchObject({
      path: ['payload', 'LineItems__c'],
      message: expect.stringMatching(/^is not valid JSON/),
    });
    expect(
      issuesOf({ LineItems__c: JSON.stringify([{ ...lineItems[0], Quantity: 40 }]) })?.[0]?.path,
    ).toEqual(['payload', 'LineItems__c', 0, 'Quantity']);
    expect(salesforceEventSchema.safeParse({ ...event, schema: 'Other__e' }).error?.issues[0]?.path).toEqual([
      'schema',
    ]);
  });

  it('takes Salesforce ids of 15 or 18 letters and digits only', () => {
    const paths = (payload: Record<string, unknown>) =>
      salesforceEventSchema
        .safeParse({ ...event, payload: { ...event.payload, ...payload } })
        .error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ OpportunityId__c: '0065g00000AbCdE' })).toBeUndefined();
    expect(paths({ OpportunityId__c: 'FUZZ;rm -rf /' })).toEqual(['payload.OpportunityId__c']);
    expect(paths({ OpportunityId__c: '`id`' })).toEqual(['payload.OpportunityId__c']);
    expect(paths({ OpportunityId__c: '0065g00000AbCdEAAZX' })).toEqual(['payload.OpportunityId__c']);
    expect(paths({ AccountId__c: 'acct 1' })).toEqual(['payload.AccountId__c']);
    expect(paths({ LineItems__c: JSON.stringify([{ ...lineItems[0], Id: '$(id)' }]) })).toEqual([
      'payload.LineItems__c.0.Id',
    ]);
    expect(salesforceEventSchema.safeParse({ ...event, eventUuid: 'x' }).success).toBe(false);
  });

  it('rejects a closed-won opportunity it cannot map, naming each field', () => {
    const parsed = salesforceEventSchema.parse({
      ...event,
      payload: { ...event.payload, ErpCustomerId__c: null, CloseDate__c: '2026-02-30', LineItems__c: null },
    });
    let error: unknown;
    try {
      mapSalesforceEvent(parsed, 'Closed Won');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(DealNotMappable);
    expect((error as DealNotMappable).problems).toEqual([
      'payload.ErpCustomerId__c is empty',
      'payload.CloseDate__c "2026-02-30" is not a date from 2000 to 2100',
      'payload.LineItems__c has no line items',
    ]);
  });
});
