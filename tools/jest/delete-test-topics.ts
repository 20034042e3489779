/**
 * Jest setup (every project, see jest.preset.js): after each test file, delete the Kafka topics of
 * the test prefixes it used (`trackTestTopics`), so a long test run does not exhaust the broker's
 * file handles. Files that used no test prefix do nothing here.
 */
import { deleteTrackedTestTopics } from '@throughline/messaging/testing';

afterAll(() => deleteTrackedTestTopics(), 60_000);
