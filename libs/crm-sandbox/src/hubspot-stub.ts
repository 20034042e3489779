import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import {
  HUBSPOT_DEALS_SPEC_FILE,
  loadVendorSpec,
  OpenApiDocument,
  requestBodySchema,
  validateSchema,
} from './openapi';
import { hubSpotSenderSignature } from './signing';

type Properties = Record<string, string | null>;

export interface HubSpotStubDeal {
  properties: Properties;
  lineItemIds?: string[];
  /** The first is the primary company (association type `deal_to_company`). */
  companyIds?: string[];
}

export interface HubSpotStubData {
  deals: Record<string, HubSpotStubDeal>;
  companies: Record<string, Properties>;
  lineItems: Record<string, Properties>;
  /**
   * Deal properties defined in the portal (standard ones and the custom ones an admin created); a
   * PATCH naming any other property is refused as HubSpot does (PROPERTY_DOESNT_EXIST). Default:
   * DEFAULT_DEAL_PROPERTIES.
   */
  dealProperties?: string[];
}

/** Standard deal properties, and the custom ones Throughline's outbound write-back sets. */
export const DEFAULT_DEAL_PROPERTIES = [
  'dealname',
  'amount',
  'closedate',
  'dealstage',
  'pipeline',
  'hubspot_owner_id',
  'deal_currency_code',
  'description',
  'throughline_project_ids',
  'throughline_setup_status',
  'throughline_invoiced_to_date',
];

/** Properties HubSpot maintains itself; setting them is refused (READ_ONLY_VALUE). */
const READ_ONLY_DEAL_PROPERTIES = new Set(['hs_object_id', 'createdate', 'hs_lastmodifieddate']);

export interface HubSpotStubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorized: boolean;
  /** Epoch ms when the stub received it. */
  receivedAt: number;
}

export interface HubSpotStub {
  url: string;
  accessToken: string;
  /** The data served; tests and the demo may add or change records while it runs. */
  data: HubSpotStubData;
  requests: HubSpotStubRequest[];
  /** The next `times` requests (whose path starts with `pathPrefix`, if given) answer `status`. */
  failNext(options: {
    status: number;
    times?: number;
    pathPrefix?: string;
    retryAfterSeconds?: number;
  }): void;
  close(): Promise<void>;
}

const DEFAULT_PROPERTIES = ['hs_object_id', 'createdate', 'hs_lastmodifieddate'];
/** The deal update operation as HubSpot's published description names it (0-3 is the deal type). */
const PATCH_DEAL_PATH = '/crm/v3/objects/0-3/{dealId}';
let dealsSpec: OpenApiDocument | undefined;
const CREATED_AT = '2026-01-05T09:00:00.000Z';

/**
 * A local stand-in for HubSpot's CRM v3 API, answering the three calls ingress makes with
 * HubSpot's documented shapes: deals (with associations), companies, and the line item batch read
 * (207 with OBJECT_NOT_FOUND errors for unknown ids). Checks the Bearer token; 404 for unknown ids.
 * It also takes the deal update outbound makes (PATCH), whose body it validates against HubSpot's
 * published OpenAPI description (vendor/hubspot/crm-deals-v3.json).
 */
