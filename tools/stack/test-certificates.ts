import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { HOST } from './config';

/** PEM files made for one test run; nothing outside the test trusts them. */
export interface TestCertificates {
  /** The CA that signed the server and client certificates. */
  ca: string;
  caKey: string;
  /** For 127.0.0.1 and localhost, usable as server and as client (a broker talks to itself). */
  serverCert: string;
  serverKey: string;
  /** Client certificate with CN `clientName`. */
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  otherCa: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA (openssl). */
export function makeTestCertificates(dir: string, clientName = 'throughline'): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSigned = (name: string, subject: string) =>
    openssl([
      'req',
      '-x509',
      ...key,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      subject,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  const signed = (name: string, subject: string, extensions: string[]) =>
    openssl([
      'req',
      '-x509',
      ...key,
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      subject,
      ...extensions.flatMap((extension) => ['-addext', extension]),
    ]);
  selfSigned('ca', '/CN=Throughline test CA');
  selfSigned('other-ca', '/CN=Some other CA');
  signed('server', `/CN=${HOST}`, [
    `subjectAltName=IP:${HOST},DNS:localhost`,
    'extendedKeyUsage=serverAuth,clientAuth',
  ]);
  signed('client', `/CN=${clientName}`, ['extendedKeyUsage=clientAuth']);
  return {
    ca: path('ca.pem'),
    caKey: path('ca.key'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    otherCa: path('other-ca.pem'),
  };
}

export function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

/** Ports nothing listens on now (the OS picks them; the server binds them a moment later). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
