import { Controller, Get, Inject, Injectable, Res } from '@nestjs/common';
import { Response } from 'express';

import { PublicProbe } from '../auth';
import { HttpProblem } from '../problem';
import { ApiResponses } from './api-metadata';

/** The document as committed and served: two-space JSON with a final newline. */
export function serializeOpenApiDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The service's OpenAPI document, set once at boot by createService. */
@Injectable()
export class ApiDocument {
  private text?: string;

  set(document: Record<string, unknown>): void {
    this.text = serializeOpenApiDocument(document);
  }

  get(): string | undefined {
    return this.text;
  }
}

/**
 * GET /docs: the service's OpenAPI 3.1 document, built at boot from its own controllers. Public,
 * like the probes: it describes routes and scopes and holds no data.
 */
@Controller('docs')
@PublicProbe('the OpenAPI document describes routes and scopes and holds no data')
export class DocsController {
  constructor(@Inject(ApiDocument) private readonly document: ApiDocument) {}

  @Get()
  @ApiResponses({ status: 200, description: 'This document (OpenAPI 3.1, JSON)' })
  get(@Res() response: Response): void {
    const text = this.document.get();
    // Only a service created without createService (a unit test module) has none.
    if (text === undefined) throw new HttpProblem(404, 'not-found', 'this service has no API document');
    response.type('application/json').send(text);
  }
}
