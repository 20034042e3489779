import { parseBrokers } from '@throughline/messaging';

import { runMessagingBench } from './messaging.bench';

const USAGE = `usage: npm run bench -- messaging [--count N] [--batch N]
  messaging   publish and consume N events through the messaging lib and N raw kafkajs messages;
              prints msgs/s for both and the ratio lib/raw (target: 0.5 or better)`;

function numberFlag(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} needs a positive integer, got "${args[index + 1] ?? ''}"`);
    process.exit(2);
  }
  return value;
}

async function main(args: string[]): Promise<void> {
  const [suite = 'messaging', ...rest] = args;
  if (suite !== 'messaging') {
    console.error(`unknown benchmark "${suite}"\n${USAGE}`);
    process.exit(2);
  }
  const result = await runMessagingBench({
    count: numberFlag(rest, '--count', 200_000),
    batchSize: numberFlag(rest, '--batch', 1_000),
    brokers: parseBrokers(process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'),
    registryUrl: process.env['SCHEMA_REGISTRY_URL'] ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    progress: (line) => console.log(line),
  });
  const ratio = (lib: number, raw: number) => (lib / raw).toFixed(2);
  console.log(`\nmessaging benchmark: ${result.count} messages, ${result.messageBytes} bytes each`);
  console.table({
    'raw kafkajs': {
      'produce msg/s': result.raw.produceMsgsPerSec,
      'consume msg/s': result.raw.consumeMsgsPerSec,
    },
    'messaging lib': {
      'produce msg/s': result.lib.produceMsgsPerSec,
      'consume msg/s': result.lib.consumeMsgsPerSec,
    },
  });
  const produceRatio = ratio(result.lib.produceMsgsPerSec, result.raw.produceMsgsPerSec);
  const consumeRatio = ratio(result.lib.consumeMsgsPerSec, result.raw.consumeMsgsPerSec);
  console.log(`ratio lib/raw: produce ${produceRatio}, consume ${consumeRatio} (target >= 0.5)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
