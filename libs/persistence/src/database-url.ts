import { readFileSync } from 'node:fs';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * DATABASE_URL names the PostgreSQL server; each service owns one database on it. Returns the URL
 * with its database replaced, keeping credentials, host and query parameters.
 */
export function databaseUrlFor(
  database: string,
  baseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL,
): string {
  if (!DATABASE_NAME.test(database)) throw new Error(`invalid database name "${database}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function serviceDatabaseName(service: string): string {
  return `throughline_${service}`;
}

/** `sslmode` values node-postgres (pg 8) understands; see README "PostgreSQL credentials and TLS". */
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];
/** Connection-string parameters pg reads as files when it connects. */
const SSL_FILES = ['sslrootcert', 'sslcert', 'sslkey'];

/**
 * The PostgreSQL server URL from DATABASE_URL (user, password, host, `sslmode`, `sslrootcert`…),
 * with the password from DATABASE_PASSWORD_FILE (a mounted secret) when that is set. Problems are
 * added to `problems`, naming the variable: a bad `sslmode`, a TLS file pg could not read when it
 * connects, a password given twice, an unreadable or empty password file.
 */
export function readDatabaseUrl(env: NodeJS.ProcessEnv, problems: string[]): string {
  const raw = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('DATABASE_URL: not a URL (postgresql://user[:password]@host[:port]/database[?sslmode=…])');
    return raw;
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    problems.push(`DATABASE_URL: expected a postgresql:// URL, got ${url.protocol}//`);
  }
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    problems.push(`DATABASE_URL: sslmode=${sslmode} is not one of ${SSL_MODES.join(', ')}`);
  }
  for (const parameter of SSL_FILES) {
    const file = url.searchParams.get(parameter);
    if (file === null) continue;
    try {
      readFileSync(file);
    } catch (error) {
      problems.push(
        `DATABASE_URL: ${parameter} ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  const passwordFile = env['DATABASE_PASSWORD_FILE'];
  if (passwordFile) {
    if (url.password !== '') {
      problems.push('DATABASE_PASSWORD_FILE: set, but DATABASE_URL carries a password too; keep one');
    } else {
      try {
        const password = readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
        if (password === '') problems.push(`DATABASE_PASSWORD_FILE: ${passwordFile} is empty`);
        else url.password = encodeURIComponent(password);
      } catch (error) {
        problems.push(
          `DATABASE_PASSWORD_FILE: cannot read ${passwordFile} (${(error as NodeJS.ErrnoException).code})`,
        );
      }
    }
  }
  return url.toString();
}
