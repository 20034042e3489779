export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Each service owns one database; its name is derived from the server URL in DATABASE_URL. */
export function databaseUrlFor(
  database: string,
  baseUrl = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL,
): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function serviceDatabaseName(service: string): string {
  return `throughline_${service}`;
}
