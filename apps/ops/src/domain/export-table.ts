import { isIsoCurrency, minorUnitDigits } from '@throughline/money';

/**
 * The table `throughline export` writes for one event type: one row per event, typed columns from the
 * event's latest schema. Envelope fields first, then the payload's fields: money (`<name>Minor` with
 * the record's `currency`) also as an exact decimal `<name>`, instants as timestamps, dates as dates,
 * nested records and arrays as JSON text.
 */
export type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'BOOLEAN' | 'DOUBLE' | 'TIMESTAMP' | 'DATE' | 'DECIMAL';

/** Four places hold every ISO 4217 minor unit (0, 2, 3 and 4 digits) exactly. */
export const MONEY_SCALE = 4;

export interface ExportColumn {
  name: string;
  type: ColumnType;
  /** Reads the column's value from a decoded `{ envelope, data }` as text (null for SQL NULL). */
  read(record: DecodedRecord): string | null;
}

export interface DecodedRecord {
  envelope: Record<string, unknown>;
  data: Record<string, unknown>;
}

interface AvroField {
  name: string;
  type: unknown;
}

/** The columns for an event type's registered schema (`{ envelope, data }` record). */
export function exportColumns(schema: object): ExportColumn[] {
  const fields = (schema as { fields?: AvroField[] }).fields ?? [];
  const envelope = recordFields(fields.find((field) => field.name === 'envelope')?.type);
  const data = recordFields(fields.find((field) => field.name === 'data')?.type);
  const hasCurrency = data.some((field) => field.name === 'currency');
  return [
    ...envelope.map((field) => column(field, (record) => record.envelope[field.name])),
    ...data.flatMap((field) => {
      const plain = column(field, (record) => record.data[field.name]);
      const money = field.name.endsWith('Minor') && hasCurrency && plainType(field.type) === 'long';
      return money ? [plain, moneyColumn(field.name)] : [plain];
    }),
  ];
}

/** The names of the payload's fields in an event type's registered schema. */
export function payloadFields(schema: object): string[] {
  const fields = (schema as { fields?: AvroField[] }).fields ?? [];
  return recordFields(fields.find((field) => field.name === 'data')?.type).map((field) => field.name);
}

export function exportRow(columns: readonly ExportColumn[], record: DecodedRecord): (string | null)[] {
  return columns.map((c) => c.read(record));
}

/** The decimal `<name>` beside `<name>Minor`: minor units over 10^(the currency's ISO 4217 digits). */
function moneyColumn(minorName: string): ExportColumn {
  return {
    name: minorName.slice(0, -'Minor'.length),
    type: 'DECIMAL',
    read: (record) => {
      const minor = record.data[minorName];
      const currency = record.data['currency'];
      if (minor === null || minor === undefined || typeof currency !== 'string' || !isIsoCurrency(currency))
        return null;
      return minorToDecimal(BigInt(minor as number | string), minorUnitDigits(currency));
    },
  };
}

/** Exact text of minor units as a decimal: 1097120 with 2 digits is "10971.20", -5 is "-0.05". */
export function minorToDecimal(minor: bigint, digits: number): string {
  const sign = minor < 0n ? '-' : '';
  const digitsText = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${digitsText}`;
  return `${sign}${digitsText.slice(0, -digits)}.${digitsText.slice(-digits)}`;
}

function column(field: AvroField, value: (record: DecodedRecord) => unknown): ExportColumn {
  const type = columnType(field.type);
  return { name: field.name, type, read: (record) => text(value(record), type) };
}

function text(value: unknown, type: ColumnType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'TIMESTAMP') return new Date(Number(value)).toISOString();
  if (type === 'DATE') return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
  if (type === 'VARCHAR' && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function recordFields(type: unknown): AvroField[] {
  const record = nonNull(type);
  return typeof record === 'object' && record !== null && Array.isArray((record as { fields?: unknown }).fields)
    ? (record as { fields: AvroField[] }).fields
    : [];
}

/** `["null", T]` is a nullable T. */
function nonNull(type: unknown): unknown {
  return Array.isArray(type) ? (type.find((branch) => branch !== 'null') ?? 'null') : type;
}

function plainType(type: unknown): string | undefined {
  const inner = nonNull(type);
  if (typeof inner === 'string') return inner;
  if (typeof inner === 'object' && inner !== null && typeof (inner as { type?: unknown }).type === 'string')
    return (inner as { type: string }).type;
  return undefined;
}

function columnType(type: unknown): ColumnType {
  const inner = nonNull(type);
  const logical =
    typeof inner === 'object' && inner !== null ? (inner as { logicalType?: unknown }).logicalType : undefined;
  if (logical === 'timestamp-millis') return 'TIMESTAMP';
  if (logical === 'date') return 'DATE';
  switch (plainType(type)) {
    case 'long':
      return 'BIGINT';
    case 'int':
      return 'INTEGER';
    case 'boolean':
      return 'BOOLEAN';
    case 'double':
    case 'float':
      return 'DOUBLE';
    default:
      // string, enum (its symbol), and record/array/map as JSON text
      return 'VARCHAR';
  }
}

/**
 * Current state: the last event per message key (the entity, or entity and version on `keyVersion`
 * topics). Keys live on one partition, so "last" is the highest offset read for the key.
 */
export class LatestPerKey<T> {
  private readonly rows = new Map<string, T>();

  add(key: string, row: T): void {
    this.rows.delete(key);
    this.rows.set(key, row);
  }

  values(): T[] {
    return [...this.rows.values()];
  }
}
