import { checkBackwardCompatible, type LocalCompatibility } from './compatibility';
import { DEFAULT_REGISTRY_URL, SchemaRegistryClient, type RuleViolationCause } from './registry-client';
import {
  DEFAULT_SCHEMAS_DIR,
  loadSchemaSet,
  subjectForTopic,
  type AvroJson,
  type EventSchemas,
} from './schema-set';

export interface CheckOptions {
  schemasDir?: string;
  /** Skip the registry: only the local avsc checks. */
  local?: boolean;
  registryUrl?: string;
  /** Prepended to every subject, so tests can work on throwaway subjects. */
  subjectPrefix?: string;
  /** Only these event types (default: all in the catalog). */
  eventTypes?: readonly string[];
}

export type CheckStatus = 'ok' | 'registered' | 'incompatible' | 'skipped';

export interface RegistryOutcome {
  /** Registry version and id when the schema was already registered. */
  existing?: { id: number; version: number };
  /** The registry's compatibility verdict against the subject's latest version (absent for a new subject). */
  compatible?: boolean;
  messages: string[];
  /** Id assigned when this run registered the schema. */
  registeredId?: number;
}

export interface VersionCheck {
  eventType: string;
  subject: string;
  version: number;
  /** e.g. `events/deal-won/v2.avsc`. */
  file: string;
  status: CheckStatus;
  /** BACKWARD compatibility with the previous file version, decided by avsc (v1 is trivially compatible). */
  local: LocalCompatibility;
  registry?: RegistryOutcome;
  /** One readable line: why it is incompatible, or what happened. */
  detail: string;
}

export interface CheckReport {
  mode: 'local' | 'registry';
  registryUrl?: string;
  results: VersionCheck[];
  /** False when any version is incompatible (or was skipped because an earlier one is). */
  ok: boolean;
}

/**
 * For every event type and version (ascending): BACKWARD compatible with the previous version locally (avsc
 * reads old data with the new schema) and, unless `local`, according to the registry; compatible versions
 * not yet in the registry are registered, and each subject gets compatibility BACKWARD.
 *
 * Throws RegistryUnreachableError / RegistryError for registry trouble and SchemaSetError for invalid schemas.
 */
export async function checkSchemas(options: CheckOptions = {}): Promise<CheckReport> {
  const set = loadSchemaSet(options.schemasDir ?? DEFAULT_SCHEMAS_DIR);
  const events = selectEvents(set.events, options.eventTypes);
  const results: VersionCheck[] = [];

  if (options.local) {
    for (const event of events) {
      const subject = subjectForTopic(event.topic.name, options.subjectPrefix);
      for (const check of localChecks(event)) {
        results.push({
          eventType: event.eventType,
          subject,
          version: check.version,
          file: check.file,
          status: check.local.compatible ? 'ok' : 'incompatible',
          local: check.local,
          detail: check.local.compatible
            ? check.version === 1
              ? 'first version'
              : `reads data written with v${check.version - 1}`
            : `v${check.version - 1} → v${check.version}: ${check.local.reason}`,
        });
      }
    }
    return { mode: 'local', results, ok: results.every((r) => r.status === 'ok') };
  }

  const client = new SchemaRegistryClient({ url: options.registryUrl ?? DEFAULT_REGISTRY_URL });
  for (const event of events) {
    results.push(...(await checkAgainstRegistry(client, event, options.subjectPrefix)));
  }
  return {
    mode: 'registry',
    registryUrl: client.url,
    results,
    ok: results.every((r) => r.status === 'ok' || r.status === 'registered'),
  };
}

function selectEvents(events: EventSchemas[], wanted: readonly string[] | undefined): EventSchemas[] {
  if (!wanted) return events;
  const unknown = wanted.filter((w) => !events.some((e) => e.eventType === w));
  if (unknown.length > 0) throw new Error(`unknown event type(s): ${unknown.join(', ')}`);
  return events.filter((e) => wanted.includes(e.eventType));
}

function localChecks(
  event: EventSchemas,
): Array<{ version: number; file: string; local: LocalCompatibility }> {
  return event.versions.map((v, i) => ({
    version: v.version,
    file: v.file,
    local: i === 0 ? { compatible: true } : checkBackwardCompatible(v.type, event.versions[i - 1].type),
  }));
}

