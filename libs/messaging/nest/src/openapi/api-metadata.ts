import { SetMetadata } from '@nestjs/common';
import { z } from 'zod';

/**
 * What a route's handler validates, declared once: the handler passes the same schema to
 * `parseBody` (or the application layer does), and the OpenAPI document converts it to JSON Schema.
 */
export const BODY_SCHEMA = 'throughline:openapi:body';
export const QUERY_SCHEMA = 'throughline:openapi:query';
export const PARAM_SCHEMAS = 'throughline:openapi:params';

export interface BodySchemaOptions {
  /** The body is one such object or an array of 1 to `batchOf` of them (PSA intake). */
  batchOf?: number;
  description?: string;
}

export interface BodySchemaDeclaration extends BodySchemaOptions {
  schema: z.ZodTypeAny;
}

/** The route's JSON body: the zod schema its handler parses it with. */
export const BodySchema = (schema: z.ZodTypeAny, options: BodySchemaOptions = {}) =>
  SetMetadata(BODY_SCHEMA, { schema, ...options } satisfies BodySchemaDeclaration);

/** The route's query string: a zod object schema its handler parses `@Query()` with. */
export const QuerySchema = (schema: z.AnyZodObject | z.ZodEffects<z.AnyZodObject>) =>
  SetMetadata(QUERY_SCHEMA, schema);

/** Path parameters the handler checks, by name (others are documented as plain strings). */
export const ParamSchemas = (schemas: Record<string, z.ZodTypeAny>) => SetMetadata(PARAM_SCHEMAS, schemas);

const COMPUTED = Symbol('throughline:computed-default');

/**
 * A default computed per request (e.g. today's date): the document states `description` instead of
 * a value that would change with the day it was generated.
 */
export function computedDefault<T>(compute: () => T, description: string): () => T {
  return Object.assign(() => compute(), { [COMPUTED]: description });
}

export function computedDefaultDescription(value: unknown): string | undefined {
  return typeof value === 'function' ? (value as { [COMPUTED]?: string })[COMPUTED] : undefined;
}

export const RESPONSES = 'throughline:openapi:responses';

/** A status the handler itself answers (besides the pipeline's), e.g. 202 for a webhook, 409 on a conflict. */
export interface ResponseDeclaration {
  status: number;
  description: string;
  /** Of a success answer; default application/json. */
  contentType?: string;
}

/** Statuses the handler answers, in addition to what the HTTP pipeline can answer for any route. */
export const ApiResponses = (...responses: ResponseDeclaration[]) => SetMetadata(RESPONSES, responses);

export const SIGNATURE_HEADERS = 'throughline:openapi:signature-headers';

/** The headers a signature-authenticated route needs (name → what it holds), for the API document. */
export const SignatureHeaders = (headers: Readonly<Record<string, string>>) =>
  SetMetadata(SIGNATURE_HEADERS, headers);
