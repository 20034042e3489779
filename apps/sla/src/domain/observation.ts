import { ClockTerms } from './clock';
import { SlaCondition, SlaDefinition, SlaEndpoint } from './sla-definition';

/** An event seen as the start or end of one SLA's clock for one entity. */
export interface Observation {
  terms: ClockTerms;
  role: 'start' | 'end';
  entityId: string;
  dealId: string | null;
  moneyAtRiskMinor: number | null;
  currency: string | null;
}

/** Event types the enabled SLAs start or end on: the topics this service consumes. */
export function consumedEventTypes(slas: readonly SlaDefinition[]): string[] {
  const types = slas.filter((sla) => sla.enabled).flatMap((sla) => [sla.start.eventType, sla.end.eventType]);
  return [...new Set(types)].sort();
}

/** What an event means for the enabled SLAs: a clock start and/or end per matching SLA. */
export function observationsOf(
  slas: readonly SlaDefinition[],
  eventType: string,
  payload: Readonly<Record<string, unknown>>,
): Observation[] {
  const observations: Observation[] = [];
  for (const sla of slas) {
    if (!sla.enabled) continue;
    const terms: ClockTerms = {
      sla: sla.name,
      ownerRole: sla.ownerRole,
      entityType: sla.entityType,
      thresholdMs: sla.thresholdMs,
    };
    const dealId = stringField(payload, 'dealId');
    if (matches(sla.start, eventType, payload)) {
      const amount = sla.moneyAtRisk ? payload[sla.moneyAtRisk.amountField] : null;
      const currency = sla.moneyAtRisk ? stringField(payload, sla.moneyAtRisk.currencyField) : null;
      observations.push({
        terms,
        role: 'start',
        entityId: String(payload[sla.start.key]),
        dealId,
        moneyAtRiskMinor: typeof amount === 'number' ? amount : null,
        currency,
      });
    }
    if (matches(sla.end, eventType, payload)) {
      observations.push({
        terms,
        role: 'end',
        entityId: String(payload[sla.end.key]),
        dealId,
        moneyAtRiskMinor: null,
        currency: null,
      });
    }
  }
  return observations;
}

function matches(
  endpoint: SlaEndpoint,
  eventType: string,
  payload: Readonly<Record<string, unknown>>,
): boolean {
  return (
    endpoint.eventType === eventType &&
    stringField(payload, endpoint.key) !== null &&
    conditionHolds(endpoint.condition, payload)
  );
}

function conditionHolds(
  condition: SlaCondition | undefined,
  payload: Readonly<Record<string, unknown>>,
): boolean {
  return Object.entries(condition ?? {}).every(([field, value]) => payload[field] === value);
}

function stringField(payload: Readonly<Record<string, unknown>>, field: string): string | null {
  const value = payload[field];
  return typeof value === 'string' && value.length > 0 ? value : null;
}
