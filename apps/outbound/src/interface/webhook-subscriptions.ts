import { EventType } from '@throughline/contracts';
import { EventConsumer } from '@throughline/messaging';
import { Logger } from '@throughline/messaging-nest';

import { WebhookFanout } from '../application/webhook-fanout';
import { HANDLED_EVENT_TYPES } from './outbound.handlers';

export const WEBHOOK_SUBSCRIPTIONS = Symbol('WEBHOOK_SUBSCRIPTIONS');

/**
 * Subscribes the consumer to the event types webhook subscribers want beyond those OutboundHandlers
 * declares (the subscriber list is configuration, so these cannot be static @EventPattern methods).
 * Must run before the Kafka transport starts the consumer: it is called from a provider factory,
 * which Nest runs when it creates the application (lifecycle hooks run only after the transport
 * has started listening). Returns the event types it subscribed.
 */
export function subscribeWebhookEvents(
  consumer: EventConsumer,
  webhooks: WebhookFanout,
  logger: Logger,
  eventTypes: readonly EventType[],
): EventType[] {
  const extra = eventTypes.filter(
    (eventType) => !(HANDLED_EVENT_TYPES as readonly string[]).includes(eventType),
  );
  for (const eventType of extra) {
    consumer.on(eventType, async (event) => {
      logger.info(
        { eventId: event.envelope.eventId, correlationId: event.envelope.correlationId },
        eventType,
      );
      await webhooks.publish(event);
    });
  }
  return extra;
}
