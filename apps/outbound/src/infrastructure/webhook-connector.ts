import { DeliveryOutcome, OutboundConnector, OutboundRequest } from '../application/outbound-connector';
import { WEBHOOK_HEADER, webhookSignature, WebhookSubscriber } from '../domain/webhook';
import { TargetHttpClient } from './target-http-client';

/**
 * POSTs an event to one subscriber, signed: `x-throughline-signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">` with `x-throughline-timestamp` (Unix seconds). The event id header lets
 * the subscriber drop duplicates on its side too.
 */
export class WebhookConnector implements OutboundConnector {
  readonly target: string;
  readonly ownerRole: WebhookSubscriber['ownerRole'];

  constructor(
    private readonly http: TargetHttpClient,
    private readonly subscriber: WebhookSubscriber,
    private readonly now: () => number = Date.now,
  ) {
    this.target = webhookTarget(subscriber);
    this.ownerRole = subscriber.ownerRole;
  }

  async send(request: OutboundRequest): Promise<DeliveryOutcome> {
    const body = JSON.stringify(request.payload);
    const timestamp = String(Math.floor(this.now() / 1_000));
    const response = await this.http.send({
      method: 'POST',
      url: this.subscriber.url,
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_HEADER.timestamp]: timestamp,
        [WEBHOOK_HEADER.signature]: webhookSignature(this.subscriber.secret, timestamp, body),
        [WEBHOOK_HEADER.eventId]: request.externalId,
        [WEBHOOK_HEADER.eventType]: request.entityType,
      },
      body,
    });
    if (response.outcome === 'delivered') return { kind: 'delivered' };
    return { kind: 'rejected', status: response.status, message: response.text.slice(0, 500) };
  }
}

export function webhookTarget(subscriber: Pick<WebhookSubscriber, 'name'>): string {
  return `webhook:${subscriber.name}`;
}
