import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';

import { databaseUrlFor, readDatabaseUrl, serviceDatabaseName } from './database-url';

const serviceDatabaseUrl = (service: string) => databaseUrlFor(serviceDatabaseName(service));

describe('service database URLs', () => {
  const original = process.env['DATABASE_URL'];
  afterEach(() => {
    if (original === undefined) delete process.env['DATABASE_URL'];
    else process.env['DATABASE_URL'] = original;
  });

  it('derives from the default local URL', () => {
    delete process.env['DATABASE_URL'];
    expect(serviceDatabaseUrl('contract')).toBe('postgresql://postgres@127.0.0.1:5432/throughline_contract');
  });

  it('keeps credentials, host and query parameters of DATABASE_URL', () => {
    process.env['DATABASE_URL'] = 'postgres://app:s%40cret@db.internal:6543/whatever?sslmode=require';
    expect(serviceDatabaseUrl('billing')).toBe(
      'postgres://app:s%40cret@db.internal:6543/throughline_billing?sslmode=require',
    );
  });

  it('rejects names that are not plain identifiers', () => {
    expect(() => databaseUrlFor('x"; DROP DATABASE y')).toThrow(/invalid database name/);
  });
});

describe('the PostgreSQL server URL from the environment', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'database-url-'));
    writeFileSync(join(dir, 'password'), 'p@ss:w/rd %20é\n');
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function read(env: NodeJS.ProcessEnv): { url: string; problems: string[] } {
    const problems: string[] = [];
    return { url: readDatabaseUrl(env, problems), problems };
  }

  it('puts the password file into the URL so the driver reads back exactly the secret', () => {
    const { url, problems } = read({
      DATABASE_URL: `postgresql://app@db.internal:6543/postgres?sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}`,
      DATABASE_PASSWORD_FILE: join(dir, 'password'),
    });
    expect(problems).toEqual([]);
    expect(parse(url)).toMatchObject({
      user: 'app',
      password: 'p@ss:w/rd %20é',
      host: 'db.internal',
      port: '6543',
      sslmode: 'verify-full',
    });
  });

  it('leaves DATABASE_URL alone without a password file, and defaults to the local server', () => {
    expect(read({ DATABASE_URL: 'postgres://app:pw@db/x?sslmode=no-verify' })).toEqual({
      url: 'postgres://app:pw@db/x?sslmode=no-verify',
      problems: [],
    });
    expect(read({})).toEqual({ url: 'postgresql://postgres@127.0.0.1:5432/postgres', problems: [] });
  });

  it('names every problem: sslmode, unreadable TLS files, a doubled or unreadable password', () => {
    expect(
      read({
        DATABASE_URL:
          'postgresql://app:inline@db/x?sslmode=required&sslrootcert=/nope/ca.pem&sslkey=/nope/key.pem',
        DATABASE_PASSWORD_FILE: join(dir, 'password'),
      }).problems,
    ).toEqual([
      'DATABASE_URL: sslmode=required is not one of disable, prefer, require, verify-ca, verify-full, no-verify',
      'DATABASE_URL: sslrootcert /nope/ca.pem cannot be read (ENOENT)',
      'DATABASE_URL: sslkey /nope/key.pem cannot be read (ENOENT)',
      'DATABASE_PASSWORD_FILE: set, but DATABASE_URL carries a password too; keep one',
    ]);
    expect(read({ DATABASE_PASSWORD_FILE: join(dir, 'missing') }).problems).toEqual([
      `DATABASE_PASSWORD_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    ]);
    expect(read({ DATABASE_URL: 'mysql://db/x' }).problems).toEqual([
      'DATABASE_URL: expected a postgresql:// URL, got mysql://',
    ]);
  });
});
