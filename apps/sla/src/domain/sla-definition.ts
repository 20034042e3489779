import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { OwnerRole } from '@throughline/platform';

import { businessDayDeadline, isTimeZone } from './business-days';
import { PayloadField, payloadFields } from './payload-fields';

export const OWNER_ROLES = [
  'FINANCE_OPERATIONS',
  'SALES_OPERATIONS',
  'RESOURCE_MANAGEMENT',
  'DELIVERY',
  'MASTER_DATA',
] as const satisfies readonly OwnerRole[];

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
/** A payload field's required value: equal to a value, one of a list, or none of a list. */
const conditionValueSchema = z.union([
  scalarSchema,
  z.object({ in: z.array(scalarSchema).min(1) }).strict(),
  z.object({ notIn: z.array(scalarSchema).min(1) }).strict(),
]);
const conditionSchema = z.record(z.string().min(1), conditionValueSchema);

/** The `key` that names the event's own envelope eventId instead of a payload field. */
export const EVENT_ID_KEY = '$eventId';

const endpointSchema = z
  .object({
    /** Event type of the catalog, e.g. DealWon. */
    eventType: z.string().min(1),
    /**
     * Payload field holding the entity id both events share, e.g. dealId; `$eventId` = the event's
     * envelope eventId (an end event then names it in a payload field, e.g. triggerEventId).
     */
    key: z.string().min(1),
    /**
     * An array-of-records payload field: one clock per element (e.g. draftInvoices); key,
     * condition and money fields then name fields of the element.
     */
    each: z.string().min(1).optional(),
    /** Payload field with the business time (epoch ms) to measure from; default: occurredAt. */
    timeField: z.string().min(1).optional(),
    /** Payload fields that must match for the event to count, e.g. { status: READY }. */
    condition: conditionSchema.optional(),
  })
  .strict();

/** Public holidays: local dates (YYYY-MM-DD) that are not business days; kept sorted, once each. */
const holidaysSchema = z
  .array(
    z.string().refine(isIsoDate, (value) => ({ message: `"${value}" is not a calendar date YYYY-MM-DD` })),
  )
  .transform((dates) => [...new Set(dates)].sort());

export const slaDefinitionSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'upper-case letters, digits and "_", e.g. PROJECT_SETUP'),
    ownerRole: z.enum(OWNER_ROLES),
    /** Reported as SlaBreached.entityType; defaults to the start key without its "Id" suffix. */
    entityType: z.string().min(1).optional(),
    start: endpointSchema,
    end: endpointSchema,
    /** A fixed allowance: a clock older than this breaches. Exactly one of this and businessDays. */
    thresholdMs: z.number().int().positive().optional(),
    /** Due at the same local time of day this many business days (Monday–Friday, not holidays) after the start. */
    businessDays: z.number().int().positive().max(30).optional(),
    /** IANA time zone whose dates, weekdays and time of day business days count in (default UTC). */
    timeZone: z.string().refine(isTimeZone, 'not an IANA time zone, e.g. Europe/Berlin').default('UTC'),
    /** This SLA's holidays (local dates in its time zone), instead of the config's firm-wide ones. */
    holidays: holidaysSchema.optional(),
    /**
     * Payload fields giving the money at risk (integer minor units) and its currency, read from the
     * start event (default) or from the end event (known only once the step happened).
     */
    moneyAtRisk: z
      .object({
        amountField: z.string().min(1),
        currencyField: z.string().min(1),
        from: z.enum(['start', 'end']).default('start'),
      })
      .strict()
      .nullable()
      .default(null),
    enabled: z.boolean().default(true),
    note: z.string().optional(),
  })
  .strict()
  .superRefine((sla, context) => {
    if ((sla.thresholdMs === undefined) === (sla.businessDays === undefined))
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['thresholdMs'],
        message: 'set exactly one of thresholdMs and businessDays',
      });
    if (sla.holidays !== undefined && sla.businessDays === undefined)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['holidays'],
        message: 'holidays only apply with businessDays',
      });
  });

export const slaConfigSchema = z
  .object({
    /** Firm-wide holidays for every businessDays SLA that does not list its own. */
    holidays: holidaysSchema.optional(),
    /** Absent: only the built-ins (a file may set just the firm-wide holidays). */
    slas: z.array(slaDefinitionSchema).default([]),
  })
  .strict();

export type SlaConfigInput = z.input<typeof slaConfigSchema>;
export type SlaCondition = z.infer<typeof conditionSchema>;
export type SlaConditionValue = z.infer<typeof conditionValueSchema>;
export type SlaEndpoint = z.infer<typeof endpointSchema>;
export type SlaDefinition = Omit<
  z.infer<typeof slaDefinitionSchema>,
  'entityType' | 'thresholdMs' | 'businessDays' | 'holidays'
