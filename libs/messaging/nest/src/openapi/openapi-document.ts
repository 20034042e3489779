import { Type } from '@nestjs/common';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

import { Scope, SCOPES } from '../auth/scopes';
import { CORRELATION_HEADER } from '../correlation';
import { BodyLimit, DEFAULT_BODY_LIMIT, MAX_JSON_DEPTH } from '../request-guard';
import { computedDefaultDescription, ResponseDeclaration } from './api-metadata';
import { RouteDeclaration, routesOf } from './routes';

/** JSON Schema 2020-12 (the dialect of OpenAPI 3.1), as plain JSON. */
export type JsonSchema = Record<string, unknown>;
type Json = Record<string, unknown>;

export interface OpenApiServiceDescription {
  /** `ingress`, `billing`, …: the title says "Throughline <service> API". */
  service: string;
  version: string;
  controllers: readonly Type<unknown>[];
  /** The service's larger body limits (ServiceConfig.bodyLimits); 100 kB elsewhere. */
  bodyLimits?: readonly BodyLimit[];
  /**
   * The token endpoint shown for the client-credentials flow. Default: the local development
   * provider's; a deployment's is its issuer's (AUTH_ISSUER) `token_endpoint`.
   */
  tokenUrl?: string;
}

export const OPENAPI_VERSION = '3.1.0';
/** The local OpenID Connect provider of the stack and tests (tools/oidc). */
export const LOCAL_TOKEN_URL = 'http://127.0.0.1:8090/token';

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'RFC 9457 problem details. `errors` names each bad field; `error` repeats `detail` for older clients.',
  required: ['type', 'title', 'status', 'detail', 'errors', 'error'],
  properties: {
    type: {
      type: 'string',
      description: 'urn:throughline:problem:<slug>, e.g. urn:throughline:problem:payload-too-large',
    },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'detail'],
        properties: {
          field: { type: 'string', description: 'e.g. customers.0.billingCurrency, (body), query.limit' },
          detail: { type: 'string' },
        },
      },
    },
    error: { type: 'string' },
    requiredScopes: {
      type: 'array',
      items: { type: 'string' },
      description: '403 insufficient-scope: the scopes the route needs',
    },
  },
  additionalProperties: true,
};

const RETRY_AFTER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer', minimum: 0 },
};

/** The answers the HTTP pipeline can give, as components.responses (name → status, description). */
const PIPELINE_RESPONSES: Record<string, { status: number; description: string; retryAfter?: boolean }> = {
  BadRequest: {
    status: 400,
    description:
      'The request is invalid: a field fails its schema (`errors` lists each), malformed JSON, a NUL ' +
      `character or lone surrogate anywhere in the request, or nesting deeper than ${MAX_JSON_DEPTH} levels`,
  },
  Unauthorized: {
    status: 401,
    description:
      'No credential, or one that is refused (expired, wrong issuer or audience, unknown API key); ' +
      '`WWW-Authenticate` says why',
  },
  InvalidSignature: { status: 401, description: 'The signature is missing, wrong or stale' },
  Forbidden: {
    status: 403,
    description:
      'The credential lacks the scope this route needs (`requiredScopes`), an actor named in the body is ' +
      'not the caller, or the request comes from a browser origin that is not allowed',
  },
  ForbiddenOrigin: {
    status: 403,
    description: 'The request carries an Origin whose host is not allowed (cross-site browser requests)',
  },
  RequestTimeout: {
    status: 408,
    description: 'The body did not arrive within HTTP_REQUEST_TIMEOUT_MS of the request start',
  },
  PayloadTooLarge: { status: 413, description: "The body is over the route's size limit" },
  UnsupportedMediaType: {
    status: 415,
    description:
      'The body is not application/json (or +json) in UTF-8, or its Content-Encoding is not supported',
  },
  MisdirectedRequest: {
    status: 421,
    description: 'The Host header names a host this service does not serve',
  },
  TooManyRequests: {
    status: 429,
    description: 'This client sent more requests than the service takes from one client',
    retryAfter: true,
  },
  InternalError: { status: 500, description: "A failure that is not the client's; it was logged" },
  ServiceUnavailable: {
    status: 503,
    description: "A dependency (database, broker, the issuer's key set) is unavailable; retry later",
    retryAfter: true,
  },
};

