import { DeliveryOutcome, OutboundConnector, OutboundRequest } from '../application/outbound-connector';
import { TargetHttpClient } from './target-http-client';

export interface HubSpotConnectorConfig {
  apiUrl: string;
  accessToken: string;
}

/**
 * HubSpot CRM v3 objects API: a partial update of one deal (`PATCH /crm/v3/objects/deals/{dealId}`
 * with a SimplePublicObjectInput body). The payload is the deal's property values.
 */
export class HubSpotDealConnector implements OutboundConnector {
  readonly target = 'hubspot';
  readonly ownerRole = 'SALES_OPERATIONS';

  constructor(
    private readonly http: TargetHttpClient,
    private readonly config: HubSpotConnectorConfig,
  ) {}

  async send(request: OutboundRequest): Promise<DeliveryOutcome> {
    const response = await this.http.send({
      method: 'PATCH',
      url: `${this.config.apiUrl}/crm/v3/objects/deals/${encodeURIComponent(request.targetRecordId)}`,
      headers: {
        authorization: `Bearer ${this.config.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ properties: request.payload }),
    });
    if (response.outcome === 'delivered') return { kind: 'delivered' };
    return { kind: 'rejected', status: response.status, message: hubSpotErrorMessage(response.text) };
  }
}

/** HubSpot's error body (`{ status, message, category, errors: [{ message }] }`) as one line. */
export function hubSpotErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {
      message?: unknown;
      category?: unknown;
      errors?: { message?: unknown }[];
    };
    const details = (body.errors ?? []).map((error) => String(error.message)).filter(Boolean);
    const head = [body.category, body.message].filter((part) => typeof part === 'string').join(': ');
    return [head, ...details].filter(Boolean).join('; ') || text.slice(0, 500);
  } catch {
    return text.slice(0, 500);
  }
}
