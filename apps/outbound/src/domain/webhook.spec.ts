import { createHmac } from 'node:crypto';

import { subscribedEventTypes, subscribersOf, webhookSignature, webhookSubscribersSchema } from './webhook';

describe('webhook subscribers', () => {
  const subscribers = webhookSubscribersSchema.parse([
    { name: 'bi', url: 'https://bi.example/hook', secret: 's'.repeat(16), events: ['InvoiceIssued'] },
    {
      name: 'chat',
      url: 'https://chat.example/hook',
      secret: 't'.repeat(16),
      events: ['InvoiceIssued', 'ProjectCreated'],
      ownerRole: 'FINANCE_OPERATIONS',
    },
  ]);

  it('filters subscribers per event type', () => {
    expect(subscribersOf(subscribers, 'ProjectCreated').map((s) => s.name)).toEqual(['chat']);
    expect(subscribersOf(subscribers, 'InvoiceIssued').map((s) => s.name)).toEqual(['bi', 'chat']);
    expect(subscribersOf(subscribers, 'DealWon')).toEqual([]);
    expect(subscribedEventTypes(subscribers)).toEqual(['InvoiceIssued', 'ProjectCreated']);
    expect(subscribers[0]?.ownerRole).toBe('DELIVERY');
  });

  it('refuses unknown event types, short secrets and duplicate names', () => {
    const one = {
      name: 'bi',
      url: 'https://bi.example/hook',
      secret: 's'.repeat(16),
      events: ['InvoiceIssued'],
    };
    expect(webhookSubscribersSchema.safeParse([{ ...one, events: ['NoSuchEvent'] }]).success).toBe(false);
    expect(webhookSubscribersSchema.safeParse([{ ...one, secret: 'short' }]).success).toBe(false);
    expect(webhookSubscribersSchema.safeParse([one, one]).success).toBe(false);
  });
});

describe('webhookSignature', () => {
  it('is v1= and the HMAC-SHA256 of timestamp.body', () => {
    const expected = createHmac('sha256', 'secret-of-16-chars').update('1764849600.{"a":1}').digest('hex');
    expect(webhookSignature('secret-of-16-chars', '1764849600', '{"a":1}')).toBe(`v1=${expected}`);
    expect(webhookSignature('secret-of-16-chars', '1764849601', '{"a":1}')).not.toBe(`v1=${expected}`);
  });
});