type PipelineResponse = keyof typeof PIPELINE_RESPONSES;

/** Probe paths: not checked for Host/Origin (orchestrators and Prometheus name services differently). */
const PROBE_PATH = /^\/(health|metrics)(\/|$)/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** `100kb` → 102400, as body-parser reads it (1 kb = 1024 bytes). */
export function limitBytes(limit: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!match) throw new Error(`unreadable body limit "${limit}"`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(match[1]) * unit);
}

/** The limit jsonBody applies to a path: the longest matching prefix, else 100 kB. */
export function bodyLimitOf(path: string, limits: readonly BodyLimit[] = []): string {
  const match = [...limits]
    .sort((a, b) => b.path.length - a.path.length)
    .find((limit) => path === limit.path || path.startsWith(`${limit.path}/`));
  return match?.limit ?? DEFAULT_BODY_LIMIT;
}

// zodToJsonSchema's generic signature is too deep for the compiler with zod 3.25's types (TS2589).
const convert = zodToJsonSchema as unknown as (
  schema: z.ZodTypeAny,
  options: Record<string, unknown>,
) => Json;

/** `.nonnegative().positive()` gives minimum 0 and exclusiveMinimum 0: keep the one that binds. */
function tightestBounds(json: Json): Json {
  const bounded = { ...json };
  const pairs = [
    ['minimum', 'exclusiveMinimum', 1],
    ['maximum', 'exclusiveMaximum', -1],
  ] as const;
  for (const [inclusive, exclusive, direction] of pairs) {
    const a = bounded[inclusive];
    const b = bounded[exclusive];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    if ((b - a) * direction >= 0) delete bounded[inclusive];
    else delete bounded[exclusive];
  }
  return bounded;
}

/** A zod schema as the JSON Schema of what a client may send (the schema's input side). */
export function jsonSchemaOf(schema: z.ZodTypeAny): JsonSchema {
  const converted = convert(schema, {
    // Draft 7 output is 2020-12 as well for these schemas (no tuples, no $refs: 'none').
    target: 'jsonSchema7',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
    postProcess: (json: Json | undefined, def: { typeName?: string; defaultValue?: unknown }) => {
      const computed =
        def.typeName === z.ZodFirstPartyTypeKind.ZodDefault
          ? computedDefaultDescription(def.defaultValue)
          : undefined;
      if (!json) return json;
      const bounded = tightestBounds(json);
      if (computed === undefined) return bounded;
      const { default: _default, ...rest } = bounded;
      return { ...rest, description: computed };
    },
  });
  const { $schema: _schema, ...rest } = converted;
  return rest;
}

function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function tagOf(controller: Type<unknown>): string {
  return controller.name.replace(/Controller$/, '');
}

function operationIdOf(route: RouteDeclaration): string {
  const tag = tagOf(route.controller);
  return `${tag.charAt(0).toLowerCase()}${tag.slice(1)}${route.handlerName.charAt(0).toUpperCase()}${route.handlerName.slice(1)}`;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParamsOf(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] as string);
}

function withoutDescription(schema: JsonSchema): { schema: JsonSchema; description?: string } {
  const { description, ...rest } = schema;
  return { schema: rest, description: typeof description === 'string' ? description : undefined };
}

function parameter(name: string, where: 'path' | 'query' | 'header', required: boolean, schema: JsonSchema) {
  const split = withoutDescription(schema);
  return {
    name,
    in: where,
    required,
    ...(split.description ? { description: split.description } : {}),
    schema: split.schema,
  };
}

function queryParameters(route: RouteDeclaration): Json[] {
  if (route.query) {
    const schema = jsonSchemaOf(route.query);
    const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema['required'] ?? []) as string[]);
    return Object.entries(properties).map(([name, property]) =>
      parameter(name, 'query', required.has(name), property),
    );
  }
  return route.queryNames.map((name) => parameter(name, 'query', false, { type: 'string' }));
}

