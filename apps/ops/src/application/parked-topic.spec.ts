import { consumerTopicConfig, consumerTopicKind, deadLetterTopic } from '@throughline/messaging';

import { parkedTopicFor } from '../domain/dlq-topics';

describe('parked dead letters in the catalog', () => {
  it('names the topic park writes to as the catalog pattern does, and gives it the catalog settings', () => {
    const parked = parkedTopicFor(deadLetterTopic('throughline.billing.invoice-issued', 'throughline.reporting'));
    expect(parked).toBe('throughline.billing.invoice-issued.throughline.reporting.dlq.parked');
    expect(consumerTopicKind(parked)).toBe('parked');
    expect(consumerTopicConfig(parked)).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
  });
});
