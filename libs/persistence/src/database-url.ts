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