export async function startHubSpotStub(
  data: Partial<HubSpotStubData> & { accessToken?: string } = {},
): Promise<HubSpotStub> {
  const accessToken = data.accessToken ?? 'dev-hubspot-access-token';
  const store: HubSpotStubData = {
    deals: data.deals ?? {},
    companies: data.companies ?? {},
    lineItems: data.lineItems ?? {},
    dealProperties: data.dealProperties ?? [...DEFAULT_DEAL_PROPERTIES],
  };
  const requests: HubSpotStubRequest[] = [];
  const failures: { status: number; remaining: number; pathPrefix?: string; retryAfterSeconds?: number }[] =
    [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((failure: unknown) =>
      send(res, 500, stubError(`stub failure: ${String(failure)}`)),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const text = await readText(req);
    const authorized = req.headers.authorization === `Bearer ${accessToken}`;
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? safeJson(text) : undefined,
      authorized,
      receivedAt: Date.now(),
    });
    if (!authorized) {
      send(res, 401, {
        status: 'error',
        message: 'Authentication credentials not found.',
        correlationId: randomUUID(),
        category: 'INVALID_AUTHENTICATION',
      });
      return;
    }
    const failure = failures.find(
      (candidate) => !candidate.pathPrefix || url.pathname.startsWith(candidate.pathPrefix),
    );
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.splice(failures.indexOf(failure), 1);
      if (failure.retryAfterSeconds !== undefined)
        res.setHeader('retry-after', String(failure.retryAfterSeconds));
      send(res, failure.status, {
        status: 'error',
        message: failure.status === 429 ? 'You have reached your secondly limit.' : 'internal error',
        correlationId: randomUUID(),
        category: failure.status === 429 ? 'RATE_LIMITS' : 'INTERNAL_ERROR',
      });
      return;
    }

    const properties = (url.searchParams.get('properties') ?? '').split(',').filter(Boolean);
    let match = /^\/crm\/v3\/objects\/deals\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const id = decodeURIComponent(match[1]);
      const deal = store.deals[id];
      if (!deal) return send(res, 404, notFound('deal', id));
      const associations: Record<string, { results: { id: string; type: string }[] }> = {};
      const wanted = (url.searchParams.get('associations') ?? '').split(',');
      // HubSpot names this key "line items" (with a space) in responses.
      if (wanted.includes('line_items') && deal.lineItemIds?.length) {
        associations['line items'] = {
          results: deal.lineItemIds.map((lineItemId) => ({ id: lineItemId, type: 'deal_to_line_item' })),
        };
      }
      if (wanted.includes('companies') && deal.companyIds?.length) {
        associations['companies'] = {
          results: deal.companyIds.map((companyId, index) => ({
            id: companyId,
            type: index === 0 ? 'deal_to_company' : 'deal_to_company_unlabeled',
          })),
        };
      }
      return send(res, 200, {
        ...crmObject(id, deal.properties, properties),
        ...(Object.keys(associations).length > 0 ? { associations } : {}),
      });
    }
    match = /^\/crm\/v3\/objects\/(?:deals|0-3)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PATCH' && match?.[1]) return updateDeal(res, decodeURIComponent(match[1]), text);
    match = /^\/crm\/v3\/objects\/companies\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1]) {
      const id = decodeURIComponent(match[1]);
      const company = store.companies[id];
      if (!company) return send(res, 404, notFound('company', id));
      return send(res, 200, crmObject(id, company, properties));
    }
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/line_items/batch/read') {
      const body = safeJson(text) as { inputs?: { id?: string }[]; properties?: string[] } | undefined;
      if (!body || !Array.isArray(body.inputs)) {
        return send(res, 400, {
          status: 'error',
          message: 'Invalid input JSON',
          category: 'VALIDATION_ERROR',
        });
      }
      const ids = body.inputs.map((input) => String(input.id));
      const found = ids.filter((id) => store.lineItems[id]);
      const missing = ids.filter((id) => !store.lineItems[id]);
      const results = found.map((id) => crmObject(id, store.lineItems[id] ?? {}, body.properties ?? []));
      const now = new Date().toISOString();
      if (missing.length === 0)
        return send(res, 200, { status: 'COMPLETE', results, startedAt: now, completedAt: now });
      return send(res, 207, {
        status: 'COMPLETE',
        results,
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message:
              'Could not get some LINE_ITEM objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: missing },
          },
        ],
        startedAt: now,
        completedAt: now,
      });
    }
    send(res, 404, {
      status: 'error',
      message: `No route ${req.method} ${url.pathname}`,
      category: 'OBJECT_NOT_FOUND',
    });
  }

  /** A partial update: the body must match SimplePublicObjectInput, each property be settable. */
  function updateDeal(res: ServerResponse, id: string, text: string): void {
    dealsSpec ??= loadVendorSpec(HUBSPOT_DEALS_SPEC_FILE);
    const body = safeJson(text);
    const problems =
      body === undefined
        ? ['$: not valid JSON']
        : validateSchema(dealsSpec, requestBodySchema(dealsSpec, 'PATCH', PATCH_DEAL_PATH), body);
    if (problems.length > 0) {
      return send(res, 400, {
        status: 'error',
        message: `Invalid input JSON: ${problems.join('; ')}`,
        correlationId: randomUUID(),
        category: 'VALIDATION_ERROR',
      });
    }
    const deal = store.deals[id];
    if (!deal) return send(res, 404, notFound('deal', id));
    const properties = (body as { properties: Record<string, string> }).properties;
    const defined = store.dealProperties ?? DEFAULT_DEAL_PROPERTIES;
    const invalid = Object.keys(properties)
      .filter((name) => READ_ONLY_DEAL_PROPERTIES.has(name) || !defined.includes(name))
      .map((name) =>
        READ_ONLY_DEAL_PROPERTIES.has(name)
          ? {
              isValid: false,
              message: `"${name}" is a read only property; its value cannot be set.`,
              error: 'READ_ONLY_VALUE',
              name,
            }
          : {
              isValid: false,
              message: `Property "${name}" does not exist`,
              error: 'PROPERTY_DOESNT_EXIST',
              name,
            },
      );
    if (invalid.length > 0) {
      return send(res, 400, {
        status: 'error',
        message: `Property values were not valid: ${JSON.stringify(invalid)}`,
        correlationId: randomUUID(),
        category: 'VALIDATION_ERROR',
      });
    }
    Object.assign(deal.properties, properties);
    send(res, 200, crmObject(id, deal.properties, Object.keys(properties)));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    data: store,
    requests,
    failNext: ({ status, times = 1, pathPrefix, retryAfterSeconds }) => {
      failures.push({ status, remaining: times, pathPrefix, retryAfterSeconds });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((closeError) => (closeError ? reject(closeError) : resolve()));
      }),
  };
}

