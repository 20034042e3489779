import type { AvroJson, EventSchemas, SchemaSet } from './schema-set';

/**
 * Documentation and typing rules for analysts (#13), checked by `schemas:check` (both modes) and by
 * `lint.spec.ts` in the test command. They are kept out of `loadSchemaSet`, so `schemas:generate` still works
 * on a schema that is not finished yet.
 *
 * 1. Every field of the envelope and of the latest version of every event has a non-empty `doc`. A `doc` may
 *    be added to a version that is already registered: Avro's Parsing Canonical Form drops it, and the
 *    registry (Apicurio with `apicurio.ccompat.use-canonical-hash=true`, as the stack runs it) compares
 *    schemas in that form, so it is neither a new version nor a new id.
 * 2. A field that a version adds (absent from the previous version, or any field of a new event type) types
 *    an instant as `{"type": "long", "logicalType": "timestamp-millis"}` and a calendar date as
 *    `{"type": "int", "logicalType": "date"}`. Fields that already exist keep their type: changing a `long`
 *    or a `string` into another type is not BACKWARD compatible. The versions below predate the rule.
 */
export const VERSIONS_BEFORE_TIME_TYPES: Readonly<Record<string, number>> = {
  'actual-changed': 1,
  'assignment-changed': 1,
  'billing-period-closed': 1,
  'billing-provisioned': 1,
  'business-exception-raised': 1,
  'business-exception-resolved': 1,
  'change-order-approved': 2,
  'contract-approved': 2,
  'customer-upserted': 1,
  'deal-won': 2,
  'expense-approved': 1,
  'invoice-issued': 2,
  'legal-entity-upserted': 1,
  'milestone-completed': 1,
  'payment-received': 1,
  'project-created': 2,
  'project-forecast-updated': 1,
  'project-plan-changed': 1,
  'project-setup-completed': 1,
  'project-template-upserted': 1,
  'rate-card-upserted': 1,
  'revenue-recognized': 1,
  'sla-breached': 1,
  'sla-recovered': 1,
  'smoke-tested': 1,
  'staffing-demand-published': 1,
  'time-entry-approved': 2,
};

/** Field names that hold an instant (`approvedAt`, `occurredAt`) or a calendar date (`workDate`, `effectiveFrom`). */
const INSTANT = /At$/;
const CALENDAR_DATE = /(^d|D)ate$|^effective(From|To)$/;

interface FieldInfo {
  path: string;
  json: AvroJson;
  /** The field's type with a `["null", T]` union unwrapped. */
  valueType: unknown;
}

export function lintSchemas(set: SchemaSet): string[] {
  const problems: string[] = [];
  for (const field of fieldsOf(set.envelope, 'envelope')) {
    if (!hasDoc(field.json)) problems.push(`envelope.avsc: ${field.path} has no doc`);
  }
  for (const event of set.events) {
    for (const field of fieldsOf(event.latest.payload, 'data')) {
      if (!hasDoc(field.json)) problems.push(`${event.latest.file}: ${field.path} has no doc`);
    }
    problems.push(...timeTypeProblems(event));
  }
  return problems;
}

function timeTypeProblems(event: EventSchemas): string[] {
  const problems: string[] = [];
  const before = VERSIONS_BEFORE_TIME_TYPES[event.folder] ?? 0;
  for (const [index, version] of event.versions.entries()) {
    if (version.version <= before) continue;
    const previous =
      index === 0
        ? new Set<string>()
        : new Set(fieldsOf(event.versions[index - 1].payload, 'data').map((f) => f.path));
    for (const field of fieldsOf(version.payload, 'data')) {
      if (previous.has(field.path)) continue;
      const name = String(field.json['name']);
      if (INSTANT.test(name) && !isLogical(field.valueType, 'long', 'timestamp-millis')) {
        problems.push(
          `${version.file}: ${field.path} is a new instant: type it {"type": "long", "logicalType": "timestamp-millis"}`,
        );
      }
      if (CALENDAR_DATE.test(name) && !isLogical(field.valueType, 'int', 'date')) {
        problems.push(
          `${version.file}: ${field.path} is a new calendar date: type it {"type": "int", "logicalType": "date"}`,
        );
      }
    }
  }
  return problems;
}

function isLogical(type: unknown, base: string, logicalType: string): boolean {
  if (typeof type !== 'object' || type === null || Array.isArray(type)) return false;
  const t = type as AvroJson;
  return t['type'] === base && t['logicalType'] === logicalType;
}

function hasDoc(json: AvroJson): boolean {
  return typeof json['doc'] === 'string' && json['doc'].trim().length > 0;
}

/** Every record field under `record`, depth first, with its path (`data.lines[].role`). */
export function fieldsOf(record: AvroJson, path: string): FieldInfo[] {
  const out: FieldInfo[] = [];
  const visitType = (type: unknown, at: string): void => {
    if (Array.isArray(type)) {
      type.forEach((branch) => visitType(branch, at));
      return;
    }
    if (typeof type !== 'object' || type === null) return;
    const t = type as AvroJson;
    if (t['type'] === 'record' && Array.isArray(t['fields'])) {
      for (const field of t['fields'] as AvroJson[]) {
        const fieldPath = `${at}.${String(field['name'])}`;
        out.push({ path: fieldPath, json: field, valueType: unwrapOptional(field['type']) });
        visitType(field['type'], fieldPath);
      }
    } else if (t['type'] === 'array') visitType(t['items'], `${at}[]`);
    else if (t['type'] === 'map') visitType(t['values'], `${at}{}`);
  };
  visitType(record, path);
  return out;
}

function unwrapOptional(type: unknown): unknown {
  if (Array.isArray(type) && type.length === 2 && type[0] === 'null') return type[1];
  return type;
}