function securityOf(route: RouteDeclaration): Json[] {
  const access = route.access;
  if (!access || access.kind === 'public' || access.kind === 'signature') return [];
  const scopes: readonly Scope[] = access.kind === 'metrics' ? ['metrics:read'] : access.scopes;
  const schemes = [{ OAuth2: [...scopes] }, { ApiKey: [...scopes] }, { ApiKeyAuthorization: [...scopes] }];
  // METRICS_AUTH=public (the default) needs no credential; METRICS_AUTH=scope needs metrics:read.
  return access.kind === 'metrics' ? [{}, ...schemes] : schemes;
}

function accessDescription(route: RouteDeclaration): string {
  const access = route.access;
  if (!access) return 'Declares no access and is refused (403).';
  switch (access.kind) {
    case 'scope':
      return `Requires the scope ${access.scopes.map((s) => `\`${s}\``).join(' and ')} (OAuth 2.0 bearer token or API key).`;
    case 'public':
      return `No credential: ${access.reason}.`;
    case 'signature':
      return `No bearer token: ${access.reason}.`;
    case 'metrics':
      return 'No credential with METRICS_AUTH=public (the default); the scope `metrics:read` with METRICS_AUTH=scope.';
  }
}

function problemResponsesOf(route: RouteDeclaration, takesBody: boolean): PipelineResponse[] {
  const kind = route.access?.kind;
  const probe = route.method === 'GET' && PROBE_PATH.test(route.path);
  return [
    'BadRequest',
    ...(kind === 'scope' || kind === 'metrics' ? (['Unauthorized'] as const) : []),
    ...(kind === 'signature' ? (['InvalidSignature'] as const) : []),
    ...(kind === 'scope' || kind === 'metrics'
      ? (['Forbidden'] as const)
      : probe
        ? []
        : (['ForbiddenOrigin'] as const)),
    ...(takesBody ? (['RequestTimeout', 'PayloadTooLarge', 'UnsupportedMediaType'] as const) : []),
    ...(probe ? [] : (['MisdirectedRequest'] as const)),
    ...(kind === 'scope' || kind === 'metrics' ? (['TooManyRequests'] as const) : []),
    'InternalError',
    'ServiceUnavailable',
  ];
}

function requestBodyOf(route: RouteDeclaration, limits: readonly BodyLimit[] | undefined): Json | undefined {
  if (!route.body) return undefined;
  const limit = bodyLimitOf(route.path, limits);
  const one = jsonSchemaOf(route.body.schema);
  const schema = route.body.batchOf
    ? {
        oneOf: [one, { type: 'array', items: one, minItems: 1, maxItems: route.body.batchOf }],
      }
    : one;
  const size = `At most ${limit} (${limitBytes(limit)} bytes; 413 beyond).`;
  return {
    required: !route.body.schema.isOptional(),
    description: [route.body.description, size].filter(Boolean).join(' '),
    content: { 'application/json': { schema } },
    'x-max-body-bytes': limitBytes(limit),
  };
}

function successResponsesOf(route: RouteDeclaration): Record<string, Json> {
  const declared = route.responses.filter((response) => response.status < 400);
  const statuses: ResponseDeclaration[] =
    declared.length > 0
      ? declared
      : [{ status: route.httpCode ?? (route.method === 'POST' ? 201 : 200), description: 'Done' }];
  return Object.fromEntries(
    statuses.map((response) => [
      String(response.status),
      {
        description: response.description,
        content: { [response.contentType ?? 'application/json']: { schema: {} } },
      },
    ]),
  );
}

function operationOf(route: RouteDeclaration, service: OpenApiServiceDescription): Json {
  const takesBody = route.body !== undefined || (route.readsBody && BODY_METHODS.has(route.method));
  const parameters = [
    ...pathParamsOf(route.path).map((name) =>
      parameter(
        name,
        'path',
        true,
        route.paramSchemas[name] ? jsonSchemaOf(route.paramSchemas[name]) : { type: 'string' },
      ),
    ),
    ...queryParameters(route),
    ...Object.entries(route.signatureHeaders).map(([name, description]) =>
      parameter(name, 'header', true, { type: 'string', description }),
    ),
    { $ref: '#/components/parameters/CorrelationId' },
  ];
  const problems = Object.fromEntries(
    problemResponsesOf(route, takesBody).map((name) => [
      String(PIPELINE_RESPONSES[name]?.status),
      { $ref: `#/components/responses/${name}` },
    ]),
  );
  const handlerProblems = Object.fromEntries(
    route.responses
      .filter((response) => response.status >= 400)
      .map((response) => [
        String(response.status),
        {
          description: response.description,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      ]),
  );
  const requestBody = requestBodyOf(route, service.bodyLimits);
  return {
    operationId: operationIdOf(route),
    // "Invoices: issue", "Psa: post time entries": the handler's name under its controller's.
    summary: `${words(tagOf(route.controller))}: ${words(route.handlerName).toLowerCase()}`,
    description: accessDescription(route),
    tags: [tagOf(route.controller)],
    parameters,
    ...(requestBody ? { requestBody } : {}),
    responses: { ...successResponsesOf(route), ...problems, ...handlerProblems },
    security: securityOf(route),
    ...(route.access?.kind === 'scope' ? { 'x-required-scopes': [...route.access.scopes] } : {}),
  };
}

