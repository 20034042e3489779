import { Body, Controller, Get, HttpCode, Module, Param, Post, Put, Query, Req } from '@nestjs/common';
import { z } from 'zod';

import { PublicProbe, RequireScope, SignatureAuthenticated } from '../auth';
import { SCOPES } from '../auth/scopes';
import { MessagingModule } from '../messaging.module';
import { testServiceConfig } from '../testing';
import {
  ApiResponses,
  BodySchema,
  computedDefault,
  ParamSchemas,
  QuerySchema,
  SignatureHeaders,
} from './api-metadata';
import { buildOpenApiDocument, jsonSchemaOf, limitBytes } from './openapi-document';
import { moduleDeclarations, routesOf } from './routes';
import { serviceOpenApiDocument } from './service-document';

const itemBody = z.object({ name: z.string().min(1).max(10), amount: z.string() }).strict();
const listQuery = z.object({
  status: z.enum(['OPEN', 'CLOSED']).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  asOf: z.string().default(computedDefault(() => new Date().toISOString().slice(0, 10), 'today (UTC)')),
});

@Controller('items')
class ItemsController {
  @RequireScope('erp:write')
  @Put(':itemId')
  @HttpCode(200)
  @ParamSchemas({ itemId: z.string().regex(/^I-\d+$/) })
  @BodySchema(itemBody)
  put(@Param('itemId') _id: string, @Body() _body: unknown) {
    return {};
  }

  @RequireScope('psa:write')
  @Post('batch')
  @BodySchema(itemBody, { batchOf: 7 })
  @ApiResponses({ status: 409, description: 'Duplicate' })
  batch(@Body() _body: unknown) {
    return {};
  }

  @RequireScope('finance:read')
  @Get()
  @QuerySchema(listQuery)
  list(@Query() _query: unknown) {
    return [];
  }

  @RequireScope('finance:read')
  @Get('plain')
  plain(@Query('owner') _owner?: string) {
    return [];
  }
}

@Controller('hooks')
@SignatureAuthenticated('signed by the sender')
class HooksController {
  @Post()
  @SignatureHeaders({ 'X-Signature': 'hex HMAC' })
  @BodySchema(itemBody)
  @ApiResponses({ status: 202, description: 'Recorded' })
  receive(@Req() _req: unknown) {
    return {};
  }
}

