import type * as avro from 'avsc';

import { errorMessage } from './schema-set';

export type LocalCompatibility =
  { compatible: true } | { compatible: false; reason: string; avscMessage: string };

/**
 * BACKWARD compatibility, decided by avsc: can `reader` (the new version) read data written with `writer`
 * (the previous version)? avsc's own messages rarely say where the problem is, so on failure the schemas
 * are walked to name the field and what changed.
 */
export function checkBackwardCompatible(reader: avro.Type, writer: avro.Type): LocalCompatibility {
  try {
    reader.createResolver(writer);
    return { compatible: true };
  } catch (err) {
    const avscMessage = errorMessage(err);
    return { compatible: false, reason: explain(reader, writer, '') ?? avscMessage, avscMessage };
  }
}

/** The first reason `reader` cannot read `writer` data, with its path (`data.lines[].amountMinor`). */
function explain(reader: avro.Type, writer: avro.Type, path: string): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    const at = path === '' ? '(root)' : path;
    const readerUnion = isUnion(reader);
    const writerUnion = isUnion(writer);
    if (writerUnion) {
      for (const branch of unionBranches(writer)) {
        if (!canRead(reader, branch)) {
          return `${at}: changed from ${describe(writer)} to ${describe(reader)}; old data holding ${describe(branch)} can no longer be read`;
        }
      }
    }
    if (readerUnion) {
      return `${at}: changed from ${describe(writer)} to ${describe(reader)}; no branch of the new type can read the old values`;
    }
    if (reader.typeName === 'record' && writer.typeName === 'record') {
      return (
        explainRecord(reader as avro.types.RecordType, writer as avro.types.RecordType, path) ??
        `${at}: ${errorMessage(err)}`
      );
    }
    if (reader.typeName === 'array' && writer.typeName === 'array') {
      return explain(
        (reader as avro.types.ArrayType).itemsType,
        (writer as avro.types.ArrayType).itemsType,
        `${path}[]`,
      );
    }
    if (reader.typeName === 'map' && writer.typeName === 'map') {
      return explain(
        (reader as avro.types.MapType).valuesType as avro.Type,
        (writer as avro.types.MapType).valuesType as avro.Type,
        `${path}{}`,
      );
    }
    if (reader.typeName === 'enum' && writer.typeName === 'enum') {
      const kept = new Set((reader as avro.types.EnumType).symbols);
      const removed = (writer as avro.types.EnumType).symbols.filter((s) => !kept.has(s));
      if (removed.length > 0) {
        return `${at}: enum ${reader.name} removed symbol(s) ${removed.join(', ')} that old data may contain`;
      }
      return `${at}: enum renamed from ${writer.name} to ${reader.name}`;
    }
    return `${at}: type changed from ${describe(writer)} to ${describe(reader)}, which Avro cannot promote`;
  }
}

function explainRecord(
  reader: avro.types.RecordType,
  writer: avro.types.RecordType,
  path: string,
): string | undefined {
  const readerShort = shortName(reader.name);
  const writerShort = shortName(writer.name);
  if (readerShort !== writerShort && !(reader.aliases ?? []).some((a) => shortName(a) === writerShort)) {
    return `${path || '(root)'}: record renamed from ${writer.name} to ${reader.name} (add an alias)`;
  }
  const writerFields = new Map(writer.fields.map((f) => [f.name, f]));
  for (const field of reader.fields) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const match = [field.name, ...field.aliases].map((n) => writerFields.get(n)).find((f) => f !== undefined);
    if (!match) {
      if (field.defaultValue() === undefined) {
        return `${fieldPath}: field added without a default value, so data written with the previous version cannot be read (make it ["null", T] with "default": null, or give it a default)`;
      }
      continue;
    }
    const reason = explain(field.type, match.type, fieldPath);
    if (reason) return reason;
  }
  return undefined;
}

function canRead(reader: avro.Type, writer: avro.Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

function isUnion(type: avro.Type): boolean {
  return type.typeName.startsWith('union');
}

function unionBranches(type: avro.Type): avro.Type[] {
  return (type as avro.types.UnwrappedUnionType).types;
}

function shortName(name: string | undefined): string {
  return (name ?? '').slice((name ?? '').lastIndexOf('.') + 1);
}

/** A compact description of a type for messages: `string`, `["null", "long"]`, `array<DealLine>`. */
export function describe(type: avro.Type): string {
  if (isUnion(type))
    return `[${unionBranches(type)
      .map((b) => `"${describe(b)}"`)
      .join(', ')}]`;
  if (type.name) return shortName(type.name);
  if (type.typeName === 'array') return `array<${describe((type as avro.types.ArrayType).itemsType)}>`;
  if (type.typeName === 'map')
    return `map<${describe((type as avro.types.MapType).valuesType as avro.Type)}>`;
  return type.typeName;
}
