import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// The generator lives in tools/ (which depends on this lib), so it runs as a process rather than an import.
const workspaceRoot = resolve(__dirname, '..', '..', '..');

describe('generated contracts', () => {
  it('match schemas/ (run npm run schemas:generate if this fails)', () => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'tools/schemas/generate.ts', '--check'],
      {
        cwd: workspaceRoot,
        encoding: 'utf8',
      },
    );
    expect(`${run.stdout}${run.stderr}`).toContain('up to date');
    expect(run.status).toBe(0);
  }, 60_000);
});
