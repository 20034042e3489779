// Reads Throughline topics from their start to their current end and prints one JSON line per event:
// {"topic", "partition", "offset", "key", "value"}.
// Needs the npm packages kafkajs and @kafkajs/confluent-schema-registry. Usage: node consume.mjs <topic>...
// (KAFKA_BROKERS and SCHEMA_REGISTRY_URL from the environment).
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const registry = new SchemaRegistry({
  host: process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081/apis/ccompat/v7',
});
const kafka = new Kafka({ clientId: 'throughline-consume-node', brokers, logLevel: logLevel.ERROR });
const topics = process.argv.slice(2);

const admin = kafka.admin();
await admin.connect();
const remaining = new Map(); // "topic:partition" -> offset of the last message
for (const topic of topics) {
  for (const { partition, offset, low } of await admin.fetchTopicOffsets(topic)) {
    if (Number(offset) > Number(low)) remaining.set(`${topic}:${partition}`, Number(offset) - 1);
  }
}
await admin.disconnect();

const consumer = kafka.consumer({ groupId: `throughline-consume-node-${process.pid}-${Date.now()}` });
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
const done = new Promise((resolve) => {
  if (remaining.size === 0) resolve();
  consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      // decode() reads the schema id after the magic byte and fetches that schema (cached).
      const value = await registry.decode(message.value);
      const line = { topic, partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value };
      console.log(JSON.stringify(line, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
      if (remaining.get(`${topic}:${partition}`) <= Number(message.offset)) remaining.delete(`${topic}:${partition}`);
      if (remaining.size === 0) resolve();
    },
  });
});
await done;
await consumer.disconnect();
