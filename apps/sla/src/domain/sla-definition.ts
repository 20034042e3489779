import { z } from 'zod';

import { OwnerRole } from '@throughline/platform';

import { payloadFields } from './payload-fields';

export const OWNER_ROLES = [
  'FINANCE_OPERATIONS',
  'SALES_OPERATIONS',
  'RESOURCE_MANAGEMENT',
  'DELIVERY',
  'MASTER_DATA',
] as const satisfies readonly OwnerRole[];

const conditionSchema = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

const endpointSchema = z
  .object({
    /** Event type of the catalog, e.g. DealWon. */
    eventType: z.string().min(1),
    /** Payload field holding the entity id both events share, e.g. dealId. */
    key: z.string().min(1),
    /** Payload fields that must equal these values for the event to count, e.g. { status: READY }. */
    condition: conditionSchema.optional(),
  })
  .strict();

export const slaDefinitionSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'upper-case letters, digits and "_", e.g. PROJECT_SETUP'),
    ownerRole: z.enum(OWNER_ROLES),
    /** Reported as SlaBreached.entityType; defaults to the start key without its "Id" suffix. */
    entityType: z.string().min(1).optional(),
    start: endpointSchema,
    end: endpointSchema,
    thresholdMs: z.number().int().positive(),
    /** Start-event payload fields giving the money at risk (integer minor units) and its currency. */
    moneyAtRisk: z
      .object({ amountField: z.string().min(1), currencyField: z.string().min(1) })
      .strict()
      .nullable()
      .default(null),
    enabled: z.boolean().default(true),
    note: z.string().optional(),
  })
  .strict();

export const slaConfigSchema = z.object({ slas: z.array(slaDefinitionSchema) }).strict();

export type SlaConfigInput = z.input<typeof slaConfigSchema>;
export type SlaCondition = z.infer<typeof conditionSchema>;
export type SlaEndpoint = z.infer<typeof endpointSchema>;
export type SlaDefinition = Omit<z.infer<typeof slaDefinitionSchema>, 'entityType'> & { entityType: string };

/** Built-in SLAs; a firm's config file overrides them by name and may add more. */
export const DEFAULT_SLAS: SlaConfigInput = {
  slas: [
    {
      name: 'PROJECT_SETUP',
      ownerRole: 'DELIVERY',
      start: { eventType: 'DealWon', key: 'dealId' },
      end: { eventType: 'ProjectSetupCompleted', key: 'dealId', condition: { status: 'READY' } },
      thresholdMs: 15 * 60_000,
      moneyAtRisk: { amountField: 'amountMinor', currencyField: 'currency' },
    },
    {
      name: 'STAFFING_DEMAND',
      ownerRole: 'RESOURCE_MANAGEMENT',
      start: { eventType: 'ProjectCreated', key: 'projectId' },
      end: { eventType: 'StaffingDemandPublished', key: 'projectId' },
      thresholdMs: 5 * 60_000,
      moneyAtRisk: { amountField: 'budgetMinor', currencyField: 'currency' },
    },
    {
      name: 'FORECAST_REFRESH',
      ownerRole: 'RESOURCE_MANAGEMENT',
      start: { eventType: 'AssignmentChanged', key: 'projectId' },
      end: { eventType: 'ForecastRefreshed', key: 'projectId' },
      thresholdMs: 15 * 60_000,
      moneyAtRisk: { amountField: 'forecastCostMinor', currencyField: 'currency' },
      enabled: false,
      note:
        'No forecast-refresh event exists in the catalog yet; enable once one is published ' +
        '(and set end.eventType to it).',
    },
  ],
};

export class InvalidSlaConfig extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid SLA configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidSlaConfig';
  }
}

/**
 * Validates a firm's SLA config and merges it over `defaults` by name (a same-named entry replaces
 * the default entirely; set `enabled: false` to switch a default off). Enabled SLAs are checked
 * against the event catalog: event types, key, condition and money fields must exist with fitting
 * types. Disabled SLAs may name events that do not exist yet. Throws InvalidSlaConfig naming every
 * problem.
 */
export function resolveSlaConfig(input: unknown, defaults: SlaConfigInput = DEFAULT_SLAS): SlaDefinition[] {
  const base = parseConfig(defaults, 'defaults');
  const overrides = input === undefined ? [] : parseConfig(input, 'config');
  const problems: string[] = [];
  const names = new Set<string>();
  for (const sla of overrides) {
    if (names.has(sla.name)) problems.push(`slas: "${sla.name}" is defined more than once`);
    names.add(sla.name);
  }
  const merged = [...base.filter((sla) => !names.has(sla.name)), ...overrides];
  for (const sla of merged) if (sla.enabled) problems.push(...catalogProblems(sla));
  if (problems.length > 0) throw new InvalidSlaConfig(problems);
  return merged;
}

function parseConfig(input: unknown, label: string): SlaDefinition[] {
  const result = slaConfigSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidSlaConfig(
      result.error.issues.map((issue) => `${label}.${issue.path.join('.')}: ${issue.message}`),
    );
  }
  return result.data.slas.map((sla) => ({
    ...sla,
    entityType: sla.entityType ?? sla.start.key.replace(/Id$/, ''),
  }));
}

function catalogProblems(sla: SlaDefinition): string[] {
  const problems = [
    ...endpointProblems(sla.name, 'start', sla.start),
    ...endpointProblems(sla.name, 'end', sla.end),
  ];
  const fields = payloadFields(sla.start.eventType);
  if (sla.moneyAtRisk && fields) {
    const { amountField, currencyField } = sla.moneyAtRisk;
    if (fields.get(amountField)?.kind !== 'number')
      problems.push(
        `${sla.name}.moneyAtRisk.amountField: ${sla.start.eventType} has no number field "${amountField}"`,
      );
    if (fields.get(currencyField)?.kind !== 'string')
      problems.push(
        `${sla.name}.moneyAtRisk.currencyField: ${sla.start.eventType} has no string field "${currencyField}"`,
      );
  }
  return problems;
}

function endpointProblems(name: string, which: 'start' | 'end', endpoint: SlaEndpoint): string[] {
  const path = `${name}.${which}`;
  const fields = payloadFields(endpoint.eventType);
  if (!fields) return [`${path}.eventType: "${endpoint.eventType}" is not an event type of the catalog`];
  const problems: string[] = [];
  if (fields.get(endpoint.key)?.kind !== 'string')
    problems.push(`${path}.key: ${endpoint.eventType} has no string field "${endpoint.key}"`);
  for (const [field, value] of Object.entries(endpoint.condition ?? {})) {
    const described = fields.get(field);
    if (!described)
      problems.push(`${path}.condition.${field}: ${endpoint.eventType} has no field "${field}"`);
    else if (described.kind === 'enum' && !described.symbols?.includes(String(value)))
      problems.push(
        `${path}.condition.${field}: "${String(value)}" is not one of ${described.symbols?.join(', ')}`,
      );
  }
  return problems;
}
