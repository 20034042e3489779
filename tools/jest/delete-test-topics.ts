/**
 * Jest setup (every project, see jest.preset.js): after each test file, delete the Kafka topics of
 * the test prefixes it used (`trackTestTopics`), so a long test run does not exhaust the broker's
 * file handles. Files that used no test prefix do nothing here. Also stops the test OpenID Connect
 * provider a file started.
 */
import { deleteTrackedTestTopics } from '@throughline/messaging/testing';

// By path, not through '@throughline/messaging-nest/testing' (which loads Nest): the same module the
// tests use. Stops the OpenID Connect provider the file started, if any.
// eslint-disable-next-line @nx/enforce-module-boundaries -- test setup of every project, see above
import { stopTestIdentityProvider } from '../../libs/messaging/nest/src/testing/identity-provider';

afterAll(() => deleteTrackedTestTopics(), 60_000);
afterAll(() => stopTestIdentityProvider(), 10_000);
