import { Agent as HttpsAgent } from 'node:https';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type } from 'avsc';
import { TimeoutMiddleware } from 'mappersmith/middleware/timeout';

import { TransientError } from '@throughline/platform';

import type { RegistryConnection, RegistrySecurity } from './connection-config';

interface HttpError {
  status?: number;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as HttpError).status : undefined;
}

/**
 * The registry as the messaging lib needs it: look up or register a writer schema, fetch a schema
 * by id. It speaks the Confluent API, so it works against Confluent's registry and Apicurio's
 * `/apis/ccompat/v7` alike.
 */
export class SchemaRegistryGateway {
  private readonly typesById = new Map<number, Promise<Type>>();
  private readonly client: SchemaRegistry;

  /**
   * `requestTimeoutMs` bounds every registry call: a registry that accepts a connection and never
   * answers must fail the call (retried as transient), not hang a consumer's batch or the outbox relay.
   */
  constructor(
    readonly url: string,
    {
      requestTimeoutMs = 10_000,
      security = {},
    }: { requestTimeoutMs?: number; security?: RegistrySecurity } = {},
  ) {
    this.client = new SchemaRegistry({
      host: url,
      middlewares: [TimeoutMiddleware(requestTimeoutMs)],
      ...(security.auth ? { auth: { ...security.auth } } : {}),
      // The client hands the agent to every request; an https agent carries the private CA.
      ...(security.ca ? { agent: new HttpsAgent({ ca: security.ca, keepAlive: true }) } : {}),
    });
  }

  /** The gateway for a connection from readMessagingConnection (URL, basic auth, CA). */
  static for(
    connection: RegistryConnection,
    options: { requestTimeoutMs?: number } = {},
  ): SchemaRegistryGateway {
    const { url, ...security } = connection;
    return new SchemaRegistryGateway(url, { ...options, security });
  }

  /**
   * Returns the id of `schema` under `subject`, registering it when it is new.
   *
   * We do not use the client's `register()`: it reads then writes `/config/{subject}` before and
   * after registering, and Apicurio answers 404 to that config call for a subject that does not
   * exist yet (kafkajs/confluent-schema-registry#200). Compatibility is governed by the
   * registry's rules (global BACKWARD, set by the stack and enforced by `schemas:check`).
   *
   * `earlier` are the schema's previous versions, oldest first (v1 … v(N-1) for a writer of vN).
   * When the writer schema is not registered yet, each earlier version that is missing is registered
   * first, in order, so the registry's version numbers stay equal to the `vN.avsc` files and
   * `envelope.schemaVersion` even when a service starts before `schemas:check` ran (#13). Registering
   * a schema the subject already holds is a no-op that returns its id, so concurrent starts agree.
   */
  async idFor(subject: string, schema: object, earlier: readonly object[] = []): Promise<number> {
    const found = await this.lookup(subject, schema);
    if (found !== undefined) return found;
    for (const previous of earlier) {
      if ((await this.lookup(subject, previous)) === undefined) await this.register(subject, previous);
    }
    return this.register(subject, schema);
  }

  private async lookup(subject: string, schema: object): Promise<number | undefined> {
    try {
      return await this.client.getRegistryIdBySchema(subject, {
        type: SchemaType.AVRO,
        schema: JSON.stringify(schema),
      });
    } catch (error) {
      if (!isNotFound(error)) throw asTransient(error, `look up ${subject}`);
      return undefined;
    }
  }

  private async register(subject: string, schema: object): Promise<number> {
    try {
      const api = (this.client as unknown as { api: RegistryApi }).api;
      const response = await api.Subject.register({ subject, body: { schema: JSON.stringify(schema) } });
      return (response.data() as { id: number }).id;
    } catch (error) {
      throw statusOf(error) === 409
        ? new Error(`Schema for ${subject} is incompatible with the registered versions: ${messageOf(error)}`)
        : asTransient(error, `register ${subject}`);
    }
  }

  /** The writer schema with this id, parsed once and cached. */
  typeFor(id: number): Promise<Type> {
    let type = this.typesById.get(id);
    if (!type) {
      type = this.client
        .getSchema(id)
        .then((schema) => schema as unknown as Type)
        .catch((error: unknown) => {
          this.typesById.delete(id);
          throw statusOf(error) === 404
            ? new UnknownSchemaError(id, error)
            : asTransient(error, `fetch schema ${id}`);
        });
      this.typesById.set(id, type);
    }
    return type;
  }
}

interface RegistryApi {
  Subject: { register(args: { subject: string; body: { schema: string } }): Promise<{ data(): unknown }> };
}

export class UnknownSchemaError extends Error {
  constructor(
    readonly schemaId: number,
    cause: unknown,
  ) {
    super(`Schema id ${schemaId} is not in the registry`, { cause });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The client turns a 404 from the lookup into an error of this name, dropping the status. */
function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404 || (error instanceof Error && error.name === 'ConfluentSchemaRegistryError');
}

function asTransient(error: unknown, action: string): TransientError {
  return new TransientError(`Schema registry: could not ${action}: ${messageOf(error)}`, { cause: error });
}
