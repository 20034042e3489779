import { randomUUID } from 'node:crypto';

import { SALESFORCE_CLOSED_WON_EVENT, salesforceRelaySignature } from './signing';

/** Headers the Salesforce relay sends with `body` (see README "Salesforce"). */
export function signSalesforceRequest(input: {
  secret: string;
  body: string;
  timestamp?: number;
}): Record<string, string> {
  const timestamp = String(input.timestamp ?? Date.now());
  return {
    'content-type': 'application/json',
    'x-throughline-timestamp': timestamp,
    'x-throughline-signature': salesforceRelaySignature({
      secret: input.secret,
      timestamp,
      body: input.body,
    }),
  };
}

export interface SalesforceLineItemInput {
  id: string;
  name?: string;
  hours: string;
  unitPrice?: string;
  totalPrice?: string | null;
  legalEntityId: string | null;
  role: string | null;
  rateCardId?: string | null;
}

/** An Opportunity_Closed_Won__e as the relay posts it. */
export function salesforceClosedWonEvent(input: {
  opportunityId: string;
  eventUuid?: string;
  name?: string;
  stage?: string;
  amount?: string | null;
  currency?: string;
  closeDate?: string;
  accountName?: string;
  erpCustomerId?: string | null;
  templateId?: string | null;
  ownerEmail?: string | null;
  lineItems: SalesforceLineItemInput[];
}) {
  return {
    eventUuid: input.eventUuid ?? randomUUID(),
    replayId: '18034',
    schema: SALESFORCE_CLOSED_WON_EVENT,
    createdDate: new Date().toISOString(),
    payload: {
      OpportunityId__c: input.opportunityId,
      Name__c: input.name ?? 'Cloud migration',
      StageName__c: input.stage ?? 'Closed Won',
      Amount__c: input.amount === undefined ? null : input.amount,
      CurrencyIsoCode__c: input.currency ?? 'EUR',
      CloseDate__c: input.closeDate ?? '2026-11-30',
      AccountId__c: '0015g00000XyZ12AAB',
      AccountName__c: input.accountName ?? 'Globex Inc.',
      ErpCustomerId__c: input.erpCustomerId === undefined ? 'C-200' : input.erpCustomerId,
      TemplateId__c: input.templateId === undefined ? 'TPL-TM' : input.templateId,
      OwnerEmail__c: input.ownerEmail ?? null,
      LineItems__c: JSON.stringify(
        input.lineItems.map((item) => ({
          Id: item.id,
          Name: item.name ?? item.role,
          ProductCode: null,
          Quantity: item.hours,
          UnitPrice: item.unitPrice ?? null,
          TotalPrice: item.totalPrice ?? null,
          LegalEntityId__c: item.legalEntityId,
          Role__c: item.role,
          RateCardId__c: item.rateCardId ?? null,
        })),
      ),
    },
  };
}
