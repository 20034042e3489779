import { Type } from 'avsc';

import { eventDefinition, EventRecord, EventType } from '@throughline/contracts';
import { PoisonMessageError } from '@throughline/platform';

import { SchemaRegistryGateway, UnknownSchemaError } from './schema-registry';
import { TopicNaming } from './topic-naming';

const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export interface CodecOptions {
  naming?: TopicNaming;
  /** Pin a writer to an older schema version (a producer not yet upgraded); default latest. */
  writerVersions?: Partial<Record<EventType, number>>;
}

interface WriterSchema {
  id: number;
  type: Type;
}

/**
 * Avro in the Confluent wire format (magic byte, 4-byte schema id, Avro body). Writers use the
 * latest version of each event's schema; readers decode into their own reader version through
 * an avsc resolver, so producers and consumers can upgrade independently.
 */
export class AvroEventCodec {
  private readonly writers = new Map<EventType, Promise<WriterSchema>>();
  private readonly readerTypes = new Map<string, Type>();
  private readonly resolvers = new Map<string, ReturnType<Type['createResolver']> | 'same'>();
  private readonly writerTypes = new Map<number, Type>();

  constructor(
    private readonly registry: SchemaRegistryGateway,
    private readonly options: CodecOptions = {},
  ) {}

  /** Registers (or finds) the writer schemas up front so the first publish pays no round trip. */
  async prepare(eventTypes: readonly EventType[]): Promise<void> {
    await Promise.all(eventTypes.map((eventType) => this.writerFor(eventType)));
  }

  async encode(record: EventRecord): Promise<Buffer> {
    const writer = await this.writerFor(record.envelope.eventType);
    const body = writer.type.toBuffer(record);
    const buffer = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
    buffer.writeUInt8(MAGIC_BYTE, 0);
    buffer.writeInt32BE(writer.id, 1);
    body.copy(buffer, HEADER_LENGTH);
    return buffer;
  }

  /** Decodes into `eventType`'s reader schema (latest unless `readerVersion` is given). */
  async decode<T extends EventType>(
    buffer: Buffer,
    eventType: T,
    readerVersion?: number,
  ): Promise<EventRecord<T>> {
    if (buffer.length < HEADER_LENGTH || buffer.readUInt8(0) !== MAGIC_BYTE) {
      throw new PoisonMessageError(`Not a schema-registry Avro message (${buffer.length} bytes)`);
    }
    const schemaId = buffer.readInt32BE(1);
    const writerType = this.writerTypes.get(schemaId) ?? (await this.loadWriterType(schemaId));
    const version = readerVersion ?? eventDefinition(eventType).latestVersion;
    const readerType = this.readerType(eventType, version);
    const resolver = this.resolver(schemaId, writerType, eventType, version, readerType);
    try {
      const body = buffer.subarray(HEADER_LENGTH);
      return (
        resolver === 'same' ? readerType.fromBuffer(body) : readerType.fromBuffer(body, resolver)
      ) as EventRecord<T>;
    } catch (error) {
      throw new PoisonMessageError(`Cannot decode ${eventType} written with schema ${schemaId}`, {
        cause: error,
      });
    }
  }

  private async loadWriterType(schemaId: number): Promise<Type> {
    try {
      const type = await this.registry.typeFor(schemaId);
      this.writerTypes.set(schemaId, type);
      return type;
    } catch (error) {
      if (error instanceof UnknownSchemaError) throw new PoisonMessageError(error.message, { cause: error });
      throw error;
    }
  }

  private writerFor(eventType: EventType): Promise<WriterSchema> {
    let writer = this.writers.get(eventType);
    if (!writer) {
      const definition = eventDefinition(eventType);
      const version = this.options.writerVersions?.[eventType] ?? definition.latestVersion;
      const schema = definition.versions[version];
      if (!schema) throw new Error(`No schema for ${eventType} v${version}`);
      const subject = (this.options.naming ?? new TopicNaming()).subjectFor(eventType);
      writer = this.registry
        .idFor(subject, schema)
        .then((id) => ({ id, type: Type.forSchema(schema as never) }));
      writer.catch(() => this.writers.delete(eventType));
      this.writers.set(eventType, writer);
    }
    return writer;
  }

  private readerType(eventType: EventType, version: number): Type {
    const key = `${eventType}@${version}`;
    let type = this.readerTypes.get(key);
    if (!type) {
      const schema = eventDefinition(eventType).versions[version];
      if (!schema) throw new Error(`No reader schema for ${eventType} v${version}`);
      type = Type.forSchema(schema as never);
      this.readerTypes.set(key, type);
    }
    return type;
  }

  private resolver(
    schemaId: number,
    writerType: Type,
    eventType: EventType,
    version: number,
    readerType: Type,
  ) {
    const key = `${schemaId}->${eventType}@${version}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      try {
        resolver = readerType.equals(writerType) ? 'same' : readerType.createResolver(writerType);
      } catch (error) {
        throw new PoisonMessageError(
          `Schema ${schemaId} cannot be read as ${eventType} v${version}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}