/**
 * The OpenAPI 3.1 document of one service, from its controllers' metadata: routes, parameters,
 * request bodies (the zod schemas the handlers validate with, as JSON Schema), the problem answers
 * of the HTTP pipeline, body size limits and security (OAuth 2.0 client credentials with every
 * scope, API keys, each route's scope, public and signature routes). Deterministic: the same
 * controllers give the same document, byte for byte once serialised.
 */
export function buildOpenApiDocument(service: OpenApiServiceDescription): Json {
  const routes = service.controllers.flatMap((controller) => routesOf(controller));
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const method = route.method.toLowerCase();
    if (method === 'all')
      throw new Error(`${route.controller.name}.${route.handlerName}: @All is not documented`);
    paths[path] = { ...paths[path], [method]: operationOf(route, service) };
  }
  const used = new Set(
    JSON.stringify(paths)
      .match(/#\/components\/responses\/[A-Za-z]+/g)
      ?.map((ref) => ref.split('/').pop() as string) ?? [],
  );
  const responses = Object.fromEntries(
    Object.entries(PIPELINE_RESPONSES)
      .filter(([name]) => used.has(name))
      .map(([name, response]) => [
        name,
        {
          description: response.description,
          ...(response.retryAfter ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      ]),
  );
  const tags = [...new Set(routes.map((route) => tagOf(route.controller)))].map((name) => ({
    name,
    description: `Routes of ${name}Controller`,
  }));
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: `Throughline ${service.service} API`,
      version: service.version,
      description:
        `The HTTP API of the ${service.service} service, generated from its controllers and the zod ` +
        'schemas its handlers validate with (npm run openapi). Every error is RFC 9457 ' +
        'application/problem+json. Bodies must be application/json in UTF-8.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The service that serves this document at /docs' }],
    tags,
    paths,
    components: {
      securitySchemes: {
        OAuth2: {
          type: 'oauth2',
          description:
            'Bearer JWTs of the issuer configured in AUTH_ISSUER (audience AUTH_AUDIENCE), client-credentials ' +
            "flow. The token URL shown is the local development provider's; a deployment's is the " +
            "`token_endpoint` of its issuer's /.well-known/openid-configuration.",
          flows: {
            clientCredentials: {
              tokenUrl: service.tokenUrl ?? LOCAL_TOKEN_URL,
              scopes: { ...SCOPES },
            },
          },
        },
        ApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description:
            'A per-integration API key (tlk_<id>_<secret>), carrying its own scopes (AUTH_API_KEYS).',
        },
        ApiKeyAuthorization: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'The same API key as `Authorization: ApiKey <key>`.',
        },
      },
      parameters: {
        CorrelationId: {
          name: CORRELATION_HEADER,
          in: 'header',
          required: false,
          description:
            'Names the flow this request belongs to (logs, events); answered in the response header. ' +
            'A new id when absent or unusable.',
          schema: { type: 'string', maxLength: 128 },
        },
      },
      schemas: { Problem: PROBLEM_SCHEMA },
      responses,
    },
  };
}