> & {
  entityType: string;
  thresholdMs: number | null;
  businessDays: number | null;
  /** The holidays business days skip: the SLA's own, else the firm-wide ones; none for thresholdMs. */
  holidays: string[];
};

const DAY_MS = 86_400_000;

/** How long a clock of `sla` started at `startedAt` may run before it breaches. */
export function allowanceMs(
  sla: Pick<SlaDefinition, 'thresholdMs' | 'businessDays' | 'timeZone' | 'holidays'>,
  startedAt: number,
): number {
  if (sla.businessDays !== null)
    return businessDayDeadline(startedAt, sla.businessDays, sla.timeZone, sla.holidays) - startedAt;
  return sla.thresholdMs ?? DAY_MS;
}

/** The allowance before the start is known (a clock whose end came first); replaced at the start. */
export function nominalAllowanceMs(sla: Pick<SlaDefinition, 'thresholdMs' | 'businessDays'>): number {
  return sla.businessDays !== null ? sla.businessDays * DAY_MS : (sla.thresholdMs ?? DAY_MS);
}

/** Built-in SLAs; a firm's config file overrides them by name and may add more. */
export const DEFAULT_SLAS: SlaConfigInput & { slas: z.input<typeof slaDefinitionSchema>[] } = {
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
      entityType: 'assignmentChange',
      start: { eventType: 'AssignmentChanged', key: EVENT_ID_KEY },
      end: { eventType: 'ProjectForecastUpdated', key: 'triggerEventId' },
      thresholdMs: 15 * 60_000,
      moneyAtRisk: { amountField: 'forecastCostMinor', currencyField: 'currency' },
      note: 'Per assignment change (its eventId): the project forecast citing it as triggerEventId.',
    },
    {
      name: 'TIME_TO_BILLING',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'timeEntry',
      start: { eventType: 'TimeEntryApproved', key: 'entryId' },
      // UNPRICED means billing has it but could not price it: it has not reached billing yet.
      end: {
        eventType: 'ActualChanged',
        key: 'actualId',
        condition: { kind: 'TIME', status: { notIn: ['UNPRICED'] } },
      },
      thresholdMs: 60 * 60_000,
      moneyAtRisk: { amountField: 'billAmountMinor', currencyField: 'currency', from: 'end' },
    },
    {
      name: 'INVOICE_AFTER_CLOSE',
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'invoice',
      start: {
        eventType: 'BillingPeriodClosed',
        each: 'draftInvoices',
        key: 'invoiceId',
        timeField: 'closedAt',
      },
      end: { eventType: 'InvoiceIssued', key: 'invoiceId', timeField: 'issuedAt' },
      businessDays: 1,
      moneyAtRisk: { amountField: 'totalMinor', currencyField: 'currency' },
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
 * the default entirely; set `enabled: false` to switch a default off). Every businessDays SLA
 * without its own `holidays` gets the config's top-level `holidays` (else the defaults'). Enabled
 * SLAs are checked against the event catalog: event types, key, condition and money fields must
 * exist with fitting types. Disabled SLAs may name events that do not exist yet. Throws
 * InvalidSlaConfig naming every problem.
 */
export function resolveSlaConfig(input: unknown, defaults: SlaConfigInput = DEFAULT_SLAS): SlaDefinition[] {
  const base = parseConfig(defaults, 'defaults');
  const overrides = input === undefined ? undefined : parseConfig(input, 'config');
  const problems: string[] = [];
  const names = new Set<string>();
  for (const sla of overrides?.slas ?? []) {
    if (names.has(sla.name)) problems.push(`slas: "${sla.name}" is defined more than once`);
    names.add(sla.name);
  }
  const firmHolidays = overrides?.holidays ?? base.holidays ?? [];
  const merged = [...base.slas.filter((sla) => !names.has(sla.name)), ...(overrides?.slas ?? [])].map(
    ({ holidays, ...sla }): SlaDefinition => ({
      ...sla,
      holidays: sla.businessDays === null ? [] : (holidays ?? firmHolidays),
    }),
  );
  for (const sla of merged) if (sla.enabled) problems.push(...catalogProblems(sla));
  if (problems.length > 0) throw new InvalidSlaConfig(problems);
  return merged;
}

type ParsedSla = Omit<SlaDefinition, 'holidays'> & { holidays: string[] | undefined };

