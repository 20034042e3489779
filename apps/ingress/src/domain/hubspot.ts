import { z } from 'zod';

import { utcDateOf } from '@throughline/calendar';
import { DealWon } from '@throughline/contracts';

import { EARLIEST_INSTANT, LATEST_INSTANT } from './calendar';
import { buildDealWon, DealNotMappable, Field, LineDraft } from './deal-draft';

/** HubSpot ids are 64-bit; JSON numbers are exact only up to 2^53 − 1. */
const hubSpotNumber = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const hubSpotIdText = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, 'expected a decimal id that fits 64 bits')
  // zod runs refinements even when the regex failed: only digits may reach BigInt.
  .refine(
    (id) => /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n,
    'expected a decimal id that fits 64 bits',
  );

/** One event of a HubSpot webhook batch (webhooks API v3, CRM object subscriptions). */
export const hubSpotWebhookEventSchema = z
  .object({
    eventId: z.union([hubSpotNumber, hubSpotIdText]),
    subscriptionId: hubSpotNumber,
    portalId: hubSpotNumber,
    appId: hubSpotNumber.optional(),
    occurredAt: z
      .number()
      .int()
      .min(EARLIEST_INSTANT, 'expected epoch milliseconds from 2000 to 2100')
      .lt(LATEST_INSTANT, 'expected epoch milliseconds from 2000 to 2100'),
    subscriptionType: z.string().min(1).max(100),
    attemptNumber: z.number().int().nonnegative().max(1_000),
    objectId: hubSpotNumber.positive(),
    propertyName: z.string().max(200).optional(),
    propertyValue: z.string().max(10_000).optional(),
    changeSource: z.string().max(200).optional(),
  })
  .passthrough();

/** HubSpot batches up to 100 events per request; each is checked on its own (one bad one is refused alone). */
export const hubSpotWebhookBatchSchema = z.array(z.unknown()).min(1).max(1_000);

export type HubSpotWebhookEvent = z.infer<typeof hubSpotWebhookEventSchema>;

export type HubSpotDisposition = { status: 'PENDING' } | { status: 'IGNORED'; reason: string };

/** Only a deal whose stage changed to the closed-won stage starts anything; the rest is recorded. */
export function classifyHubSpotEvent(event: HubSpotWebhookEvent, closedWonStage: string): HubSpotDisposition {
  if (event.subscriptionType !== 'deal.propertyChange') {
    return { status: 'IGNORED', reason: `subscriptionType "${event.subscriptionType}" is not handled` };
  }
  if (event.propertyName !== 'dealstage') {
    return {
      status: 'IGNORED',
      reason: `change of deal property "${event.propertyName ?? ''}" is not handled`,
    };
  }
  if (event.propertyValue !== closedWonStage) {
    return {
      status: 'IGNORED',
      reason: `deal stage "${event.propertyValue ?? ''}" is not the closed-won stage "${closedWonStage}"`,
    };
  }
  return { status: 'PENDING' };
}

export function hubSpotDealId(objectId: string | number): string {
  return `HS-${objectId}`;
}

/** Properties read from HubSpot; README "HubSpot property mapping" documents each. */
export const HUBSPOT_DEAL_PROPERTIES = [
  'dealname',
  'amount',
  'deal_currency_code',
  'closedate',
  'dealstage',
  'throughline_template_id',
] as const;
export const HUBSPOT_LINE_ITEM_PROPERTIES = [
  'name',
  'quantity',
  'price',
  'amount',
  'legal_entity_id',
  'role',
  'rate_card_id',
  'hs_sku',
] as const;
export const HUBSPOT_COMPANY_PROPERTIES = ['name', 'erp_customer_id'] as const;

export interface HubSpotAssociation {
  id: string;
  type: string;
}

/** A CRM object as the v3 objects API returns it (only what ingress reads). */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  associations?: Record<string, { results: readonly HubSpotAssociation[] }>;
}

/**
 * Associated ids in HubSpot's order, each once. The v3 API names the line item association
 * "line items" (with a space) in responses although the request says `line_items`; both are read.
 */
