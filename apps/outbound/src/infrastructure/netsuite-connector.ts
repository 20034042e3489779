import { DeliveryOutcome, OutboundConnector, OutboundRequest } from '../application/outbound-connector';
import { netSuiteAuthorization, NetSuiteTokenCredentials } from '../domain/netsuite-oauth';
import { NETSUITE_ENTITY } from '../domain/netsuite-records';
import { TargetHttpClient } from './target-http-client';

export interface NetSuiteConnectorConfig extends NetSuiteTokenCredentials {
  /** `https://<account>.suitetalk.api.netsuite.com`, a sandbox account or the stub. */
  apiUrl: string;
}

const RECORD_API = '/services/rest/record/v1';

/**
 * NetSuite REST web services, record API v1, signed with token-based authentication:
 * - Customer: `PUT /customer/eid:<customerId>`, the upsert by external id;
 * - Project: `PUT /job/eid:<projectId>`, likewise;
 * - Invoice: `POST /invoice` with `X-NetSuite-Idempotency-Key` (the request's `idempotencyKey`), so
 *   NetSuite creates one invoice however often the call is repeated.
 * NetSuite answers 204 with a Location header naming the record's internal id, which becomes the
 * outbound_call's target record id.
 */
export class NetSuiteConnector implements OutboundConnector {
  readonly target = 'netsuite';
  readonly ownerRole = 'FINANCE_OPERATIONS';

  constructor(
    private readonly http: TargetHttpClient,
    private readonly config: NetSuiteConnectorConfig,
  ) {}

  async send(request: OutboundRequest): Promise<DeliveryOutcome> {
    const { method, url, headers } = this.call(request);
    const body = JSON.stringify(request.payload);
    const response = await this.http.send({
      method,
      url,
      headers: () => ({
        ...headers,
        authorization: netSuiteAuthorization(this.config, { method, url }),
        'content-type': 'application/json',
      }),
      body,
    });
    if (response.outcome === 'delivered') {
      const internalId = response.location ? /\/([^/]+)$/.exec(response.location)?.[1] : undefined;
      return { kind: 'delivered', ...(internalId ? { targetRecordId: internalId } : {}) };
    }
    return { kind: 'rejected', status: response.status, message: netSuiteErrorMessage(response.text) };
  }

  private call(request: OutboundRequest): {
    method: 'PUT' | 'POST';
    url: string;
    headers: Record<string, string>;
  } {
    const base = `${this.config.apiUrl}${RECORD_API}`;
    switch (request.entityType) {
      case NETSUITE_ENTITY.customer:
        return {
          method: 'PUT',
          url: `${base}/customer/eid:${encodeURIComponent(request.externalId)}`,
          headers: {},
        };
      case NETSUITE_ENTITY.project:
        return {
          method: 'PUT',
          url: `${base}/job/eid:${encodeURIComponent(request.externalId)}`,
          headers: {},
        };
      case NETSUITE_ENTITY.invoice:
        if (!request.idempotencyKey) throw new Error(`invoice ${request.externalId} has no idempotency key`);
        return {
          method: 'POST',
          url: `${base}/invoice`,
          headers: { 'x-netsuite-idempotency-key': request.idempotencyKey },
        };
      default:
        throw new Error(`the NetSuite connector does not write ${request.entityType} records`);
    }
  }
}

/**
 * NetSuite's error body (`{ type, title, status, "o:errorDetails": [{ detail, "o:errorCode" }] }`)
 * as one line: `USER_ERROR: Invalid ... ; ...`.
 */
export function netSuiteErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as {
      title?: unknown;
      'o:errorDetails'?: { detail?: unknown; 'o:errorCode'?: unknown }[];
    };
    const details = (body['o:errorDetails'] ?? []).map((error) =>
      [error['o:errorCode'], error.detail].filter((part) => typeof part === 'string').join(': '),
    );
    const parts = details.filter(Boolean);
    if (parts.length === 0 && typeof body.title === 'string') parts.push(body.title);
    return parts.join('; ') || text.slice(0, 500);
  } catch {
    return text.slice(0, 500);
  }
}
