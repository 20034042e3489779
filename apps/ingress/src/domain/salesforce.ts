import { z } from 'zod';

import { DealWon } from '@throughline/contracts';

import { buildDealWon, Field, LineDraft } from './deal-draft';

/** API name of the platform event the Salesforce relay sends (README "Salesforce"). */
export const SALESFORCE_EVENT_SCHEMA = 'Opportunity_Closed_Won__e';

const text = z.string().max(10_000).nullish();
/** Salesforce record ids: 15 case-sensitive or 18 case-insensitive letters and digits. */
const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const salesforceId = z
  .string()
  .regex(SALESFORCE_ID, 'expected a Salesforce id (15 or 18 letters and digits)');
/** Decimals travel as strings so they are never rounded through a float on either side. */
const decimal = z
  .string({ invalid_type_error: 'expected a decimal string such as "1250.00" (JSON numbers are refused)' })
  .nullish();

const salesforceLineItemSchema = z
  .object({
    Id: salesforceId,
    Name: text,
    ProductCode: text,
    Quantity: decimal,
    UnitPrice: decimal,
    TotalPrice: decimal,
    LegalEntityId__c: text,
    Role__c: text,
    RateCardId__c: text,
  })
  .passthrough();

/** The LineItems__c long text field: a JSON array of opportunity line items. */
const lineItemsField = z
  .string()
  .nullish()
  .transform((value, ctx): unknown => {
    if (value === null || value === undefined || value.trim() === '') return [];
    try {
      return JSON.parse(value);
    } catch (error) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `is not valid JSON (${(error as Error).message})`,
      });
      return z.NEVER;
    }
  })
  .pipe(z.array(salesforceLineItemSchema));

export const salesforceEventSchema = z
  .object({
    eventUuid: z
      .string()
      .regex(/^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/, 'expected the event UUID'),
    replayId: z
      .union([
        z.string().regex(/^\d{1,19}$/, 'expected a decimal replay id'),
        z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      ])
      .optional(),
    schema: z.literal(SALESFORCE_EVENT_SCHEMA),
    createdDate: z.string().max(40).optional(),
    payload: z
      .object({
        OpportunityId__c: salesforceId,
        Name__c: text,
        StageName__c: text,
        Amount__c: decimal,
        CurrencyIsoCode__c: text,
        CloseDate__c: text,
        AccountId__c: salesforceId.nullish(),
        AccountName__c: text,
        ErpCustomerId__c: text,
        TemplateId__c: text,
        OwnerEmail__c: text,
        LineItems__c: lineItemsField,
      })
      .passthrough(),
  })
  .passthrough();

export type SalesforceEvent = z.infer<typeof salesforceEventSchema>;

export function salesforceDealId(opportunityId: string): string {
  return `SF-${opportunityId}`;
}

export type SalesforceOutcome = { status: 'WON'; dealWon: DealWon } | { status: 'IGNORED'; reason: string };

/**
 * A relayed Opportunity_Closed_Won__e as the canonical DealWon. Opportunities in another stage are
 * ignored; a closed-won one with missing or malformed data throws DealNotMappable.
 */
export function mapSalesforceEvent(event: SalesforceEvent, closedWonStage: string): SalesforceOutcome {
  const { payload } = event;
  if (payload.StageName__c !== closedWonStage) {
    return {
      status: 'IGNORED',
      reason: `opportunity stage "${payload.StageName__c ?? ''}" is not the closed-won stage "${closedWonStage}"`,
    };
  }
  const field = (name: keyof typeof payload & string): Field => ({
    value: payload[name] as string | null | undefined,
    source: `payload.${name}`,
  });
  const lines = payload.LineItems__c.map((item, index): LineDraft => {
    const lineField = (name: keyof typeof item & string): Field => ({
      value: item[name] as string | null | undefined,
      source: `payload.LineItems__c[${index}].${name}`,
    });
    return {
      lineId: item.Id,
      description: item.Name ?? null,
      hours: lineField('Quantity'),
      amount: lineField('TotalPrice'),
      unitPrice: lineField('UnitPrice'),
      legalEntityId: lineField('LegalEntityId__c'),
      role: lineField('Role__c'),
      rateCardId: item.RateCardId__c ?? null,
    };
  });
  const dealWon = buildDealWon({
    crm: 'SALESFORCE',
    dealId: salesforceDealId(payload.OpportunityId__c),
    deliveryId: event.eventUuid,
    dealName: field('Name__c'),
    customerId: field('ErpCustomerId__c'),
    customerName: field('AccountName__c'),
    currency: field('CurrencyIsoCode__c'),
    amount: field('Amount__c'),
    closeDate: field('CloseDate__c'),
    fallbackCloseDate: null,
    templateId: field('TemplateId__c'),
    salesOwnerEmail: payload.OwnerEmail__c ?? null,
    lines,
    noLinesProblem: 'payload.LineItems__c has no line items',
  });
  return { status: 'WON', dealWon };
}
