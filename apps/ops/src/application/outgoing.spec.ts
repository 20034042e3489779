import { deadLetterTopic, DLQ_HEADER, RETRY_HEADER } from '@throughline/messaging';

import { InspectedDeadLetter } from '../domain/dead-letter';
import { parseDlqTopic } from '../domain/dlq-topics';
import { originalHeaders, parkedCopy, PARKED_HEADER, replayToGroup, replayToOriginal } from './outgoing';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const headers = {
  traceparent: Buffer.from(traceparent),
  [DLQ_HEADER.topic]: Buffer.from('src'),
  [DLQ_HEADER.partition]: Buffer.from('2'),
  [DLQ_HEADER.offset]: Buffer.from('41'),
  [DLQ_HEADER.group]: Buffer.from('throughline.contract'),
  [DLQ_HEADER.errorClass]: Buffer.from('PoisonMessageError'),
  [RETRY_HEADER.attempt]: Buffer.from('3'),
  'tl-correlation-id': Buffer.from('corr-1'),
};
const message: InspectedDeadLetter = {
  topic: 'src.throughline.contract.dlq',
  partition: 1,
  offset: 7,
  timestamp: 0,
  key: Buffer.from('deal-1'),
  value: Buffer.from([0, 0, 0, 0, 5, 1, 2]),
  headers,
  headerStrings: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.toString()])),
  decoded: { ok: false, reason: 'test' },
};

describe('messages built from dead letters', () => {
  it('drops dead-letter, retry and correlation headers, keeps the rest as bytes', () => {
    expect(originalHeaders(headers)).toEqual({ traceparent: Buffer.from(traceparent) });
  });

  it('replays to the original topic with the original key, value and headers', () => {
    expect(replayToOriginal(message, 'src')).toEqual({
      topic: 'src',
      key: message.key,
      value: message.value,
      headers: { traceparent: Buffer.from(traceparent) },
    });
  });

  it('replays to a retry topic due now, as not yet retried, with its provenance', () => {
    expect(replayToGroup(message, 'src.throughline.contract.retry.1', 1_234)).toEqual({
      topic: 'src.throughline.contract.retry.1',
      key: message.key,
      value: message.value,
      headers: {
        traceparent: Buffer.from(traceparent),
        [RETRY_HEADER.originalTopic]: 'src',
        [RETRY_HEADER.originalPartition]: '2',
        [RETRY_HEADER.originalOffset]: '41',
        [RETRY_HEADER.attempt]: '0',
        [RETRY_HEADER.notBefore]: '1234',
      },
    });
  });

  it('parks a byte-for-byte copy with every header plus who, when, why and where from', () => {
    const copy = parkedCopy(message, 'x.parked', {
      actor: 'alice',
      reason: 'bad data',
      now: Date.parse('2026-03-01T00:00:00Z'),
    });
    expect(copy.value).toBe(message.value);
    expect(copy.key).toBe(message.key);
    expect(copy.headers).toEqual({
      ...headers,
      [PARKED_HEADER.at]: '2026-03-01T00:00:00.000Z',
      [PARKED_HEADER.by]: 'alice',
      [PARKED_HEADER.reason]: 'bad data',
      [PARKED_HEADER.fromTopic]: message.topic,
      [PARKED_HEADER.fromPartition]: '1',
      [PARKED_HEADER.fromOffset]: '7',
    });
    expect(originalHeaders(copy.headers)).toEqual({ traceparent: Buffer.from(traceparent) });
  });

  it('parses the names the messaging lib gives dead-letter topics', () => {
    const name = deadLetterTopic('test.ab.throughline.deal.deal-won', 'test.ab.throughline.contract');
    expect(parseDlqTopic(name, { prefix: 'test.ab.', catalogTopics: ['throughline.deal.deal-won'] })).toEqual(
      {
        sourceTopic: 'test.ab.throughline.deal.deal-won',
        group: 'test.ab.throughline.contract',
      },
    );
  });
});
