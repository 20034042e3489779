import { UsageError } from './errors';

/** Suffix of dead-letter topics, `<source topic>.<consumer group>.dlq` (see `deadLetterTopic`). */
export const DLQ_SUFFIX = '.dlq';
/** Suffix of the topic parked dead letters are moved to: `<dlq topic>.parked`, kept indefinitely. */
export const PARKED_SUFFIX = '.parked';

export function isDlqTopic(name: string): boolean {
  return name.endsWith(DLQ_SUFFIX) && name.length > DLQ_SUFFIX.length;
}

export function isParkedTopic(name: string): boolean {
  return name.endsWith(`${DLQ_SUFFIX}${PARKED_SUFFIX}`);
}

export function parkedTopicFor(dlqTopic: string): string {
  return `${dlqTopic}${PARKED_SUFFIX}`;
}

export interface DlqOrigin {
  sourceTopic: string;
  group: string;
}

export interface NamingHints {
  /** TOPIC_PREFIX; consumer groups are `<prefix>throughline.<service>`. */
  prefix: string;
  /** Catalog topic names without the prefix, used to split names whose group is not conventional. */
  catalogTopics: readonly string[];
}

/**
 * Splits `<source topic>.<group>.dlq` (or its `.parked` topic). Both parts may contain dots, so the
 * source is matched against the catalog first (behind any environment prefix, not only ours: with
 * no TOPIC_PREFIX every environment's topics are listed), then the group against the
 * `<prefix>throughline.<service>` convention. Undefined when neither fits (the messages' own
 * headers still name their origin).
 */
export function parseDlqTopic(name: string, hints: NamingHints): DlqOrigin | undefined {
  const base = isParkedTopic(name) ? name.slice(0, -PARKED_SUFFIX.length) : name;
  if (!isDlqTopic(base)) return undefined;
  const stem = base.slice(0, -DLQ_SUFFIX.length);
  let best: DlqOrigin | undefined;
  for (const topic of hints.catalogTopics) {
    for (let at = stem.indexOf(`${topic}.`); at !== -1; at = stem.indexOf(`${topic}.`, at + 1)) {
      if (at > 0 && stem[at - 1] !== '.') continue;
      const end = at + topic.length;
      if (end + 1 >= stem.length || !stem.startsWith(hints.prefix)) continue;
      const candidate = { sourceTopic: stem.slice(0, end), group: stem.slice(end + 1) };
      if (!best || candidate.sourceTopic.length > best.sourceTopic.length) best = candidate;
      break;
    }
  }
  if (best) return best;
  const conventional = new RegExp(`^(.+)\\.(${escapeRegExp(hints.prefix)}throughline\\.[^.]+)$`).exec(stem);
  if (conventional) return { sourceTopic: conventional[1] as string, group: conventional[2] as string };
  return undefined;
}

export interface TopicRules {
  prefix: string;
  /** Whether `<dlq>.parked` topics are accepted too (show, replay and purge accept them; park does not). */
  allowParked: boolean;
}

/** Rejects names that are not dead-letter topics of this environment (exit code 2). */
export function assertDlqTopic(name: string, rules: TopicRules, command: string): void {
  const accepted = isDlqTopic(name) || (rules.allowParked && isParkedTopic(name));
  if (!accepted) {
    const expected = rules.allowParked
      ? `"${DLQ_SUFFIX}" or "${DLQ_SUFFIX}${PARKED_SUFFIX}"`
      : `"${DLQ_SUFFIX}"`;
    throw new UsageError(
      `"${name}" is not a dead-letter topic (the name must end with ${expected})`,
      command,
    );
  }
  if (rules.prefix && !name.startsWith(rules.prefix)) {
    throw new UsageError(`"${name}" is not under TOPIC_PREFIX "${rules.prefix}"`, command);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
