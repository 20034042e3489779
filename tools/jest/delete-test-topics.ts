/**
 * Jest setup (every project, see jest.preset.js): after each test file, delete the Kafka topics of
 * the test prefixes it used, so a long test run does not exhaust the broker's file handles. The
 * prefixes are tracked on globalThis by `trackTestTopics` (@throughline/messaging/testing, which
 * uses this same symbol), so test files that never touch Kafka do not load it here.
 */
const TRACKED_PREFIXES = Symbol.for('throughline.testTopicPrefixes');

afterAll(async () => {
  const prefixes = (globalThis as { [TRACKED_PREFIXES]?: Set<string> })[TRACKED_PREFIXES];
  if (!prefixes || prefixes.size === 0) return;
  const { deleteTrackedTestTopics } = await import('@throughline/messaging/testing');
  await deleteTrackedTestTopics();
}, 60_000);
