import { up } from '../stack';
import { runSmokeFlow } from './smoke';

/** `npm start`: brings up the local stack and runs the demo. */
async function main(): Promise<void> {
  const startedAt = Date.now();
  console.log('== starting the local stack (Kafka, schema registry, PostgreSQL)');
  await up();
  console.log('== smoke flow: one typed Avro event through the registry');
  await runSmokeFlow((line) => console.log(line));
  console.log(`== done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
