import { createHmac } from 'node:crypto';

import { z } from 'zod';

import { EVENT_TYPES, EventType, EXCEPTION_OWNER_ROLES, ExceptionOwnerRole } from '@throughline/contracts';

/** One subscriber of the generic outbound webhook, as configured in OUTBOUND_WEBHOOKS (JSON). */
export const webhookSubscriberSchema = z.object({
  /** Names the subscriber in the call records, metrics and exceptions. */
  name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and "-" only'),
  url: z.string().url(),
  secret: z.string().min(16, 'at least 16 characters'),
  events: z.array(z.enum(EVENT_TYPES as unknown as [EventType, ...EventType[]])).min(1),
  /** Who is told when the subscriber refuses an event (4xx). */
  ownerRole: z
    .enum(EXCEPTION_OWNER_ROLES as unknown as [ExceptionOwnerRole, ...ExceptionOwnerRole[]])
    .default('DELIVERY'),
});

export type WebhookSubscriber = z.infer<typeof webhookSubscriberSchema>;

export const webhookSubscribersSchema = z
  .array(webhookSubscriberSchema)
  .refine((subscribers) => new Set(subscribers.map((s) => s.name)).size === subscribers.length, {
    message: 'subscriber names must be unique',
  });

export const WEBHOOK_HEADER = {
  signature: 'x-throughline-signature',
  timestamp: 'x-throughline-timestamp',
  eventId: 'x-throughline-event-id',
  eventType: 'x-throughline-event-type',
} as const;

/**
 * `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the subscriber's secret. Signing the
 * timestamp lets the subscriber refuse old (replayed) requests.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Subscribers that want events of this type. */
export function subscribersOf(
  subscribers: readonly WebhookSubscriber[],
  eventType: EventType,
): WebhookSubscriber[] {
  return subscribers.filter((subscriber) => subscriber.events.includes(eventType));
}

/** The event types at least one subscriber wants. */
export function subscribedEventTypes(subscribers: readonly WebhookSubscriber[]): EventType[] {
  return [...new Set(subscribers.flatMap((subscriber) => subscriber.events))];
}
