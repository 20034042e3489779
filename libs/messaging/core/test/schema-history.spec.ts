import { Type } from 'avsc';

import { registeredSchema } from '@throughline/contracts';
import { randomSuffix } from '@throughline/persistence/testing';

import { AvroEventCodec, SchemaRegistryGateway, TopicNaming } from '../src';
import { TEST_REGISTRY_URL } from '../src/testing';

jest.setTimeout(60_000);

/** Registry versions equal schema file versions even when a producer registers before `schemas:check` (#13). */
describe('a producer registering its writer schema', () => {
  const naming = new TopicNaming(`test.${randomSuffix()}.`);
  const subject = naming.subjectFor('DealWon');
  const url = TEST_REGISTRY_URL.replace(/\/+$/, '');

  afterAll(async () => {
    await fetch(`${url}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' });
    await fetch(`${url}/subjects/${encodeURIComponent(subject)}?permanent=true`, { method: 'DELETE' });
  });

  it('registers every earlier version first, in order, so registry version N holds vN.avsc', async () => {
    const registry = new SchemaRegistryGateway(TEST_REGISTRY_URL);
    const encoder = await new AvroEventCodec(registry, { naming }).encoder('DealWon');

    const versions = (await (
      await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`)
    ).json()) as number[];
    expect(versions).toEqual([1, 2]);
    for (const version of versions) {
      const held = (await (
        await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions/${version}`)
      ).json()) as { id: number; schema: string };
      // The registry keeps the schema in its own canonical form (e.g. without a nested record's redundant namespace).
      const heldType = Type.forSchema(JSON.parse(held.schema) as never);
      expect(heldType.equals(Type.forSchema(registeredSchema('DealWon', version) as never))).toBe(true);
      if (version === 2) expect(held.id).toBe(encoder.schemaId);
    }

    // A second producer (another replica, a restart) finds the writer and registers nothing more.
    await new AvroEventCodec(new SchemaRegistryGateway(TEST_REGISTRY_URL), { naming }).encoder('DealWon');
    const after = (await (
      await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`)
    ).json()) as number[];
    expect(after).toEqual([1, 2]);
  });
});
