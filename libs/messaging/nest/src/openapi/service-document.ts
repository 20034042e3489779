import { DynamicModule, Type } from '@nestjs/common';

import { buildOpenApiDocument } from './openapi-document';
import { moduleDeclarations } from './routes';

/** The API's version in the documents; raise it with a change that breaks clients. */
export const API_VERSION = '1.0.0';

/**
 * The OpenAPI document of the service whose root module this is: the controllers Nest mounts for
 * it (the module tree, nothing instantiated) and its ServiceConfig's body limits. The same
 * function serves GET /docs (createService) and writes apps/<service>/openapi.json (npm run openapi).
 */
export function serviceOpenApiDocument(root: Type<unknown> | DynamicModule): Record<string, unknown> {
  const { controllers, config } = moduleDeclarations(root);
  if (!config) throw new Error('the module imports no MessagingModule.forRoot: no service config');
  return buildOpenApiDocument({
    service: config.service,
    version: API_VERSION,
    controllers,
    bodyLimits: config.bodyLimits,
  });
}
