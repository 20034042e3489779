import { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { RouteAccess, routesOf } from '@throughline/messaging-nest';

import { REPO_ROOT } from '../stack/config';

/** One HTTP route of a service, as its controller's Nest metadata declares it. */
export interface Route {
  app: string;
  controller: Type<unknown>;
  method: string;
  /** Nest's pattern, e.g. `/erp/customers/:customerId`. */
  path: string;
  access: RouteAccess | undefined;
}

function interfaceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return interfaceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Every HTTP route of every service, found from the Nest metadata of the controllers under
 * apps/<service>/src/interface, so a new route cannot escape the tests built on it (the
 * authorisation matrix, the fuzz suite).
 */
export function discoverRoutes(): Route[] {
  const routes: Route[] = [];
  for (const app of readdirSync(join(REPO_ROOT, 'apps'))) {
    const dir = join(REPO_ROOT, 'apps', app, 'src', 'interface');
    let files: string[];
    try {
      files = interfaceFiles(dir);
    } catch {
      continue;
    }
    for (const file of files) {
      // Required by path at run time: tools may not import apps statically (module boundaries).
      const exported = require(file) as Record<string, unknown>;
      for (const value of Object.values(exported)) {
        if (typeof value !== 'function' || Reflect.getMetadata(PATH_METADATA, value) === undefined) continue;
        const controller = value as Type<unknown>;
        for (const route of routesOf(controller)) {
          routes.push({ app, controller, method: route.method, path: route.path, access: route.access });
        }
      }
    }
  }
  return routes;
}

/** Methods that change state. */
export const WRITE_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
