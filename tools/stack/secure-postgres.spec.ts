import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

import { MESSAGING_MIGRATIONS } from '@throughline/messaging';
import { loadServiceConfig } from '@throughline/messaging-nest';
import { createDatabaseIfMissing, migrate } from '@throughline/persistence';
import { ConfigurationError } from '@throughline/platform';

import { REPO_ROOT } from './config';
import { SecurePostgres, startSecurePostgres } from './secure-postgres';

jest.setTimeout(60_000);

const WHO_AND_HOW = `SELECT current_user AS "user", ssl, client_dn AS "clientDn"
                       FROM pg_stat_ssl WHERE pid = pg_backend_pid()`;

/**
 * PostgreSQL credentials and TLS as the services and the ops CLI take them (DATABASE_URL with
 * `sslmode`, `sslrootcert`, `sslcert`, `sslkey`; DATABASE_PASSWORD_FILE; PGPASSWORD), against a
 * server that accepts only TLS with a client certificate and a SCRAM password. Both drivers in use
 * are checked: pg (migrations, outbox, inbox) and Prisma's pg adapter (the services' repositories).
 */
describe('PostgreSQL over TLS with a password and a client certificate', () => {
  let server: SecurePostgres;
  let passwordFile: string;

  beforeAll(async () => {
    server = await startSecurePostgres();
    passwordFile = join(server.certificates.ca, '..', 'db.pass');
    writeFileSync(passwordFile, `${server.password}\n`);
  });

  afterAll(() => server?.stop());

  /** DATABASE_URL without a password; `params` replace the TLS parameters. */
  function databaseUrl(params: Record<string, string | undefined> = {}): string {
    const url = new URL(`postgresql://${server.user}@${server.host}:${server.port}/postgres`);
    const all = {
      sslmode: 'verify-full',
      sslrootcert: server.certificates.ca,
      sslcert: server.certificates.clientCert,
      sslkey: server.certificates.clientKey,
      ...params,
    };
    for (const [name, value] of Object.entries(all))
      if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  }

  async function whoAndHow(connectionString: string) {
    const pool = new Pool({ connectionString, max: 1 });
    try {
      return (await pool.query(WHO_AND_HOW)).rows[0];
    } finally {
      await pool.end();
    }
  }

  async function failureOf(connectionString: string): Promise<string> {
    return whoAndHow(connectionString).then(
      () => 'connected',
      (error: Error) => error.message,
    );
  }

  it('serves a service configured only through the environment, through pg and through the Prisma adapter', async () => {
    const config = loadServiceConfig('secure', 0, {
      DATABASE_URL: databaseUrl(),
      DATABASE_PASSWORD_FILE: passwordFile,
      DATABASE_NAME: 'throughline_secure',
    });
    // What MessagingRuntime.start does with it: create the database, migrate it.
    await createDatabaseIfMissing(config.databaseName, config.databaseUrl);
    await migrate(config.databaseUrl, [MESSAGING_MIGRATIONS]);
    expect(await whoAndHow(config.databaseUrl)).toEqual({
      user: 'throughline',
      ssl: true,
      clientDn: '/CN=throughline',
    });

    const adapter = await new PrismaPg({ connectionString: config.databaseUrl }).connect();
    try {
      const result = await adapter.queryRaw({ sql: WHO_AND_HOW, args: [], argTypes: [] });
      expect(result.rows).toEqual([['throughline', true, '/CN=throughline']]);
    } finally {
      await adapter.dispose();
    }
  });

  it('takes the password from PGPASSWORD when neither the URL nor a file has one (pg and Prisma alike)', async () => {
    const before = process.env['PGPASSWORD'];
    process.env['PGPASSWORD'] = server.password;
    try {
      expect(await whoAndHow(databaseUrl())).toMatchObject({ user: 'throughline', ssl: true });
      const adapter = await new PrismaPg({ connectionString: databaseUrl() }).connect();
      await adapter.dispose();
    } finally {
      if (before === undefined) delete process.env['PGPASSWORD'];
      else process.env['PGPASSWORD'] = before;
    }
  });

  it('refuses a wrong password, no TLS, an unknown CA and a missing client certificate, each with its reason', async () => {
    const withPassword = (url: string, password = server.password) => {
      const parsed = new URL(url);
      parsed.password = password;
      return parsed.toString();
    };
    expect(await failureOf(withPassword(databaseUrl(), 'wrong'))).toBe(
      'password authentication failed for user "throughline"',
    );
    expect(
      await failureOf(
        withPassword(
          databaseUrl({ sslmode: 'disable', sslrootcert: undefined, sslcert: undefined, sslkey: undefined }),
        ),
      ),
    ).toMatch(
      /pg_hba.conf rejects connection for host "127.0.0.1", user "throughline", database "postgres", no encryption/,
    );
    expect(await failureOf(withPassword(databaseUrl({ sslrootcert: server.certificates.otherCa })))).toBe(
      'self-signed certificate in certificate chain',
    );
    // pg 8 verifies the certificate with sslmode=require too (libpq would not, without uselibpqcompat).
    expect(
      await failureOf(
        withPassword(databaseUrl({ sslmode: 'require', sslrootcert: server.certificates.otherCa })),
      ),
    ).toBe('self-signed certificate in certificate chain');
    expect(await failureOf(withPassword(databaseUrl({ sslcert: undefined, sslkey: undefined })))).toMatch(
      /connection requires a valid client certificate/,
    );
  });

  it('names a missing TLS file, a bad sslmode and a doubled password at start', () => {
    const load = () =>
      loadServiceConfig('secure', 0, {
        DATABASE_URL: withUserPassword(
          databaseUrl({ sslmode: 'verify_full', sslrootcert: '/nonexistent/ca.pem' }),
        ),
        DATABASE_PASSWORD_FILE: passwordFile,
      });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      /DATABASE_URL: sslmode=verify_full is not one of disable, prefer, require, verify-ca, verify-full, no-verify/,
    );
    expect(load).toThrow(/DATABASE_URL: sslrootcert \/nonexistent\/ca.pem cannot be read \(ENOENT\)/);
    expect(load).toThrow(/DATABASE_PASSWORD_FILE: set, but DATABASE_URL carries a password too/);
  });

  it('serves the ops CLI with the same variables', async () => {
    const env = { DATABASE_URL: databaseUrl(), DATABASE_PASSWORD_FILE: passwordFile };
    const audit = await throughline(['dlq', 'audit'], env);
    expect(audit).toMatchObject({ code: 0, stderr: '' });

    const wrongFile = join(passwordFile, '..', 'wrong.pass');
    writeFileSync(wrongFile, 'wrong\n');
    const refused = await throughline(['dlq', 'audit'], { ...env, DATABASE_PASSWORD_FILE: wrongFile });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(
      /PostgreSQL at 127.0.0.1:\d+ refused the login: password authentication failed for user "throughline" \(28P01\)/,
    );

    const missing = await throughline(['dlq', 'audit'], {
      ...env,
      DATABASE_PASSWORD_FILE: `${passwordFile}.missing`,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/DATABASE_PASSWORD_FILE: cannot read .*\.missing \(ENOENT\)/);
  });
});

function withUserPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = 'inline';
  return parsed.toString();
}

/** Runs the ops CLI as an operator would, with only `env` as its environment. */
function throughline(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(REPO_ROOT, 'apps/ops/bin/throughline.js'), ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
        timeout: 60_000,
      },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}