@Controller('probe')
@PublicProbe('test probe')
class ProbeController {
  @Get()
  get() {
    return {};
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const document = buildOpenApiDocument({
  service: 'test',
  version: '1.0.0',
  controllers: [ItemsController, HooksController, ProbeController],
  bodyLimits: [{ path: '/items/batch', limit: '1mb' }],
}) as Json;

describe('OpenAPI document from controllers', () => {
  it('is OpenAPI 3.1 with every scope in the client-credentials flow and both API key forms', () => {
    expect(document['openapi']).toBe('3.1.0');
    const schemes = document['components'].securitySchemes;
    expect(schemes.OAuth2.flows.clientCredentials.scopes).toEqual(SCOPES);
    expect(schemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(schemes.ApiKeyAuthorization).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
  });

  it("documents a route's scope, path parameter schema, body from its zod schema and status", () => {
    const put = document['paths']['/items/{itemId}'].put;
    expect(put.security).toEqual([
      { OAuth2: ['erp:write'] },
      { ApiKey: ['erp:write'] },
      { ApiKeyAuthorization: ['erp:write'] },
    ]);
    expect(put.parameters[0]).toEqual({
      name: 'itemId',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^I-\\d+$' },
    });
    expect(put.summary).toBe('Items: put');
    expect(put.operationId).toBe('itemsPut');
    expect(put.requestBody.required).toBe(true);
    expect(put.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 10 },
        amount: { type: 'string' },
      },
      required: ['name', 'amount'],
      additionalProperties: false,
    });
    expect(put.requestBody['x-max-body-bytes']).toBe(100 * 1024);
    expect(Object.keys(put.responses).sort()).toEqual(
      ['200', '400', '401', '403', '408', '413', '415', '421', '429', '500', '503'].sort(),
    );
    expect(put.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
  });

  it('documents batches, per-route body limits and handler-declared problems', () => {
    const batch = document['paths']['/items/batch'].post;
    const schema = batch.requestBody.content['application/json'].schema;
    expect(schema.oneOf[1]).toMatchObject({ type: 'array', minItems: 1, maxItems: 7 });
    expect(batch.requestBody['x-max-body-bytes']).toBe(1024 * 1024);
    expect(Object.keys(batch.responses)).toContain('201');
    expect(batch.responses['409'].content['application/problem+json']).toBeDefined();
  });

  it('turns a query schema into parameters, a computed default into words', () => {
    const list = document['paths']['/items'].get;
    const byName = Object.fromEntries(
      (list.parameters as Json[]).filter((p) => p['name']).map((p) => [p['name'], p]),
    );
    expect(byName['status']).toMatchObject({
      in: 'query',
      required: false,
      schema: { enum: ['OPEN', 'CLOSED'] },
    });
    expect(byName['limit'].schema).toEqual({ type: 'integer', minimum: 1, maximum: 50, default: 20 });
    expect(byName['asOf']).toMatchObject({ description: 'today (UTC)', schema: { type: 'string' } });
    expect(byName['asOf'].schema.default).toBeUndefined();
    const plain = document['paths']['/items/plain'].get;
    expect(plain.parameters[0]).toEqual({
      name: 'owner',
      in: 'query',
      required: false,
      schema: { type: 'string' },
    });
  });

  it('documents signature routes with their headers and no bearer security, public routes without any', () => {
    const hook = document['paths']['/hooks'].post;
    expect(hook.security).toEqual([]);
    expect(hook.parameters[0]).toMatchObject({ name: 'X-Signature', in: 'header', required: true });
    expect(Object.keys(hook.responses)).toEqual(expect.arrayContaining(['202', '401']));
    expect(hook.responses['401']).toEqual({ $ref: '#/components/responses/InvalidSignature' });
    const probe = document['paths']['/probe'].get;
    expect(probe.security).toEqual([]);
    expect(Object.keys(probe.responses)).not.toContain('401');
  });

  it('is the same text for the same controllers', () => {
    const again = buildOpenApiDocument({
      service: 'test',
      version: '1.0.0',
      controllers: [ItemsController, HooksController, ProbeController],
      bodyLimits: [{ path: '/items/batch', limit: '1mb' }],
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(document));
  });
});

describe('route and module declarations', () => {
  it('reads routes, their access and what they read from Nest metadata', () => {
    const routes = routesOf(ItemsController);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /items/:itemId',
      'POST /items/batch',
      'GET /items',
      'GET /items/plain',
    ]);
    expect(routes[2]).toMatchObject({
      readsQueryObject: true,
      access: { kind: 'scope', scopes: ['finance:read'] },
    });
    expect(routes[3]).toMatchObject({ readsQueryObject: false, queryNames: ['owner'] });
  });

  it("finds a service's controllers and config through its imports, and builds its document", () => {
    const config = { ...testServiceConfig('docs'), bodyLimits: [{ path: '/items', limit: '2mb' }] };
    @Module({ controllers: [ProbeController] })
    class Inner {}
    const root = {
      module: class Root {},
      imports: [Inner, MessagingModule.forRoot({ config, migrations: [], publishes: [] })],
      controllers: [ItemsController],
    };
    const found = moduleDeclarations(root);
    expect(found.controllers.map((c) => c.name)).toEqual([
      'ItemsController',
      'ProbeController',
      'HealthController',
      'MetricsController',
      'DocsController',
    ]);
    expect(found.config?.bodyLimits).toEqual([{ path: '/items', limit: '2mb' }]);
    const served = serviceOpenApiDocument(root) as Json;
    expect(served['info'].title).toBe('Throughline docs API');
    expect(served['paths']['/docs'].get.security).toEqual([]);
    expect(served['paths']['/metrics'].get.security[0]).toEqual({});
    expect(served['paths']['/items/{itemId}'].put.requestBody['x-max-body-bytes']).toBe(2 * 1024 * 1024);
  });

  it('reads body limits as the body parser does', () => {
    expect(limitBytes('100kb')).toBe(102_400);
    expect(limitBytes('1mb')).toBe(1_048_576);
    expect(() => limitBytes('lots')).toThrow(/unreadable/);
    expect(jsonSchemaOf(z.string().default('x'))).toEqual({ type: 'string', default: 'x' });
  });
});

describe('JSON Schema of zod schemas', () => {
  it('keeps the bound that binds when zod gives an inclusive and an exclusive one', () => {
    expect(jsonSchemaOf(z.number().int().nonnegative().positive())).toEqual({
      type: 'integer',
      exclusiveMinimum: 0,
    });
    expect(jsonSchemaOf(z.number().min(5).positive().max(10).lt(20))).toEqual({
      type: 'number',
      minimum: 5,
      maximum: 10,
    });
  });
});
