import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { HOST } from './config';
import { freePorts, makeTestCertificates, TestCertificates } from './test-certificates';

/**
 * A throwaway PostgreSQL server that accepts only TLS with a client certificate and a SCRAM
 * password, as a managed production database may: the shared local server (trust, no TLS) cannot
 * show that credentials and TLS settings are honoured.
 */
export interface SecurePostgres {
  host: string;
  port: number;
  /** A login role that may create databases; its client certificate has CN equal to its name. */
  user: string;
  password: string;
  certificates: TestCertificates;
  stop(): Promise<void>;
}

/** Starts the server (initdb, TLS on, pg_hba with hostssl + clientcert=verify-full) and creates the user. */
export async function startSecurePostgres(): Promise<SecurePostgres> {
  const bin = postgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'throughline-secure-postgres-'));
  const data = join(dir, 'data');
  const user = 'throughline';
  const password = randomBytes(12).toString('hex');
  const superPassword = randomBytes(12).toString('hex');
  const certificates = makeTestCertificates(join(dir, 'tls'), user);
  const [port] = await freePorts(1);
  // initdb and postgres refuse to run as root: as root, run them as the system's postgres user.
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    try {
      execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    } catch (error) {
      const output = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`;
      throw new Error(`${command} failed: ${output.trim() || (error as Error).message}`);
    }
  };
  const stop = async () => {
    if (existsSync(join(data, 'postmaster.pid')))
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(join(dir, 'superuser.pass'), superPassword);
    if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
    run(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${join(dir, 'superuser.pass')}`,
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    for (const [from, to] of [
      [certificates.serverCert, 'server.crt'],
      [certificates.serverKey, 'server.key'],
      [certificates.ca, 'root.crt'],
    ] as const) {
      copyFileSync(from, join(data, to));
      chmodSync(join(data, to), 0o600);
    }
    if (asRoot) execFileSync('chown', ['-R', 'postgres', data]);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `listen_addresses = '${HOST}'`,
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        'ssl = on',
        "ssl_cert_file = 'server.crt'",
        "ssl_key_file = 'server.key'",
        "ssl_ca_file = 'root.crt'",
        'fsync = off',
        'shared_buffers = 16MB',
        'max_connections = 30',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(data, 'pg_hba.conf'),
      [
        `hostssl all postgres ${HOST}/32 scram-sha-256`,
        `hostssl all ${user} ${HOST}/32 scram-sha-256 clientcert=verify-full`,
        `host all all ${HOST}/32 reject`,
        '',
      ].join('\n'),
    );
    run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
    const admin = new Client({
      host: HOST,
      port,
      user: 'postgres',
      password: superPassword,
      database: 'postgres',
      ssl: { ca: readFileSync(certificates.ca, 'utf8') },
    });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${user} LOGIN CREATEDB PASSWORD '${password}'`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: HOST, port, user, password, certificates, stop };
}

/** The directory of initdb/pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/<n>/bin, else PATH. */
function postgresBinaries(): string {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(root, versions[0], 'bin');
  const found = execFileSync('sh', ['-c', 'command -v initdb || true'], { encoding: 'utf8' }).trim();
  if (!found) throw new Error('initdb not found: install PostgreSQL server binaries or set PG_BIN');
  return join(found, '..');
}