function parseConfig(input: unknown, label: string): { holidays: string[] | undefined; slas: ParsedSla[] } {
  const result = slaConfigSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidSlaConfig(
      result.error.issues.map(
        (issue) => `${label}.${issue.path.join('.')}: ${issue.message}${holidayOwner(input, issue.path)}`,
      ),
    );
  }
  return {
    holidays: result.data.holidays,
    slas: result.data.slas.map((sla) => ({
      ...sla,
      entityType: sla.entityType ?? sla.start.key.replace(/^\$/, '').replace(/Id$/, ''),
      thresholdMs: sla.thresholdMs ?? null,
      businessDays: sla.businessDays ?? null,
      holidays: sla.holidays,
    })),
  };
}

/** Names the SLA (or the firm-wide list) a bad holiday belongs to, as " (SLA NAME)". */
function holidayOwner(input: unknown, path: readonly (string | number)[]): string {
  if (path[0] === 'holidays') return ' (firm-wide holidays)';
  if (path[0] !== 'slas' || path[2] !== 'holidays' || typeof path[1] !== 'number') return '';
  const slas = (input as { slas?: unknown } | null)?.slas;
  const name = Array.isArray(slas) ? (slas[path[1]] as { name?: unknown } | null)?.name : undefined;
  return typeof name === 'string' ? ` (SLA ${name})` : '';
}

function catalogProblems(sla: SlaDefinition): string[] {
  const problems = [
    ...endpointProblems(sla.name, 'start', sla.start),
    ...endpointProblems(sla.name, 'end', sla.end),
  ];
  if (sla.moneyAtRisk) {
    const endpoint = sla[sla.moneyAtRisk.from];
    const fields = endpointFields(endpoint);
    if (fields) {
      const { amountField, currencyField } = sla.moneyAtRisk;
      const where = endpoint.each ? `${endpoint.eventType}.${endpoint.each}[]` : endpoint.eventType;
      if (fields.get(amountField)?.kind !== 'number')
        problems.push(`${sla.name}.moneyAtRisk.amountField: ${where} has no number field "${amountField}"`);
      if (fields.get(currencyField)?.kind !== 'string')
        problems.push(
          `${sla.name}.moneyAtRisk.currencyField: ${where} has no string field "${currencyField}"`,
        );
    }
  }
  return problems;
}

/** The fields key, condition and money name: the payload's, or each element's with `each`. */
function endpointFields(endpoint: SlaEndpoint): ReadonlyMap<string, PayloadField> | undefined {
  const fields = payloadFields(endpoint.eventType);
  if (!fields || !endpoint.each) return fields;
  return fields.get(endpoint.each)?.itemFields;
}

function endpointProblems(name: string, which: 'start' | 'end', endpoint: SlaEndpoint): string[] {
  const path = `${name}.${which}`;
  const payload = payloadFields(endpoint.eventType);
  if (!payload) return [`${path}.eventType: "${endpoint.eventType}" is not an event type of the catalog`];
  const problems: string[] = [];
  if (endpoint.timeField !== undefined && payload.get(endpoint.timeField)?.kind !== 'number')
    problems.push(`${path}.timeField: ${endpoint.eventType} has no number field "${endpoint.timeField}"`);
  const fields = endpointFields(endpoint);
  if (!fields) {
    problems.push(`${path}.each: ${endpoint.eventType} has no array-of-records field "${endpoint.each}"`);
    return problems;
  }
  const where = endpoint.each ? `${endpoint.eventType}.${endpoint.each}[]` : endpoint.eventType;
  if (endpoint.key === EVENT_ID_KEY) {
    if (endpoint.each) problems.push(`${path}.key: ${EVENT_ID_KEY} cannot be combined with each`);
  } else if (fields.get(endpoint.key)?.kind !== 'string') {
    problems.push(`${path}.key: ${where} has no string field "${endpoint.key}"`);
  }
  for (const [field, expected] of Object.entries(endpoint.condition ?? {})) {
    const described = fields.get(field);
    if (!described) {
      problems.push(`${path}.condition.${field}: ${where} has no field "${field}"`);
      continue;
    }
    if (described.kind !== 'enum') continue;
    for (const value of conditionValues(expected))
      if (!described.symbols?.includes(String(value)))
        problems.push(
          `${path}.condition.${field}: "${String(value)}" is not one of ${described.symbols?.join(', ')}`,
        );
  }
  return problems;
}

/** The values a condition names, whatever its form. */
export function conditionValues(expected: SlaConditionValue): readonly (string | number | boolean)[] {
  if (typeof expected !== 'object') return [expected];
  return 'in' in expected ? expected.in : expected.notIn;
}

/** Whether a payload field's value satisfies a condition. */
export function conditionMatches(expected: SlaConditionValue, actual: unknown): boolean {
  if (typeof expected !== 'object') return actual === expected;
  if ('in' in expected) return expected.in.some((value) => value === actual);
  return !expected.notIn.some((value) => value === actual);
}