/**
 * Headers HubSpot would send with `body`, signed with the app's client secret (v3). `uri` is the
 * full public URL, e.g. `${INGRESS_PUBLIC_URL}/webhooks/hubspot`.
 */
export function signHubSpotRequest(input: {
  secret: string;
  method?: string;
  uri: string;
  body: string;
  timestamp?: number;
}): Record<string, string> {
  const timestamp = String(input.timestamp ?? Date.now());
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': hubSpotSenderSignature({
      secret: input.secret,
      method: input.method ?? 'POST',
      uri: input.uri,
      body: input.body,
      timestamp,
    }),
    'x-hubspot-request-timestamp': timestamp,
  };
}

/** A HubSpot webhook event for a deal moved to `stage` (default closedwon). */
export function hubSpotDealStageEvent(input: {
  eventId: number;
  dealId: number;
  stage?: string;
  occurredAt?: number;
  attemptNumber?: number;
}) {
  return {
    eventId: input.eventId,
    subscriptionId: 2_131_841,
    portalId: 62_515,
    appId: 1_160_452,
    occurredAt: input.occurredAt ?? Date.now(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: input.attemptNumber ?? 0,
    objectId: input.dealId,
    propertyName: 'dealstage',
    propertyValue: input.stage ?? 'closedwon',
    changeSource: 'CRM_UI',
  };
}

function crmObject(id: string, properties: Properties, requested: readonly string[]) {
  const selected: Properties = {};
  for (const name of [...requested, ...DEFAULT_PROPERTIES]) {
    selected[name] = properties[name] ?? null;
  }
  selected['hs_object_id'] = id;
  selected['createdate'] = CREATED_AT;
  selected['hs_lastmodifieddate'] = CREATED_AT;
  return { id, properties: selected, createdAt: CREATED_AT, updatedAt: CREATED_AT, archived: false };
}

function notFound(objectType: string, id: string) {
  return {
    status: 'error',
    message: `resource not found: ${objectType} ${id}`,
    correlationId: randomUUID(),
    category: 'OBJECT_NOT_FOUND',
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

function stubError(message: string) {
  return { status: 'error', message, category: 'INTERNAL_ERROR' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
