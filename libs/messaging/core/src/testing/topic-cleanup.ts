import { createKafka, parseBrokers } from '../kafka';

/**
 * Test topics are deleted after each test file (see jest.preset.js): every test prefix creates
 * dozens of topics and retry topics, and a broker that keeps them all runs out of file handles
 * within one full test run. The prefixes live on globalThis so that the per-file teardown
 * (tools/jest/delete-test-topics.ts) sees them whichever module instance registered them.
 */
const PREFIXES = Symbol.for('throughline.testTopicPrefixes');

function trackedPrefixes(): Set<string> {
  const holder = globalThis as { [PREFIXES]?: Set<string> };
  return (holder[PREFIXES] ??= new Set<string>());
}

/** Marks the topics under `prefix` as this test file's, to be deleted when it ends. */
export function trackTestTopics(prefix: string): void {
  if (prefix.length === 0) throw new Error('refusing to track the empty topic prefix for deletion');
  trackedPrefixes().add(prefix);
}

/** Deletes the topics of every tracked prefix. A broker that is down keeps them (never throws). */
export async function deleteTrackedTestTopics(): Promise<void> {
  const prefixes = [...trackedPrefixes()];
  trackedPrefixes().clear();
  if (prefixes.length === 0) return;
  const kafka = createKafka({
    brokers: parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'),
    clientId: 'test-topic-cleanup',
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => prefixes.some((p) => topic.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch {
    // The broker may be down (fault tests) or the topics gone already; leftovers are harmless.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