export function associatedIds(deal: HubSpotObject, objectType: 'line_items' | 'companies'): string[] {
  return [...new Set(associationsOf(deal, objectType).map((association) => association.id))];
}

/**
 * The company the deal is for: its only associated company, or else the one with HubSpot's
 * primary association type (`deal_to_company`).
 */
export function primaryCompanyId(deal: HubSpotObject): string {
  const all = associatedIds(deal, 'companies');
  if (all.length === 1 && all[0]) return all[0];
  if (all.length === 0) throw new DealNotMappable([`deal ${deal.id} has no associated company`]);
  const primary = [
    ...new Set(
      associationsOf(deal, 'companies')
        .filter((association) => association.type === 'deal_to_company')
        .map((association) => association.id),
    ),
  ];
  if (primary.length === 1 && primary[0]) return primary[0];
  throw new DealNotMappable([
    `deal ${deal.id} is associated with ${all.length} companies (${all.join(', ')}) and none is its primary company`,
  ]);
}

export interface HubSpotDealSnapshot {
  deal: HubSpotObject;
  company: HubSpotObject;
  /** In any order; lines follow the deal's association order. */
  lineItems: readonly HubSpotObject[];
}

export interface HubSpotMappingContext {
  deliveryId: string;
  /** The webhook's occurredAt: the close date when the deal has none. */
  occurredAt: number;
  closedWonStage: string;
  /** For portals without multi-currency, where deals carry no deal_currency_code. */
  defaultCurrency: string | null;
}

/** A HubSpot closed-won deal (with its company and line items) as the canonical DealWon. */
export function mapHubSpotDeal(snapshot: HubSpotDealSnapshot, context: HubSpotMappingContext): DealWon {
  const { deal, company } = snapshot;
  const stage = deal.properties['dealstage'];
  if (stage !== context.closedWonStage) {
    throw new DealNotMappable([
      `deal ${deal.id} is no longer closed-won: its dealstage is now "${stage ?? ''}"`,
    ]);
  }
  const dealField = (name: string): Field => ({
    value: deal.properties[name],
    source: `deal ${deal.id} property "${name}"`,
  });
  const byId = new Map(snapshot.lineItems.map((item) => [item.id, item]));
  const missing = associatedIds(deal, 'line_items').filter((id) => !byId.has(id));
  if (missing.length > 0)
    throw new DealNotMappable([`line items ${missing.join(', ')} of deal ${deal.id} were not found`]);
  const lines = associatedIds(deal, 'line_items').map((id): LineDraft => {
    const item = byId.get(id) as HubSpotObject;
    const field = (name: string): Field => ({
      value: item.properties[name],
      source: `line item ${id} property "${name}"`,
    });
    return {
      lineId: id,
      description: item.properties['name'] ?? null,
      hours: field('quantity'),
      amount: field('amount'),
      unitPrice: field('price'),
      legalEntityId: field('legal_entity_id'),
      role: field('role'),
      rateCardId: item.properties['rate_card_id'] ?? null,
    };
  });
  const currency = dealField('deal_currency_code');
  return buildDealWon({
    crm: 'HUBSPOT',
    dealId: hubSpotDealId(deal.id),
    deliveryId: context.deliveryId,
    dealName: dealField('dealname'),
    customerId: {
      value: company.properties['erp_customer_id'],
      source: `company ${company.id} property "erp_customer_id"`,
    },
    customerName: { value: company.properties['name'], source: `company ${company.id} property "name"` },
    currency: currency.value?.trim() ? currency : { ...currency, value: context.defaultCurrency },
    amount: dealField('amount'),
    closeDate: dealField('closedate'),
    fallbackCloseDate: utcDateOf(context.occurredAt),
    templateId: dealField('throughline_template_id'),
    salesOwnerEmail: null,
    lines,
    noLinesProblem: `deal ${deal.id} has no associated line items`,
  });
}

function associationsOf(
  deal: HubSpotObject,
  objectType: 'line_items' | 'companies',
): readonly HubSpotAssociation[] {
  const names = objectType === 'line_items' ? ['line_items', 'line items'] : ['companies'];
  return names.flatMap((name) => deal.associations?.[name]?.results ?? []);
}
