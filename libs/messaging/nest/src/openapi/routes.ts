import { DynamicModule, RequestMethod, Type } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { z } from 'zod';

import { ROUTE_ACCESS, RouteAccess } from '../auth';
import { SERVICE_CONFIG } from '../messaging.module';
import { ServiceConfig } from '../service-config';
import {
  BODY_SCHEMA,
  BodySchemaDeclaration,
  PARAM_SCHEMAS,
  QUERY_SCHEMA,
  ResponseDeclaration,
  RESPONSES,
  SIGNATURE_HEADERS,
} from './api-metadata';

/** One HTTP route as its controller declares it (Nest metadata only: nothing is instantiated). */
export interface RouteDeclaration {
  controller: Type<unknown>;
  handlerName: string;
  method: keyof typeof RequestMethod;
  /** Express style, `/erp/customers/:customerId`. */
  path: string;
  access: RouteAccess | undefined;
  /** `@HttpCode`, if any (Nest's default is 201 for POST, 200 otherwise). */
  httpCode?: number;
  body?: BodySchemaDeclaration;
  query?: z.ZodTypeAny;
  /** Query parameters read one by one with `@Query('name')`. */
  queryNames: string[];
  /** Whether the handler reads the whole query object (`@Query()`): it should declare `@QuerySchema`. */
  readsQueryObject: boolean;
  paramSchemas: Record<string, z.ZodTypeAny>;
  /** Whether the handler reads a body at all (`@Body()`, `@Req()`). */
  readsBody: boolean;
  /** Statuses the handler answers itself (`@ApiResponses`). */
  responses: ResponseDeclaration[];
  /** Signature routes: the headers carrying the signature (`@SignatureHeaders`). */
  signatureHeaders: Record<string, string>;
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/|\/$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [value === undefined ? '' : String(value)];
}

interface RouteArgument {
  index: number;
  data?: unknown;
}

/** Every route of a controller, from the metadata Nest's own decorators and ours leave on it. */
export function routesOf(controller: Type<unknown>): RouteDeclaration[] {
  const routes: RouteDeclaration[] = [];
  const bases = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
  for (const handlerName of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = controller.prototype[handlerName] as unknown;
    if (typeof handler !== 'function' || handlerName === 'constructor') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) continue;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<
      string,
      RouteArgument
    >;
    const argsOf = (type: RouteParamtypes) =>
      Object.entries(args)
        .filter(([key]) => key.split(':')[0] === String(type))
        .map(([, argument]) => argument);
    const queryNames = argsOf(RouteParamtypes.QUERY)
      .map((argument) => argument.data)
      .filter((data): data is string => typeof data === 'string');
    const readsQueryObject = argsOf(RouteParamtypes.QUERY).some((argument) => argument.data === undefined);
    const readsBody = argsOf(RouteParamtypes.BODY).length + argsOf(RouteParamtypes.REQUEST).length > 0;
    const own = <T>(key: string): T | undefined =>
      (Reflect.getMetadata(key, handler) as T | undefined) ?? undefined;
    for (const base of bases) {
      for (const sub of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
        routes.push({
          controller,
          handlerName,
          method: RequestMethod[method] as keyof typeof RequestMethod,
          path: joinPath(base, sub),
          access:
            own<RouteAccess>(ROUTE_ACCESS) ?? (Reflect.getMetadata(ROUTE_ACCESS, controller) as RouteAccess),
          httpCode: own<number>(HTTP_CODE_METADATA),
          body: own<BodySchemaDeclaration>(BODY_SCHEMA),
          query: own<z.ZodTypeAny>(QUERY_SCHEMA),
          queryNames,
          readsQueryObject,
          paramSchemas: own<Record<string, z.ZodTypeAny>>(PARAM_SCHEMAS) ?? {},
          readsBody,
          responses: own<ResponseDeclaration[]>(RESPONSES) ?? [],
          signatureHeaders: own<Record<string, string>>(SIGNATURE_HEADERS) ?? {},
        });
      }
    }
  }
  return routes;
}

/** What a service's module tree declares: its controllers, and its ServiceConfig (body limits). */
export interface ModuleDeclarations {
  controllers: Type<unknown>[];
  config?: ServiceConfig;
}

function isDynamic(value: unknown): value is DynamicModule {
  return typeof value === 'object' && value !== null && 'module' in value;
}

/**
 * Walks a module and its imports (static `@Module` metadata and dynamic modules) without
 * instantiating anything: the controllers Nest will mount, in order, and the SERVICE_CONFIG value.
 */
export function moduleDeclarations(root: Type<unknown> | DynamicModule): ModuleDeclarations {
  const controllers: Type<unknown>[] = [];
  let config: ServiceConfig | undefined;
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (!node || seen.has(node)) return;
    seen.add(node);
    const type = (isDynamic(node) ? node.module : node) as Type<unknown>;
    const dynamic = isDynamic(node) ? node : undefined;
    const meta = <T>(key: string): T[] => (Reflect.getMetadata(key, type) as T[] | undefined) ?? [];
    for (const controller of [
      ...meta<Type<unknown>>(MODULE_METADATA.CONTROLLERS),
      ...(dynamic?.controllers ?? []),
    ]) {
      if (!controllers.includes(controller)) controllers.push(controller);
    }
    for (const provider of [...meta<unknown>(MODULE_METADATA.PROVIDERS), ...(dynamic?.providers ?? [])]) {
      const candidate = provider as { provide?: unknown; useValue?: unknown };
      if (candidate.provide === SERVICE_CONFIG) config = candidate.useValue as ServiceConfig;
    }
    for (const imported of [...meta<unknown>(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      visit(imported);
    }
  };
  visit(root);
  return { controllers, config };
}
