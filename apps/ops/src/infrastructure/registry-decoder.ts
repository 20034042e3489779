import { Type } from 'avsc';

import { SchemaRegistryGateway } from '@throughline/messaging';

import { ValueDecoder } from '../application/ports';
import { DecodedValue } from '../domain/dead-letter';

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

/**
 * Decodes Confluent-framed Avro values with their writer schema (looked up by the schema id in the
 * frame), whatever the event type: a dead letter shows what was written, not what a reader expects.
 */
export class RegistryValueDecoder implements ValueDecoder {
  /** Failures are cached too, so an unreachable registry costs one attempt per schema id. */
  private readonly types = new Map<number, Promise<Type>>();

  constructor(private readonly registry: SchemaRegistryGateway) {}

  async decode(value: Buffer | null): Promise<DecodedValue> {
    if (value === null) return { ok: false, reason: 'no value (tombstone)' };
    if (value.length < HEADER_LENGTH || value.readUInt8(0) !== MAGIC_BYTE) {
      return {
        ok: false,
        reason: `not schema-registry Avro (no magic byte and schema id; ${value.length} bytes)`,
      };
    }
    const schemaId = value.readInt32BE(1);
    let type: Type;
    try {
      type = await this.writerType(schemaId);
    } catch (error) {
      return { ok: false, reason: messageOf(error) };
    }
    try {
      return { ok: true, schemaId, json: toJson(type.fromBuffer(value.subarray(HEADER_LENGTH))) };
    } catch (error) {
      return { ok: false, reason: `cannot decode with writer schema ${schemaId}: ${messageOf(error)}` };
    }
  }

  private writerType(schemaId: number): Promise<Type> {
    let type = this.types.get(schemaId);
    if (!type) {
      type = this.registry.typeFor(schemaId);
      this.types.set(schemaId, type);
    }
    return type;
  }
}

/** Plain JSON: Avro bytes/fixed as base64, longs beyond 2^53 (if any) as strings. */
function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
      const original = this[key];
      if (Buffer.isBuffer(original)) return original.toString('base64');
      if (typeof converted === 'bigint') return converted.toString();
      return converted;
    }),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
