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

/**
 * Avro in the Confluent wire format (magic byte, 4-byte schema id, Avro body). Writers use the
 * latest version of each event's schema; readers decode into their own reader version through
 * an avsc resolver, so producers and consumers can upgrade independently.
 */
export class AvroEventCodec {
  private readonly encoders = new Map<EventType, Promise<EventEncoder>>();
  private readonly decoders = new Map<string, EventDecoder<EventType>>();

  constructor(
    private readonly registry: SchemaRegistryGateway,
    private readonly options: CodecOptions = {},
  ) {}

  /** Registers (or finds) the writer schemas up front so the first publish pays no round trip. */
  async prepare(eventTypes: readonly EventType[]): Promise<void> {
    await Promise.all(eventTypes.map((eventType) => this.encoder(eventType)));
  }

  async encode(record: EventRecord): Promise<Buffer> {
    return (await this.encoder(record.envelope.eventType)).encode(record);
  }

  /** The writer for one event type; resolves once its schema id is known, then encodes synchronously. */
  encoder(eventType: EventType): Promise<EventEncoder> {
    let encoder = this.encoders.get(eventType);
    if (!encoder) {
      const definition = eventDefinition(eventType);
      const version = this.options.writerVersions?.[eventType] ?? definition.latestVersion;
      const schema = definition.versions[version];
      if (!schema) throw new Error(`No schema for ${eventType} v${version}`);
      const subject = (this.options.naming ?? new TopicNaming()).subjectFor(eventType);
      const earlier = Array.from({ length: version - 1 }, (_, i) => definition.versions[i + 1]);
      encoder = this.registry
        .idFor(subject, schema, earlier)
        .then((id) => new EventEncoder(id, Type.forSchema(schema as never)));
      encoder.catch(() => this.encoders.delete(eventType));
      this.encoders.set(eventType, encoder);
    }
    return encoder;
  }

  /** Decodes into `eventType`'s reader schema (latest unless `readerVersion` is given). */
  async decode<T extends EventType>(
    buffer: Buffer,
    eventType: T,
    readerVersion?: number,
  ): Promise<EventRecord<T>> {
    return this.decoder(eventType, readerVersion).decode(buffer);
  }

  /** The decoder for one event type and reader version; consumers keep it for the hot path. */
  decoder<T extends EventType>(eventType: T, readerVersion?: number): EventDecoder<T> {
    const version = readerVersion ?? eventDefinition(eventType).latestVersion;
    const key = `${eventType}@${version}`;
    let decoder = this.decoders.get(key);
    if (!decoder) {
      decoder = new EventDecoder(this.registry, eventType, version);
      this.decoders.set(key, decoder);
    }
    return decoder as EventDecoder<T>;
  }
}

export class EventEncoder {
  constructor(
    readonly schemaId: number,
    private readonly type: Type,
  ) {}

  encode(record: EventRecord): Buffer {
    const body = this.type.toBuffer(record);
    const buffer = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
    buffer.writeUInt8(MAGIC_BYTE, 0);
    buffer.writeInt32BE(this.schemaId, 1);
    body.copy(buffer, HEADER_LENGTH);
    return buffer;
  }
}

type Read<T extends EventType> = (buffer: Buffer) => EventRecord<T>;

/**
 * Decodes one event type into one reader version. The read function for each writer schema id
 * (an avsc resolver from writer to reader) is built once, so decoding is synchronous after the
 * first message of each writer schema.
 */
export class EventDecoder<T extends EventType> {
  private readonly readers = new Map<number, Read<T>>();
  private readonly readerType: Type;

  constructor(
    private readonly registry: SchemaRegistryGateway,
    readonly eventType: T,
    readonly version: number,
  ) {
    const schema = eventDefinition(eventType).versions[version];
    if (!schema) throw new Error(`No reader schema for ${eventType} v${version}`);
    // Handlers get plain data (no avsc record methods), which ORMs and JSON columns accept.
    this.readerType = Type.forSchema(schema as never, { omitRecordMethods: true });
  }

  decode(buffer: Buffer): EventRecord<T> | Promise<EventRecord<T>> {
    if (buffer.length < HEADER_LENGTH || buffer.readUInt8(0) !== MAGIC_BYTE) {
      throw new PoisonMessageError(`Not a schema-registry Avro message (${buffer.length} bytes)`);
    }
    const schemaId = buffer.readInt32BE(1);
    const read = this.readers.get(schemaId);
    return read ? read(buffer) : this.learn(schemaId).then((learned) => learned(buffer));
  }

  private async learn(schemaId: number): Promise<Read<T>> {
    let writerType: Type;
    try {
      writerType = await this.registry.typeFor(schemaId);
    } catch (error) {
      if (error instanceof UnknownSchemaError) throw new PoisonMessageError(error.message, { cause: error });
      throw error;
    }
    let resolver: ReturnType<Type['createResolver']> | undefined;
    try {
      resolver = this.readerType.equals(writerType) ? undefined : this.readerType.createResolver(writerType);
    } catch (error) {
      throw new PoisonMessageError(
        `Schema ${schemaId} cannot be read as ${this.eventType} v${this.version}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const read: Read<T> = (buffer) => {
      try {
        return this.readerType.fromBuffer(buffer.subarray(HEADER_LENGTH), resolver) as EventRecord<T>;
      } catch (error) {
        throw new PoisonMessageError(`Cannot decode ${this.eventType} written with schema ${schemaId}`, {
          cause: error,
        });
      }
    };
    this.readers.set(schemaId, read);
    return read;
  }
}
