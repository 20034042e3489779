import * as avro from 'avsc';

import { EVENTS, EVENT_TYPES } from '../generated/catalog';
import type { DealWon, DealWonV1 } from '../generated/payloads';
import { SAMPLE_PAYLOADS, sampleEventRecord } from '../testing';

import type { EventEnvelope, EventRecord } from './types';

const parse = (schema: object): avro.Type =>
  avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });

const dealWonV1 = parse(EVENTS.DealWon.versions[1]);
const dealWonV2 = parse(EVENTS.DealWon.versions[2]);

function v1Record(): { envelope: EventEnvelope; data: DealWonV1 } {
  const { salesOwnerEmail: _dropped, ...v1 } = SAMPLE_PAYLOADS.DealWon;
  const record = sampleEventRecord('DealWon', { envelope: { schemaVersion: 1 } });
  return { envelope: record.envelope, data: v1 };
}

describe('DealWon schema evolution', () => {
  it('has v1 and v2, v2 being the latest', () => {
    expect(EVENTS.DealWon.latestVersion).toBe(2);
    expect(Object.keys(EVENTS.DealWon.versions)).toEqual(['1', '2']);
  });

  it('v2 (reader) reads data written with v1: the new optional field takes its default', () => {
    const written = dealWonV1.toBuffer(v1Record());
    const read = dealWonV2.fromBuffer(written, dealWonV2.createResolver(dealWonV1)) as EventRecord<'DealWon'>;
    const expected: DealWon = { ...v1Record().data, salesOwnerEmail: null };
    expect(read.data).toEqual(expected);
    expect(read.envelope).toEqual(v1Record().envelope);
  });

  it('v1 (reader) reads data written with v2: the new field is skipped', () => {
    const record = sampleEventRecord('DealWon');
    expect(record.data.salesOwnerEmail).not.toBeNull();
    const written = dealWonV2.toBuffer(record);
    const read = dealWonV1.fromBuffer(written, dealWonV1.createResolver(dealWonV2)) as { data: DealWonV1 };
    expect(read.data).toEqual(v1Record().data);
    expect(read.data).not.toHaveProperty('salesOwnerEmail');
  });

  it('every later version of every event reads random data written with the previous one', () => {
    for (const eventType of EVENT_TYPES) {
      const { versions, latestVersion } = EVENTS[eventType];
      for (let version = 2; version <= latestVersion; version++) {
        const writer = parse(versions[version - 1]);
        const reader = parse(versions[version]);
        const resolver = reader.createResolver(writer);
        for (let i = 0; i < 20; i++) {
          const decoded: unknown = reader.fromBuffer(writer.toBuffer(writer.random()), resolver);
          expect(reader.isValid(decoded)).toBe(true);
        }
      }
    }
  });
});
