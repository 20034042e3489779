import { envelopeFields, InspectedDeadLetter, toMessageView } from './dead-letter';

const message: InspectedDeadLetter = {
  topic: 'x.dlq',
  partition: 2,
  offset: 5,
  timestamp: Date.parse('2026-03-01T10:00:00Z'),
  key: Buffer.from('deal-1'),
  value: Buffer.from('garbage'),
  headers: { a: Buffer.from('1') },
  headerStrings: { a: '1' },
  decoded: { ok: false, reason: 'not Avro' },
};

describe('envelopeFields', () => {
  it('reads eventId, eventType and correlationId from a decoded event', () => {
    expect(
      envelopeFields({
        ok: true,
        schemaId: 1,
        json: {
          envelope: { eventId: 'e-1', eventType: 'DealWon', correlationId: 'c-1', occurredAt: 5 },
          data: {},
        },
      }),
    ).toEqual({ eventId: 'e-1', eventType: 'DealWon', correlationId: 'c-1' });
  });

  it('is empty for undecodable values and values that are not events', () => {
    expect(envelopeFields({ ok: false, reason: 'x' })).toEqual({});
    expect(envelopeFields({ ok: true, schemaId: 1, json: 'text' })).toEqual({});
    expect(envelopeFields({ ok: true, schemaId: 1, json: { envelope: { eventId: 7 } } })).toEqual({});
  });
});

describe('toMessageView', () => {
  it('shows undecodable values as base64 with the reason', () => {
    expect(toMessageView(message)).toEqual({
      topic: 'x.dlq',
      partition: 2,
      offset: 5,
      timestamp: '2026-03-01T10:00:00.000Z',
      key: 'deal-1',
      headers: { a: '1' },
      schemaId: null,
      value: null,
      undecodable: { reason: 'not Avro', base64: Buffer.from('garbage').toString('base64') },
    });
  });

  it('shows decoded values with their schema id', () => {
    const view = toMessageView({ ...message, key: null, decoded: { ok: true, schemaId: 9, json: { a: 1 } } });
    expect(view).toMatchObject({ key: null, schemaId: 9, value: { a: 1 } });
    expect(view.undecodable).toBeUndefined();
  });
});
