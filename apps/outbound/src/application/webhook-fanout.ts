import { Inject, Injectable } from '@nestjs/common';

import { ConsumedEvent } from '@throughline/messaging';

import { OutboundConnector } from './outbound-connector';
import { OutboundDelivery } from './outbound-delivery';

export interface WebhookRoute {
  connector: OutboundConnector;
  events: readonly string[];
}

export const WEBHOOK_ROUTES = Symbol('WEBHOOK_ROUTES');

/**
 * Sends each event to the webhook subscribers whose filter includes its type, once per subscriber
 * and event: a subscriber that already took the event is skipped when another one fails and the
 * event is retried.
 */
@Injectable()
export class WebhookFanout {
  constructor(
    private readonly delivery: OutboundDelivery,
    @Inject(WEBHOOK_ROUTES) private readonly routes: readonly WebhookRoute[],
  ) {}

  wants(eventType: string): boolean {
    return this.routes.some((route) => route.events.includes(eventType));
  }

  async publish(event: ConsumedEvent): Promise<void> {
    const { envelope, data } = event;
    const dealId = (data as { dealId?: unknown }).dealId;
    for (const route of this.routes.filter((candidate) => candidate.events.includes(envelope.eventType))) {
      await this.delivery.deliver(
        route.connector,
        event,
        async () => ({
          request: {
            entityType: envelope.eventType,
            externalId: envelope.eventId,
            targetRecordId: envelope.eventId,
            payload: {
              eventId: envelope.eventId,
              eventType: envelope.eventType,
              occurredAt: new Date(envelope.occurredAt).toISOString(),
              correlationId: envelope.correlationId,
              data,
            },
          },
          dealId: typeof dealId === 'string' ? dealId : null,
          remediation: `Ask the owner of ${route.connector.target} why it refuses ${envelope.eventType} events, then replay the event with the ops CLI`,
        }),
        envelope.eventId,
      );
    }
  }
}
