import { z } from 'zod';

import { ThroughlineError } from '@throughline/platform';

import {
  HUBSPOT_COMPANY_PROPERTIES,
  HUBSPOT_DEAL_PROPERTIES,
  HUBSPOT_LINE_ITEM_PROPERTIES,
  HubSpotObject,
} from '../../domain/hubspot';
import { TokenBucket } from '../token-bucket';

/**
 * A failed HubSpot API call. Retriable: network errors, timeouts, 429, 5xx, and 401/403 (a token
 * problem an operator fixes without the delivery being lost). Not retriable: 404 and other 4xx.
 */
export class HubSpotApiError extends ThroughlineError {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status: number | null,
    /** From Retry-After on a 429, when given. */
    readonly retryAfterMs = 0,
    options: { cause?: unknown } = {},
  ) {
    super(message, { ...options, context: { status } });
  }
}

export interface HubSpotClientOptions {
  apiUrl: string;
  accessToken: string;
  requestsPerSecond: number;
  timeoutMs: number;
}

const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const objectSchema = z.object({
  id,
  properties: z.record(z.string().nullable().optional()),
  associations: z.record(z.object({ results: z.array(z.object({ id, type: z.string() })) })).optional(),
});
const batchSchema = z.object({ results: z.array(objectSchema) });

const BATCH_READ_LIMIT = 100;

/** The three HubSpot CRM v3 calls ingress needs, rate-limited with a token bucket. */
export class HubSpotCrmClient {
  private readonly bucket: TokenBucket;
  private readonly baseUrl: string;

  constructor(private readonly options: HubSpotClientOptions) {
    this.bucket = new TokenBucket(options.requestsPerSecond);
    this.baseUrl = options.apiUrl.replace(/\/+$/, '');
  }

  async getDeal(dealId: string): Promise<HubSpotObject> {
    const query = new URLSearchParams({
      properties: HUBSPOT_DEAL_PROPERTIES.join(','),
      associations: 'line_items,companies',
    });
    const body = await this.call(
      'GET',
      `/crm/v3/objects/deals/${encodeURIComponent(dealId)}?${query}`,
      `deal ${dealId}`,
    );
    return this.parse(objectSchema, body, `deal ${dealId}`);
  }

  async getCompany(companyId: string): Promise<HubSpotObject> {
    const query = new URLSearchParams({ properties: HUBSPOT_COMPANY_PROPERTIES.join(',') });
    const body = await this.call(
      'GET',
      `/crm/v3/objects/companies/${encodeURIComponent(companyId)}?${query}`,
      `company ${companyId}`,
    );
    return this.parse(objectSchema, body, `company ${companyId}`);
  }

  /** Line items by id; ids HubSpot does not know are simply absent from the result. */
  async batchReadLineItems(ids: readonly string[]): Promise<HubSpotObject[]> {
    const results: HubSpotObject[] = [];
    for (let start = 0; start < ids.length; start += BATCH_READ_LIMIT) {
      const chunk = ids.slice(start, start + BATCH_READ_LIMIT);
      const body = await this.call(
        'POST',
        '/crm/v3/objects/line_items/batch/read',
        `line items ${chunk.join(', ')}`,
        {
          inputs: chunk.map((lineItemId) => ({ id: lineItemId })),
          properties: [...HUBSPOT_LINE_ITEM_PROPERTIES],
        },
      );
      results.push(...this.parse(batchSchema, body, 'line items batch read').results);
    }
    return results;
  }

  private async call(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<unknown> {
    await this.bucket.take();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new HubSpotApiError(
        `HubSpot API unreachable reading ${what}: ${(error as Error).message}`,
        true,
        null,
        0,
        {
          cause: error,
        },
      );
    }
    const text = await response.text().catch(() => '');
    if (response.status === 404) {
      throw new HubSpotApiError(`HubSpot ${what} was not found (404)`, false, 404);
    }
    if (!response.ok) {
      const status = response.status;
      const retriable = status === 429 || status >= 500 || status === 401 || status === 403;
      const detail = hubSpotMessage(text);
      throw new HubSpotApiError(
        `HubSpot API answered ${status} reading ${what}${detail ? `: ${detail}` : ''}`,
        retriable,
        status,
        status === 429 ? retryAfterMs(response.headers.get('retry-after')) : 0,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HubSpotApiError(
        `HubSpot API answered ${what} with a body that is not JSON`,
        true,
        response.status,
        0,
        {
          cause: error,
        },
      );
    }
  }

  private parse<S extends z.ZodTypeAny>(schema: S, body: unknown, what: string): z.infer<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new HubSpotApiError(
      `HubSpot API answered ${what} in an unexpected shape (${issue?.path.join('.') || '(body)'}: ${issue?.message})`,
      true,
      200,
    );
  }
}

function hubSpotMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; category?: unknown };
    return [parsed.category, parsed.message].filter((part) => typeof part === 'string').join(' ');
  } catch {
    return '';
  }
}

function retryAfterMs(header: string | null): number {
  if (!header) return 0;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 0 : Math.max(0, date - Date.now());
}
