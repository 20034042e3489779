import { checkBackwardCompatible, type LocalCompatibility } from './compatibility';
import { lintSchemas } from './lint';
import {
  DEFAULT_REGISTRY_URL,
  SchemaRegistryClient,
  type RegisteredSchemaRef,
  type RuleViolationCause,
} from './registry-client';
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

/**
 * `misnumbered`: the registry holds the subject's versions out of file order (e.g. v2.avsc as registry version 1,
 * because a producer registered its writer before v1 was): registry versions, `vN.avsc` and
 * `envelope.schemaVersion` disagree, and registry versions cannot be renumbered.
 */
export type CheckStatus = 'ok' | 'registered' | 'incompatible' | 'skipped' | 'misnumbered';

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
  /** Fields without a doc, new instants or dates without their logical type (lint.ts). */
  lint: string[];
  /** False when any version is incompatible or misnumbered (or was skipped because an earlier one is), or lint fails. */
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
  const lint = lintSchemas({ ...set, events });
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
    return { mode: 'local', results, lint, ok: lint.length === 0 && results.every((r) => r.status === 'ok') };
  }

  const client = new SchemaRegistryClient({ url: options.registryUrl ?? DEFAULT_REGISTRY_URL });
  for (const event of events) {
    results.push(...(await checkAgainstRegistry(client, event, options.subjectPrefix)));
  }
  return {
    mode: 'registry',
    registryUrl: client.url,
    results,
    lint,
    ok: lint.length === 0 && results.every((r) => r.status === 'ok' || r.status === 'registered'),
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

  // Where the registry already holds each file version (by content), before this run registers anything.
  const held = new Map<number, RegisteredSchemaRef>();
  if (registeredCount > 0) {
    for (const version of event.versions) {
      const ref = await client.lookup(subject, JSON.stringify(version.registered));
      if (ref) held.set(version.version, ref);
    }
  }
  if ([...held].some(([version, ref]) => ref.version !== version)) {
    return misnumberedResults(event, subject, held, registryVersions.length);
  }

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
    const existing = held.get(check.version);
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
  const beyond = registryVersions.length - event.versions.length;
  if (blockedBy === undefined && beyond > 0) {
    // The registry is ahead of the files (a producer of an unmerged schema version registered it, say): the next
    // vN.avsc would not become registry version N.
    results.push({
      eventType: event.eventType,
      subject,
      version: registryVersions.length,
      file: '(no file)',
      status: 'misnumbered',
      local: { compatible: true },
      registry: { messages: [] },
      detail: `the registry holds ${registryVersions.length} versions of ${subject}, the files ${event.versions.length}: registry version(s) ${event.versions.length + 1}..${registryVersions.length} have no vN.avsc, so the next file version would not get its number`,
    });
  }
  return results;
}

/**
 * A subject whose registry versions do not follow the files: nothing is registered for it (registering the
 * missing versions now would only add more numbers that disagree), and every version is reported with where
 * the registry holds it and the one-time remediation.
 */
function misnumberedResults(
  event: EventSchemas,
  subject: string,
  held: ReadonlyMap<number, RegisteredSchemaRef>,
  registryVersionCount: number,
): VersionCheck[] {
  const remediation =
    `registry versions cannot be renumbered. On a registry whose data may go (local stack, test): ` +
    `delete the subject (DELETE /subjects/${subject}, then ?permanent=true) before any producer starts and ` +
    `run npm run schemas:check, which registers v1..v${event.latest.version} in order (producers now do the same). ` +
    `On a registry that must keep it: leave it — consumers decode by schema id, not version — and read ` +
    `envelope.schemaVersion, not the registry version, for the file version`;
  return localChecks(event).map((check, index) => {
    const ref = held.get(check.version);
    const where = ref
      ? ref.version === check.version
        ? `registry version ${ref.version} (id ${ref.id}) as expected`
        : `held as registry version ${ref.version} (id ${ref.id}), not ${check.version}`
      : `not registered (the registry has ${registryVersionCount} version(s) of ${subject})`;
    return {
      eventType: event.eventType,
      subject,
      version: check.version,
      file: check.file,
      status: 'misnumbered',
      local: check.local,
      registry: { existing: ref, messages: [] },
      detail: `${check.file} ${where}${index === 0 ? `; registered out of order — ${remediation}` : ''}`,
    };
  });
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
  const status =
    result.status === 'incompatible' || result.status === 'misnumbered'
      ? result.status.toUpperCase()
      : result.status;
  return `${result.eventType.padEnd(eventWidth)}  ${result.subject}  v${result.version}  ${status}: ${result.detail}`;
}
