import { EXIT, run } from './cli';

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    // Nothing listens on port 1: any attempt to connect fails fast and visibly.
    {
      env: {
        KAFKA_BROKERS: '127.0.0.1:1',
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/postgres',
        ...env,
      },
    },
  );
  return { code, stdout, stderr };
}

describe('run', () => {
  it('prints help on stdout with exit code 0', async () => {
    const global = await cli(['--help']);
    expect(global).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(global.stdout).toContain('Usage: throughline <command> [options]');
    const purge = await cli(['dlq', 'purge', '--help']);
    expect(purge.stdout).toContain('Kafka cannot delete single records');
  });

  it('rejects bad arguments with exit code 2 before connecting anywhere', async () => {
    expect(await cli(['dlq', 'show', 'x.dlq', '--until', 'soon'])).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr:
        'throughline: invalid --until "soon": expected an ISO 8601 time (2026-03-01T12:00:00Z) or a duration before now (90s, 15m, 2h, 1d)\n' +
        'Run "throughline dlq show --help" for usage.\n',
    });
    expect(await cli([])).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr: 'throughline: missing command\nRun "throughline --help" for usage.\n',
    });
  });

  it('rejects a bad environment with exit code 2, naming the variable', async () => {
    const result = await cli(['dlq', 'list'], { TOPIC_PREFIX: 'Bad Prefix' });
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/^throughline: Invalid configuration: TOPIC_PREFIX: lower-case letters/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('reports unreachable Kafka and PostgreSQL in one line with exit code 1', async () => {
    expect(await cli(['dlq', 'list'])).toEqual({
      code: EXIT.failure,
      stdout: '',
      stderr:
        'throughline: error: cannot reach Kafka at 127.0.0.1:1 (ECONNREFUSED); is the stack up? (npm run stack -- up)\n',
    });
    expect(await cli(['dlq', 'audit'])).toEqual({
      code: EXIT.failure,
      stdout: '',
      stderr: 'throughline: error: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)\n',
    });
  });
});
