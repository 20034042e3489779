import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Parser } from '@asyncapi/parser';
import YAML from 'yaml';

import { loadSchemaSet } from '../schemas/schema-set';
import { scanConsumers } from './consumers';
import { buildAsyncApi } from './document';

const workspaceRoot = resolve(__dirname, '..', '..');
const committed = readFileSync(join(workspaceRoot, 'docs', 'asyncapi.yaml'), 'utf8');

/** Errors only (severity 0); the parser also hints, e.g. that AsyncAPI 3.1 exists. */
async function errorsOf(document: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(document);
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('docs/asyncapi.yaml (#13 item 4)', () => {
  it('is a valid AsyncAPI 3.0 document according to @asyncapi/parser', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const set = loadSchemaSet();
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(set.events.map((e) => e.topic.name));
  });

  it('describes every topic with partitions, retention, key, producer and consumers from the catalog and the services', () => {
    const doc = YAML.parse(committed) as {
      channels: Record<string, Record<string, unknown>>;
      operations: Record<string, { action: string; channel: { $ref: string } }>;
    };
    const channel = doc.channels['rateCardUpserted'];
    expect(channel['bindings']).toEqual({
      kafka: {
        partitions: 3,
        topicConfiguration: { 'cleanup.policy': ['compact'], 'retention.ms': -1 },
        bindingVersion: '0.5.0',
      },
    });
    expect(channel['x-producer']).toBe('ingress');
    expect(channel['x-consumers']).toEqual(['billing', 'contract', 'project']);
    expect(doc.operations['publishRateCardUpserted']).toMatchObject({ action: 'send' });
    expect(doc.operations['billingReceivesRateCardUpserted']).toMatchObject({ action: 'receive' });
  });

  it('fails validation when the document is broken (the check can fail)', async () => {
    const set = loadSchemaSet();
    const doc = buildAsyncApi({
      set,
      consumers: scanConsumers(set.events.map((e) => e.eventType)),
      version: '0.0.0',
    }) as {
      channels: Record<string, { bindings: { kafka: { partitions: unknown } } }>;
      operations: Record<string, { channel: { $ref: string } }>;
    };
    expect(await errorsOf(YAML.stringify(doc))).toEqual([]);
    doc.channels['dealWon'].bindings.kafka.partitions = 'six';
    doc.operations['publishDealWon'].channel = { $ref: '#/channels/noSuchTopic' };
    const errors = await errorsOf(YAML.stringify(doc));
    expect(errors.join('\n')).toMatch(/partitions/);
    expect(errors.join('\n')).toMatch(/noSuchTopic|channel/);
  });

  it('matches what the generator produces from schemas/ and the services (run npm run asyncapi if this fails)', () => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'tools/asyncapi/generate.ts', '--check'],
      {
        cwd: workspaceRoot,
        encoding: 'utf8',
      },
    );
    expect(`${run.stdout}${run.stderr}`).toContain('up to date');
    expect(run.status).toBe(0);
  }, 60_000);
});