async function checkAgainstRegistry(
  client: SchemaRegistryClient,
  event: EventSchemas,
  subjectPrefix: string | undefined,
): Promise<VersionCheck[]> {
  const subject = subjectForTopic(event.topic.name, subjectPrefix);
  const results: VersionCheck[] = [];
  const registryVersions = (await client.listVersions(subject)) ?? [];
  // Some Apicurio versions answer 404 to PUT /config/{subject} before the subject exists (3.3.3 accepts and
  // keeps it), so a new subject gets its level right after its first registration, which works on all of them.
  if (registryVersions.length > 0) await client.setCompatibility(subject, 'BACKWARD');
  let registeredCount = registryVersions.length;
  let blockedBy: number | undefined;

  for (const check of localChecks(event)) {
    const base = {
      eventType: event.eventType,
      subject,
      version: check.version,
      file: check.file,
      local: check.local,
    };
    const localReason = check.local.compatible
      ? undefined
      : `v${check.version - 1} → v${check.version}: ${check.local.reason}`;
    if (blockedBy !== undefined) {
      results.push({
        ...base,
        status: check.local.compatible ? 'skipped' : 'incompatible',
        detail: localReason ?? `not sent to the registry: v${blockedBy} is incompatible`,
      });
      continue;
    }

    const schema = JSON.stringify(event.versions[check.version - 1].registered);
    const existing = registeredCount > 0 ? await client.lookup(subject, schema) : undefined;
    if (existing) {
      results.push({
        ...base,
        status: check.local.compatible ? 'ok' : 'incompatible',
        registry: { existing, messages: [] },
        detail: localReason ?? `already registered as version ${existing.version} (id ${existing.id})`,
      });
      continue;
    }

    if (registeredCount >= check.version) {
      blockedBy = check.version;
      results.push({
        ...base,
        status: 'incompatible',
        registry: { messages: [] },
        detail: `${check.file} differs from what the registry holds for ${subject} (it already has ${registeredCount} version(s)); registered versions are immutable — revert the file and put the change in v${event.latest.version + 1}`,
      });
      continue;
    }

    const verdict = registeredCount > 0 ? await client.testCompatibility(subject, schema) : undefined;
    if (verdict && !verdict.compatible && verdict.messages.length === 0) {
      const causes = await client.apicurioDryRunCauses(subject, schema);
      const registered = event.versions[check.version - 1].registered;
      verdict.messages = (causes ?? []).map((cause) => describeCause(registered, cause));
    }
    if (!check.local.compatible || (verdict && !verdict.compatible)) {
      blockedBy = check.version;
      const registryReason =
        verdict && !verdict.compatible
          ? `registry: ${verdict.messages.length > 0 ? verdict.messages.join('; ') : 'is_compatible false (no reason given)'}`
          : undefined;
      results.push({
        ...base,
        status: 'incompatible',
        registry: { compatible: verdict?.compatible, messages: verdict?.messages ?? [] },
        detail: [localReason, registryReason].filter(Boolean).join(' | '),
      });
      continue;
    }

    const { id } = await client.register(subject, schema);
    if (registeredCount === 0) await client.setCompatibility(subject, 'BACKWARD');
    registeredCount += 1;
    results.push({
      ...base,
      status: 'registered',
      registry: { compatible: verdict?.compatible, messages: verdict?.messages ?? [], registeredId: id },
      detail: `id ${id}${verdict ? ', registry says compatible' : ', new subject, compatibility set to BACKWARD'}`,
    });
  }
  return results;
}

/** An Apicurio rule-violation cause with its JSON pointer turned into a field path (`data.lines[].role`). */
export function describeCause(schema: AvroJson, cause: RuleViolationCause): string {
  const path = fieldPath(schema, cause.context);
  if (path === undefined) return `${cause.description} at ${cause.context}`;
  const lastField = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(path)?.[1];
  // Java Avro's READER_FIELD_MISSING_DEFAULT_VALUE cause is just the field name.
  if (cause.description === lastField)
    return `${path}: new field without a default (missing in the registered version)`;
  return `${path || '(root)'}: ${cause.description}`;
}

/** `/fields/1/type/fields/11` → `data.salesOwnerEmail`, following the schema JSON; undefined if it cannot. */
function fieldPath(schema: AvroJson, pointer: string): string | undefined {
  const segments = pointer.split('/').slice(1);
  let node: unknown = schema;
  let path = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (typeof node !== 'object' || node === null) return undefined;
    const next: unknown = (node as Record<string, unknown>)[segment];
    if (segment === 'fields' && Array.isArray(next) && i + 1 < segments.length) {
      const field = next[Number(segments[++i])] as AvroJson | undefined;
      if (!field) return undefined;
      path = path === '' ? String(field['name']) : `${path}.${String(field['name'])}`;
      node = field;
      continue;
    }
    if (segment === 'items') path += '[]';
    if (segment === 'values') path += '{}';
    node = next;
  }
  return path;
}

/** One printable line per subject version. */
export function formatCheck(result: VersionCheck, eventWidth = 0): string {
  const status = result.status === 'incompatible' ? 'INCOMPATIBLE' : result.status;
  return `${result.eventType.padEnd(eventWidth)}  ${result.subject}  v${result.version}  ${status}: ${result.detail}`;
}
