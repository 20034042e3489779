import { ClockTerms } from './clock';
import {
  allowanceMs,
  conditionMatches,
  EVENT_ID_KEY,
  nominalAllowanceMs,
  SlaCondition,
  SlaDefinition,
  SlaEndpoint,
} from './sla-definition';

type Payload = Readonly<Record<string, unknown>>;

/** The parts of a consumed event the SLA clocks read. */
export interface ObservedEvent {
  eventType: string;
  eventId: string;
  /** Epoch ms (envelope occurredAt). */
  occurredAt: number;
  payload: Payload;
}

/** An event seen as the start or end of one SLA's clock for one entity. */
export interface Observation {
  /** For a start, thresholdMs is this clock's allowance (it may depend on the start time). */
  terms: ClockTerms;
  role: 'start' | 'end';
  entityId: string;
  dealId: string | null;
  /** Epoch ms the step happened: the endpoint's timeField, else the event's occurredAt. */
  at: number;
  moneyAtRiskMinor: number | null;
  currency: string | null;
}

/** Event types the enabled SLAs start or end on. */
export function consumedEventTypes(slas: readonly SlaDefinition[]): string[] {
  const types = slas.filter((sla) => sla.enabled).flatMap((sla) => [sla.start.eventType, sla.end.eventType]);
  return [...new Set(types)].sort();
}

/**
 * What an event means for the enabled SLAs: clock starts and/or ends per matching SLA, one per
 * element of the endpoint's `each` array (a period close opens a clock per draft invoice).
 */
export function observationsOf(slas: readonly SlaDefinition[], event: ObservedEvent): Observation[] {
  const observations: Observation[] = [];
  for (const sla of slas) {
    if (!sla.enabled) continue;
    for (const role of ['start', 'end'] as const) {
      const endpoint = sla[role];
      if (endpoint.eventType !== event.eventType) continue;
      const at = timeOf(endpoint, event);
      for (const item of itemsOf(endpoint, event.payload)) {
        const entityId = endpoint.key === EVENT_ID_KEY ? event.eventId : stringField(item, endpoint.key);
        if (entityId === null || !conditionHolds(endpoint.condition, item)) continue;
        const money = sla.moneyAtRisk?.from === role ? sla.moneyAtRisk : null;
        const amount = money ? item[money.amountField] : null;
        const currency = money ? stringField(item, money.currencyField) : null;
        const known = typeof amount === 'number' && Number.isSafeInteger(amount) && currency !== null;
        observations.push({
          terms: {
            sla: sla.name,
            ownerRole: sla.ownerRole,
            entityType: sla.entityType,
            thresholdMs: role === 'start' ? allowanceMs(sla, at) : nominalAllowanceMs(sla),
          },
          role,
          entityId,
          dealId: stringField(item, 'dealId') ?? stringField(event.payload, 'dealId'),
          at,
          moneyAtRiskMinor: known ? amount : null,
          currency: known ? currency : null,
        });
      }
    }
  }
  return observations;
}

function itemsOf(endpoint: SlaEndpoint, payload: Payload): Payload[] {
  if (!endpoint.each) return [payload];
  const items = payload[endpoint.each];
  return Array.isArray(items)
    ? items.filter((item): item is Payload => typeof item === 'object' && item !== null)
    : [];
}

function timeOf(endpoint: SlaEndpoint, event: ObservedEvent): number {
  const value = endpoint.timeField === undefined ? undefined : event.payload[endpoint.timeField];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : event.occurredAt;
}

function conditionHolds(condition: SlaCondition | undefined, payload: Payload): boolean {
  return Object.entries(condition ?? {}).every(([field, expected]) =>
    conditionMatches(expected, payload[field]),
  );
}

function stringField(payload: Payload, field: string): string | null {
  const value = payload[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}
