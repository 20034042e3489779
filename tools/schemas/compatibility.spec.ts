import { checkBackwardCompatible } from './compatibility';
import { parseAvro } from './schema-set';

const line = (amount: unknown) => ({
  type: 'array',
  items: { type: 'record', name: 'Line', fields: [{ name: 'amountMinor', type: amount }] },
});
const base = [
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
  { name: 'lines', type: line('long') },
  { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['OPEN', 'CLOSED'] } },
  { name: 'count', type: 'int' },
];
const event = (fields: unknown[]) =>
  parseAvro({
    type: 'record',
    name: 'ThingEvent',
    namespace: 'dev.throughline.test',
    fields: [{ name: 'data', type: { type: 'record', name: 'Thing', fields } }],
  });
const replace = (name: string, field: unknown) => base.map((f) => (f.name === name ? field : f));

describe('checkBackwardCompatible (new reader, old writer)', () => {
  it.each([
    [
      'an optional field with default null',
      [...base, { name: 'extra', type: ['null', 'string'], default: null }],
    ],
    ['a removed field', base.slice(1)],
    ['an int widened to long', replace('count', { name: 'count', type: 'long' })],
    [
      'a new enum symbol',
      replace('status', {
        name: 'status',
        type: { type: 'enum', name: 'Status', symbols: ['OPEN', 'CLOSED', 'VOID'] },
      }),
    ],
  ])('accepts %s', (_name, fields) => {
    expect(checkBackwardCompatible(event(fields), event(base))).toEqual({ compatible: true });
  });

  it.each([
    [
      'a required field without default',
      [...base, { name: 'extra', type: 'string' }],
      'data.extra: field added without a default value',
    ],
    [
      'a changed type',
      replace('id', { name: 'id', type: 'long' }),
      'data.id: type changed from string to long',
    ],
    [
      'a changed nested type',
      replace('lines', { name: 'lines', type: line('string') }),
      'data.lines[].amountMinor: type changed from long to string',
    ],
    [
      'an optional field made required',
      replace('note', { name: 'note', type: 'string' }),
      'data.note: changed from ["null", "string"] to string; old data holding null',
    ],
    [
      'a removed enum symbol',
      replace('status', { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['OPEN'] } }),
      'data.status: enum dev.throughline.test.Status removed symbol(s) CLOSED',
    ],
    [
      'a narrowed number',
      replace('count', { name: 'count', type: 'string' }),
      'data.count: type changed from int to string',
    ],
  ])('rejects %s, saying where and what', (_name, fields, reason) => {
    const result = checkBackwardCompatible(event(fields), event(base));
    expect(result.compatible).toBe(false);
    expect(result.compatible === false && result.reason).toContain(reason);
  });
});
