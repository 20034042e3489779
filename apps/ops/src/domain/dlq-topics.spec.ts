import { UsageError } from './errors';
import { assertDlqTopic, isDlqTopic, isParkedTopic, parkedTopicFor, parseDlqTopic } from './dlq-topics';

const catalogTopics = [
  'throughline.deal.deal-won',
  'throughline.deal.deal-won.v2',
  'throughline.tools.smoke-tested',
];

describe('dead-letter topic names', () => {
  it('recognises dead-letter and parked topics', () => {
    expect(isDlqTopic('a.b.dlq')).toBe(true);
    expect(isDlqTopic('.dlq')).toBe(false);
    expect(isDlqTopic('a.b.dlq.parked')).toBe(false);
    expect(isParkedTopic(parkedTopicFor('a.b.dlq'))).toBe(true);
    expect(parkedTopicFor('a.b.dlq')).toBe('a.b.dlq.parked');
  });

  it('splits source topic and group by the catalog, preferring the longest source', () => {
    expect(
      parseDlqTopic('throughline.deal.deal-won.throughline.contract.dlq', { prefix: '', catalogTopics }),
    ).toEqual({ sourceTopic: 'throughline.deal.deal-won', group: 'throughline.contract' });
    expect(
      parseDlqTopic('throughline.deal.deal-won.v2.throughline.contract.dlq', { prefix: '', catalogTopics }),
    ).toEqual({ sourceTopic: 'throughline.deal.deal-won.v2', group: 'throughline.contract' });
  });

  it('keeps environment prefixes with the source and the group, also for parked topics', () => {
    const name = 'test.ab12.throughline.deal.deal-won.test.ab12.throughline.staffing.dlq.parked';
    const expected = {
      sourceTopic: 'test.ab12.throughline.deal.deal-won',
      group: 'test.ab12.throughline.staffing',
    };
    expect(parseDlqTopic(name, { prefix: 'test.ab12.', catalogTopics })).toEqual(expected);
    // With no TOPIC_PREFIX, every environment's topics are listed and still split correctly.
    expect(parseDlqTopic(name, { prefix: '', catalogTopics })).toEqual(expected);
  });

  it('splits unconventional groups of catalog topics', () => {
    expect(
      parseDlqTopic('test.ab12.throughline.tools.smoke-tested.test-ab12-poison.dlq', {
        prefix: '',
        catalogTopics,
      }),
    ).toEqual({ sourceTopic: 'test.ab12.throughline.tools.smoke-tested', group: 'test-ab12-poison' });
  });

  it('falls back to the group naming convention for topics outside the catalog', () => {
    expect(parseDlqTopic('legacy.orders.p.throughline.billing.dlq', { prefix: 'p.', catalogTopics })).toEqual(
      {
        sourceTopic: 'legacy.orders',
        group: 'p.throughline.billing',
      },
    );
    expect(parseDlqTopic('legacy.orders.some-group.dlq', { prefix: '', catalogTopics })).toBeUndefined();
    expect(parseDlqTopic('not-a-dlq', { prefix: '', catalogTopics })).toBeUndefined();
  });

  it('accepts only dead-letter topics under the prefix as arguments', () => {
    expect(() => assertDlqTopic('x.dlq', { prefix: '', allowParked: false }, 'dlq park')).not.toThrow();
    expect(() => assertDlqTopic('x.dlq.parked', { prefix: '', allowParked: true }, 'dlq show')).not.toThrow();
    expect(() => assertDlqTopic('x.dlq.parked', { prefix: '', allowParked: false }, 'dlq park')).toThrow(
      UsageError,
    );
    expect(() => assertDlqTopic('x.retry.1', { prefix: '', allowParked: true }, 'dlq show')).toThrow(
      '"x.retry.1" is not a dead-letter topic',
    );
    expect(() => assertDlqTopic('x.dlq', { prefix: 'prod.', allowParked: true }, 'dlq show')).toThrow(
      'not under TOPIC_PREFIX "prod."',
    );
  });
});
