import { DynamicModule, Type } from '@nestjs/common';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import {
  moduleDeclarations,
  serializeOpenApiDocument,
  serviceOpenApiDocument,
} from '@throughline/messaging-nest';

import { REPO_ROOT } from '../stack/config';

export const APPS_DIR = join(REPO_ROOT, 'apps');

export interface ServiceDocument {
  service: string;
  /** apps/<service>/openapi.json, absolute. */
  path: string;
  /** Relative to the repository root, for messages. */
  file: string;
  content: string;
  /** The controllers the document was built from (what Nest mounts for the service). */
  controllers: Type<unknown>[];
}

interface AppModuleExport {
  AppModule?: Type<unknown> & { forConfig?: () => DynamicModule };
}

/**
 * The OpenAPI document of every service with an HTTP module (apps/<service>/src/app.module.ts), as
 * GET /docs serves it: the same function over the same module tree. Building a module constructs
 * its clients without connecting, with the development configuration (the documents depend on no
 * secret or address).
 */
export function serviceDocuments(appsDir = APPS_DIR): ServiceDocument[] {
  const previous = { NODE_ENV: process.env['NODE_ENV'], LOG_LEVEL: process.env['LOG_LEVEL'] };
  // Development defaults are refused under NODE_ENV=production; the documents need none of them.
  if (previous.NODE_ENV !== 'test') process.env['NODE_ENV'] = 'development';
  process.env['LOG_LEVEL'] = 'silent';
  try {
    return readdirSync(appsDir)
      .sort()
      .filter((service) => existsSync(join(appsDir, service, 'src', 'app.module.ts')))
      .map((service) => {
        // Required by path at run time: tools may not import apps statically (module boundaries).
        const { AppModule } = require(join(appsDir, service, 'src', 'app.module.ts')) as AppModuleExport;
        if (!AppModule) throw new Error(`apps/${service}/src/app.module.ts exports no AppModule`);
        const root = typeof AppModule.forConfig === 'function' ? AppModule.forConfig() : AppModule;
        const path = join(appsDir, service, 'openapi.json');
        return {
          service,
          path,
          file: relative(REPO_ROOT, path),
          content: serializeOpenApiDocument(serviceOpenApiDocument(root)),
          controllers: moduleDeclarations(root).controllers,
        };
      });
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
