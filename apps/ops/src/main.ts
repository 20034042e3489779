import { run } from './interface/cli';

// Ctrl-C once stops a replay or park after its current batch; twice exits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

void run(
  process.argv.slice(2),
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  { signal: interrupt.signal },
).then((code) => {
  process.exitCode = code;
  // Every client is closed by now; a lingering socket must not keep a finished command alive.
  setTimeout(() => process.exit(code), 2_000).unref();
});
