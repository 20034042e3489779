import * as avro from 'avsc';

import { ENVELOPE_SCHEMA } from '../generated/schemas';
import { EVENTS, EVENT_TYPES } from '../generated/catalog';
import type { EventType } from '../generated/payloads';
import { sampleEventRecord } from '../testing';

import { registeredSchema } from './events';

// Same options as the messaging codec: no logical types (timestamps stay numbers), ['null', T] unwrapped.
const parse = (schema: object): avro.Type =>
  avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });

function invalidPaths(type: avro.Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
  return paths;
}

describe('registered schemas', () => {
  it.each(EVENT_TYPES)('%s: every version parses with avsc and is self-contained', (eventType) => {
    const definition = EVENTS[eventType];
    for (let version = 1; version <= definition.latestVersion; version++) {
      // A fresh registry per parse: any reference to a type defined elsewhere would throw.
      const type = parse(definition.versions[version]) as avro.types.RecordType;
      expect(type.fields.map((f) => f.name)).toEqual(['envelope', 'data']);
      expect(type.fields[0].type.name).toBe('dev.throughline.Envelope');
      expect(type.name).toBe(`${type.fields[1].type.name}Event`);
    }
  });

  it.each(EVENT_TYPES)(
    '%s: the sample record round-trips through the latest schema',
    (eventType: EventType) => {
      const type = parse(registeredSchema(eventType));
      const record = sampleEventRecord(eventType);
      expect(invalidPaths(type, record)).toEqual([]);
      expect(type.fromBuffer(type.toBuffer(record))).toEqual(record);
    },
  );

  it.each(EVENT_TYPES)('%s: random values round-trip through every version', (eventType) => {
    const definition = EVENTS[eventType];
    for (let version = 1; version <= definition.latestVersion; version++) {
      const type = parse(definition.versions[version]);
      for (let i = 0; i < 20; i++) {
        const value: unknown = type.random();
        expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
      }
    }
  });

  it('inlines exactly ENVELOPE_SCHEMA as the envelope of every version', () => {
    for (const eventType of EVENT_TYPES) {
      const { versions, latestVersion } = EVENTS[eventType];
      for (let version = 1; version <= latestVersion; version++) {
        const fields = (versions[version] as { fields: Array<{ name: string; type: unknown }> }).fields;
        expect(fields[0]).toEqual({ name: 'envelope', type: ENVELOPE_SCHEMA });
      }
    }
  });

  it('keeps occurredAt a plain number of epoch ms (no avsc logical types)', () => {
    const type = parse(registeredSchema('SmokeTested'));
    const record = sampleEventRecord('SmokeTested');
    const decoded = type.fromBuffer(type.toBuffer(record)) as typeof record;
    expect(typeof decoded.envelope.occurredAt).toBe('number');
    expect(decoded.data.sentAt).toBe(record.data.sentAt);
  });

  it('never uses float or double anywhere', () => {
    for (const eventType of EVENT_TYPES) {
      const json = JSON.stringify(EVENTS[eventType].versions);
      expect(json).not.toMatch(/"(float|double)"/);
    }
  });

  it('is frozen', () => {
    const schema = registeredSchema('DealWon') as { name: string };
    expect(Object.isFrozen(schema)).toBe(true);
    expect(() => {
      schema.name = 'Changed';
    }).toThrow(TypeError);
  });
});
