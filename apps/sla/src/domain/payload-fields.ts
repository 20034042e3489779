import { isEventType, registeredSchema } from '@throughline/contracts';

/** What a config may rely on about one top-level payload field of an event. */
export interface PayloadField {
  kind: 'string' | 'number' | 'boolean' | 'enum' | 'records' | 'other';
  nullable: boolean;
  /** Symbols of an enum field. */
  symbols?: readonly string[];
  /** Fields of each element of an array of records (kind `records`). */
  itemFields?: ReadonlyMap<string, PayloadField>;
}

type AvroType =
  string | AvroType[] | { type: AvroType; symbols?: string[]; fields?: AvroField[]; items?: AvroType };
interface AvroField {
  name: string;
  type: AvroType;
}

/**
 * The top-level payload fields of an event type's latest registered schema, so an SLA config that
 * names a field the event does not have fails at boot instead of silently never matching.
 */
export function payloadFields(eventType: string): ReadonlyMap<string, PayloadField> | undefined {
  if (!isEventType(eventType)) return undefined;
  const schema = registeredSchema(eventType) as { fields: AvroField[] };
  const data = schema.fields.find((field) => field.name === 'data')?.type as { fields?: AvroField[] };
  return fieldMap(data.fields ?? []);
}

function fieldMap(fields: readonly AvroField[]): ReadonlyMap<string, PayloadField> {
  return new Map(fields.map((field) => [field.name, describe(field.type)]));
}

function describe(type: AvroType): PayloadField {
  if (Array.isArray(type)) {
    const branches = type.filter((branch) => branch !== 'null');
    const inner = branches.length === 1 ? describe(branches[0]) : { kind: 'other' as const, nullable: false };
    return { ...inner, nullable: branches.length < type.length };
  }
  if (typeof type === 'object') {
    if (type.type === 'enum') return { kind: 'enum', nullable: false, symbols: type.symbols ?? [] };
    if (type.type === 'array') {
      const items = type.items;
      if (items && typeof items === 'object' && !Array.isArray(items) && items.type === 'record')
        return { kind: 'records', nullable: false, itemFields: fieldMap(items.fields ?? []) };
      return { kind: 'other', nullable: false };
    }
    if (type.type === 'record') return { kind: 'other', nullable: false };
    return describe(type.type);
  }
  switch (type) {
    case 'string':
      return { kind: 'string', nullable: false };
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return { kind: 'number', nullable: false };
    case 'boolean':
      return { kind: 'boolean', nullable: false };
    default:
      return { kind: 'other', nullable: false };
  }
}
