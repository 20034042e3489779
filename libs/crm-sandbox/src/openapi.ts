import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A schema object of an OpenAPI 3.0 document (the subset the vendored HubSpot descriptions use). */
interface SchemaObject {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';
  required?: string[];
  properties?: Record<string, SchemaObject>;
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  enum?: unknown[];
  nullable?: boolean;
  allOf?: unknown;
  oneOf?: unknown;
  anyOf?: unknown;
  not?: unknown;
}

export interface OpenApiDocument {
  info: { title: string; version: string };
  paths: Record<string, Record<string, OperationObject | undefined>>;
  components: { schemas: Record<string, SchemaObject> };
}

interface OperationObject {
  requestBody?: { content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: SchemaObject }> }>;
}

const VENDOR_DIR = join(__dirname, '..', 'vendor');

/** A vendor's published API description stored under libs/crm-sandbox/vendor (see its SOURCE.md). */
export function loadVendorSpec(relativePath: string): OpenApiDocument {
  return JSON.parse(readFileSync(join(VENDOR_DIR, relativePath), 'utf8')) as OpenApiDocument;
}

/** HubSpot's CRM v3 deals API (objects API for object type 0-3, i.e. deals). */
export const HUBSPOT_DEALS_SPEC_FILE = 'hubspot/crm-deals-v3.json';

/** The JSON schema of an operation's request body. */
export function requestBodySchema(spec: OpenApiDocument, method: string, path: string): SchemaObject {
  const schema = spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`${spec.info.title} describes no JSON request body for ${method} ${path}`);
  return schema;
}

/** A named schema of the document's components, e.g. `Error` or `SimplePublicObject`. */
export function componentSchema(spec: OpenApiDocument, name: string): SchemaObject {
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`${spec.info.title} has no schema ${name}`);
  return schema;
}

/**
 * Checks `value` against an OpenAPI 3.0 schema and returns the problems (empty when it conforms).
 * Supports what the vendored descriptions use ($ref, type, required, properties,
 * additionalProperties, items, enum, nullable) and refuses schemas with combinators rather than
 * passing them unchecked.
 */
export function validateSchema(
  spec: OpenApiDocument,
  schema: SchemaObject,
  value: unknown,
  at = '$',
): string[] {
  if (schema.$ref) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    if (!name) throw new Error(`unsupported $ref ${schema.$ref}`);
    return validateSchema(spec, componentSchema(spec, name), value, at);
  }
  for (const keyword of ['allOf', 'oneOf', 'anyOf', 'not'] as const) {
    if (schema[keyword] !== undefined)
      throw new Error(`schema keyword ${keyword} is not supported (at ${at})`);
  }
  if (value === null) return schema.nullable ? [] : [`${at}: must not be null`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: must be one of ${schema.enum.join(', ')}`];
  switch (schema.type) {
    case undefined:
      return [];
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: must be a string`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: must be a boolean`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: must be a number`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: must be an integer`];
    case 'array':
      if (!Array.isArray(value)) return [`${at}: must be an array`];
      return schema.items
        ? value.flatMap((item, index) =>
            validateSchema(spec, schema.items as SchemaObject, item, `${at}[${index}]`),
          )
        : [];
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: must be an object`];
      const record = value as Record<string, unknown>;
      const problems = (schema.required ?? [])
        .filter((name) => record[name] === undefined)
        .map((name) => `${at}.${name}: is required`);
      for (const [name, inner] of Object.entries(record)) {
        const declared = schema.properties?.[name];
        if (declared) problems.push(...validateSchema(spec, declared, inner, `${at}.${name}`));
        else if (schema.additionalProperties === false) problems.push(`${at}.${name}: is not allowed`);
        else if (typeof schema.additionalProperties === 'object')
          problems.push(...validateSchema(spec, schema.additionalProperties, inner, `${at}.${name}`));
      }
      return problems;
    }
  }
}
