import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigurationError } from '@throughline/platform';

import { loadMessagingConnection, readMessagingConnection } from './connection-config';

describe('the Kafka and registry connection from the environment', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'connection-config-'));
    for (const name of ['ca', 'client', 'other']) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          file(`${name}.key`),
          '-out',
          file(`${name}.pem`),
          '-days',
          '1',
          '-subj',
          `/CN=${name}`,
        ],
        { stdio: 'ignore' },
      );
    }
    writeFileSync(file('password'), 's3cret\n');
    writeFileSync(file('empty'), '\n');
    writeFileSync(file('not-pem'), 'hello');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Every problem reported for `env`, one per line. */
  function problems(env: NodeJS.ProcessEnv): string[] {
    const found: string[] = [];
    readMessagingConnection(env, found);
    return found;
  }

  it('is plaintext without credentials by default, as the local stack needs', () => {
    expect(loadMessagingConnection({})).toEqual({
      kafka: { brokers: ['127.0.0.1:9092'] },
      registry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' },
    });
    // Compose passes unset variables as empty strings.
    expect(
      loadMessagingConnection({ KAFKA_SASL_MECHANISM: '', KAFKA_TLS: '', KAFKA_TLS_CA_FILE: '' }).kafka,
    ).toEqual({
      brokers: ['127.0.0.1:9092'],
    });
  });

  it('reads SCRAM credentials, mutual TLS and registry basic auth with its CA', () => {
    const connection = loadMessagingConnection({
      KAFKA_BROKERS: 'k1:9093, k2:9093',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'billing',
      KAFKA_SASL_PASSWORD_FILE: file('password'),
      KAFKA_TLS: 'on',
      KAFKA_TLS_CA_FILE: file('ca.pem'),
      KAFKA_TLS_CERT_FILE: file('client.pem'),
      KAFKA_TLS_KEY_FILE: file('client.key'),
      SCHEMA_REGISTRY_URL: 'https://registry.example:8081',
      SCHEMA_REGISTRY_USERNAME: 'api-key',
      SCHEMA_REGISTRY_PASSWORD: 'api-secret',
      SCHEMA_REGISTRY_CA_FILE: file('ca.pem'),
    });
    expect(connection).toEqual({
      kafka: {
        brokers: ['k1:9093', 'k2:9093'],
        // The file's trailing newline is not part of the password.
        sasl: { mechanism: 'scram-sha-512', username: 'billing', password: 's3cret' },
        tls: {
          ca: readFileSync(file('ca.pem'), 'utf8'),
          cert: readFileSync(file('client.pem'), 'utf8'),
          key: readFileSync(file('client.key'), 'utf8'),
        },
      },
      registry: {
        url: 'https://registry.example:8081',
        auth: { username: 'api-key', password: 'api-secret' },
        ca: readFileSync(file('ca.pem'), 'utf8'),
      },
    });
    // TLS with the system's CAs only.
    expect(loadMessagingConnection({ KAFKA_TLS: 'true' }).kafka.tls).toEqual({});
  });

  it('names a mechanism without credentials, and credentials without a mechanism', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-256',
      'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with KAFKA_SASL_MECHANISM=scram-sha-256',
    ]);
    expect(problems({ KAFKA_SASL_USERNAME: 'billing', KAFKA_SASL_PASSWORD: 'x' })).toEqual([
      'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: set, but KAFKA_SASL_MECHANISM is not (scram-sha-256, scram-sha-512, plain); without it the client would connect unauthenticated',
    ]);
    expect(problems({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_TLS: 'yes' })).toEqual([
      'KAFKA_SASL_MECHANISM: scram-sha-256, scram-sha-512, plain',
      'KAFKA_TLS: on or off',
    ]);
  });

  it('refuses PLAIN without TLS unless explicitly allowed', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
    expect(problems(plain)).toEqual([
      'KAFKA_SASL_MECHANISM: plain sends the password in clear text; set KAFKA_TLS=on (or KAFKA_SASL_PLAIN_WITHOUT_TLS=allow on a network you trust)',
    ]);
    expect(problems({ ...plain, KAFKA_TLS: 'on' })).toEqual([]);
    expect(loadMessagingConnection({ ...plain, KAFKA_SASL_PLAIN_WITHOUT_TLS: 'allow' }).kafka.sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
  });

  it('names unreadable, empty, non-PEM and mismatched files, and contradictions, all at once', () => {
    expect(
      problems({
        KAFKA_TLS: 'on',
        KAFKA_TLS_CA_FILE: file('missing.pem'),
        KAFKA_TLS_CERT_FILE: file('not-pem'),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'billing',
        KAFKA_SASL_PASSWORD: 'inline',
        KAFKA_SASL_PASSWORD_FILE: file('password'),
        SCHEMA_REGISTRY_USERNAME: 'api-key',
        SCHEMA_REGISTRY_PASSWORD_FILE: file('empty'),
      }),
    ).toEqual([
      `KAFKA_TLS_CA_FILE: cannot read ${file('missing.pem')} (ENOENT)`,
      `KAFKA_TLS_CERT_FILE: ${file('not-pem')} is not PEM (no "-----BEGIN" line)`,
      'KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE: set both (mutual TLS) or neither',
      'KAFKA_SASL_PASSWORD, KAFKA_SASL_PASSWORD_FILE: set only one of them',
      `SCHEMA_REGISTRY_PASSWORD_FILE: ${file('empty')} is empty`,
      'SCHEMA_REGISTRY_USERNAME: basic authentication over http sends the password in clear text; use an https SCHEMA_REGISTRY_URL',
    ]);
    expect(
      problems({
        KAFKA_TLS: 'on',
        KAFKA_TLS_CERT_FILE: file('client.pem'),
        KAFKA_TLS_KEY_FILE: file('other.key'),
      }),
    ).toEqual([
      expect.stringMatching(
        /^KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE: not usable together: .*key values mismatch/,
      ),
    ]);
    expect(problems({ KAFKA_TLS_CA_FILE: file('ca.pem'), SCHEMA_REGISTRY_CA_FILE: file('ca.pem') })).toEqual([
      'KAFKA_TLS_CA_FILE: set, but KAFKA_TLS is off; set KAFKA_TLS=on to use TLS',
      'SCHEMA_REGISTRY_CA_FILE: set, but SCHEMA_REGISTRY_URL is not https',
    ]);
    expect(problems({ SCHEMA_REGISTRY_URL: 'https://r', SCHEMA_REGISTRY_PASSWORD: 'p' })).toEqual([
      'SCHEMA_REGISTRY_USERNAME: required with a registry password',
    ]);
  });

  it('throws one ConfigurationError listing every problem', () => {
    const load = () =>
      loadMessagingConnection({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_TLS_KEY_FILE: 'k' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      'Invalid configuration:\n' +
        '  KAFKA_TLS_KEY_FILE: set, but KAFKA_TLS is off; set KAFKA_TLS=on to use TLS\n' +
        '  KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-512\n' +
        '  KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE: required with KAFKA_SASL_MECHANISM=scram-sha-512',
    );
  });
});
