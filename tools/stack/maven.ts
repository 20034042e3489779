import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { STACK_POM } from './config';

/** Condenses Maven's output to one line per downloaded or copied artifact, plus errors. */
function progressLine(line: string): string | undefined {
  const text = line.replace(/^\[(INFO|WARNING|ERROR)\]\s*/, '');
  const downloaded = /^Downloaded from \S+: (\S+) \(([^,)]+)/.exec(text);
  if (downloaded && !downloaded[1].endsWith('.pom'))
    return `  ↓ ${basename(downloaded[1])} (${downloaded[2]})`;
  const copied = /^Copying (\S+) to /.exec(text);
  if (copied) return `  + ${basename(copied[1])}`;
  if (line.startsWith('[ERROR]')) return `  ${line}`;
  return undefined;
}

/** Runs `mvn -B <args>` against deploy/stack/pom.xml; the full output goes to `logFile`. */
export function maven(args: string[], logFile: string): Promise<void> {
  const fullArgs = ['-B', '-f', STACK_POM, ...args];
  const log = createWriteStream(logFile);
  log.write(`$ mvn ${fullArgs.join(' ')}\n`);
  const child = spawn('mvn', fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    log.write(`${line}\n`);
    const shown = progressLine(line);
    if (shown) console.log(shown);
  });
  child.stderr.pipe(log, { end: false });
  return new Promise((resolvePromise, reject) => {
    child.on('error', (error) =>
      reject(new Error(`could not run mvn (is Maven installed?): ${error.message}`)),
    );
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolvePromise();
      else reject(new Error(`mvn exited with ${code}; full output in ${logFile}`));
    });
  });
}
