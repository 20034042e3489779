import { errorMessage } from './schema-set';

/**
 * The few Confluent Schema Registry API calls the schema tooling needs, over fetch. Works against Confluent
 * and Apicurio's Confluent-compatible API (`/apis/ccompat/v7`). @kafkajs/confluent-schema-registry has no
 * compatibility-check or config calls, hence this small client.
 */

export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

export type CompatibilityLevel =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

/** The registry did not answer at all (connection refused, DNS, timeout). */
export class RegistryUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`schema registry unreachable at ${url}: ${describeCause(cause)}`, { cause });
    this.name = 'RegistryUnreachableError';
  }
}

/** The registry answered with an unexpected status. */
export class RegistryError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`schema registry: ${method} ${url} → HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'RegistryError';
  }
}

export interface RegisteredSchemaRef {
  id: number;
  version: number;
}

export interface CompatibilityVerdict {
  compatible: boolean;
  /** The registry's explanation (`messages` with ?verbose=true), when it gives one. */
  messages: string[];
}

/** One reason from Apicurio's rule engine: `context` is a JSON pointer into the new schema. */
export interface RuleViolationCause {
  description: string;
  context: string;
}

export interface SchemaRegistryClientOptions {
  url?: string;
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class SchemaRegistryClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: SchemaRegistryClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Registered version numbers of a subject, or undefined when the subject does not exist. */
  async listVersions(subject: string): Promise<number[] | undefined> {
    const res = await this.request('GET', `/subjects/${enc(subject)}/versions`, undefined, [404]);
    return res.status === 404 ? undefined : (res.json as number[]);
  }

  /** The version under which exactly this schema is registered, or undefined. */
  async lookup(subject: string, schema: string): Promise<RegisteredSchemaRef | undefined> {
    const res = await this.request(
      'POST',
      `/subjects/${enc(subject)}`,
      { schema, schemaType: 'AVRO' },
      [404],
    );
    if (res.status === 404) return undefined;
    const body = res.json as { id: number; version: number };
    return { id: body.id, version: body.version };
  }

  /** Would `schema` be accepted as the next version of `subject` under the subject's compatibility level? */
  async testCompatibility(subject: string, schema: string): Promise<CompatibilityVerdict> {
    const res = await this.request(
      'POST',
      `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
      { schema, schemaType: 'AVRO' },
      [409, 422],
    );
    const body = (res.json ?? {}) as { is_compatible?: boolean; messages?: unknown; message?: string };
    if (res.status !== 200) {
      // Some registries answer an incompatible schema with an error status rather than is_compatible: false.
      return { compatible: false, messages: [body.message ?? res.text] };
    }
    return { compatible: body.is_compatible === true, messages: toMessages(body.messages) };
  }

  async register(subject: string, schema: string): Promise<{ id: number }> {
    const res = await this.request('POST', `/subjects/${enc(subject)}/versions`, {
      schema,
      schemaType: 'AVRO',
    });
    return { id: (res.json as { id: number }).id };
  }

  async setCompatibility(subject: string, compatibility: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${enc(subject)}`, { compatibility });
  }

  async getCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    const res = await this.request('GET', `/config/${enc(subject)}`, undefined, [404]);
    if (res.status === 404) return undefined;
    const body = res.json as { compatibilityLevel?: CompatibilityLevel; compatibility?: CompatibilityLevel };
    return body.compatibilityLevel ?? body.compatibility;
  }

  /**
   * Why the registry would reject `schema` as the next version, from Apicurio's native API (`dryRun=true`
   * validates the rules without storing anything). Apicurio's ccompat API answers `{"is_compatible": false}`
   * without `messages` even with ?verbose=true (seen on 3.3.3), so this is the only place its reasons show up.
   * Best effort: undefined for non-Apicurio registries or on any error.
   */
  async apicurioDryRunCauses(subject: string, schema: string): Promise<RuleViolationCause[] | undefined> {
    const base = /^(.*)\/apis\/ccompat\/v[0-9]+$/.exec(this.url)?.[1];
    if (!base) return undefined;
    try {
      const res = await fetch(
        `${base}/apis/registry/v3/groups/default/artifacts/${enc(subject)}/versions?dryRun=true`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ content: { content: schema, contentType: 'application/json' } }),
          signal: AbortSignal.timeout(this.timeoutMs),
        },
      );
      if (res.ok) return [];
      const body = (await res.json()) as { causes?: Array<{ description?: unknown; context?: unknown }> };
      return (body.causes ?? []).map((c) => ({
        description: String(c.description ?? ''),
        context: String(c.context ?? ''),
      }));
    } catch {
      return undefined;
    }
  }

  /** Deletes a subject (soft, then hard with `permanent`); used by tests to clean up. */
  async deleteSubject(subject: string, permanent = false): Promise<void> {
    await this.request('DELETE', `/subjects/${enc(subject)}`, undefined, [404]);
    if (permanent) await this.request('DELETE', `/subjects/${enc(subject)}?permanent=true`, undefined, [404]);
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    allowedErrors: readonly number[] = [],
  ): Promise<{ status: number; json: unknown; text: string }> {
    const url = `${this.url}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          Accept: `${CONTENT_TYPE}, application/json`,
          ...(body === undefined ? {} : { 'Content-Type': CONTENT_TYPE }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new RegistryUnreachableError(this.url, err);
    }
    const text = await res.text();
    if (!res.ok && !allowedErrors.includes(res.status))
      throw new RegistryError(method, url, res.status, text);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}

function toMessages(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
}

function describeCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  return cause ? `${errorMessage(err)} (${errorMessage(cause)})` : errorMessage(err);
}
