import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const JVM_DIRS = ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines'];
const majorVersions = new Map<string, number | undefined>();

/** Major version of a `java` binary, or undefined if it cannot be run. */
function majorVersion(java: string): number | undefined {
  if (!majorVersions.has(java)) {
    const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
    // `java -version` prints e.g. `openjdk version "17.0.15"` or, for Java 8, `"1.8.0_402"`.
    const match = probe.error ? null : /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
    majorVersions.set(java, match ? Number(match[1] === '1' ? match[2] : match[1]) : undefined);
  }
  return majorVersions.get(java);
}

/** JDKs installed in the usual system locations, newest first. */
function installedJdks(): string[] {
  return JVM_DIRS.filter(existsSync)
    .flatMap((root) =>
      readdirSync(root).flatMap((name) => [
        join(root, name, 'bin', 'java'),
        join(root, name, 'Contents', 'Home', 'bin', 'java'),
      ]),
    )
    .filter(existsSync)
    .sort((a, b) => (majorVersion(b) ?? 0) - (majorVersion(a) ?? 0));
}

/**
 * A `java` binary of at least version `min`: JAVA_HOME first, then `java` on PATH,
 * then the newest JDK found under /usr/lib/jvm (Apicurio 3.3 needs a newer Java than Kafka).
 */
export function javaBinary(min: number): string {
  const javaHome = process.env['JAVA_HOME'];
  const preferred = [...(javaHome ? [join(javaHome, 'bin', 'java')] : []), 'java'];
  const recentEnough = (java: string): boolean => (majorVersion(java) ?? 0) >= min;
  const found = preferred.find(recentEnough) ?? installedJdks().find(recentEnough);
  if (found) return found;
  const seen = preferred.map((java) => `${java} (${majorVersion(java) ?? 'not runnable'})`).join(', ');
  throw new Error(
    `Java ${min}+ is required but none was found; checked ${seen} and ${JVM_DIRS.join(', ')}. Install a JDK ${min}+ or set JAVA_HOME.`,
  );
}
