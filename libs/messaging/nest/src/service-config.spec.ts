import { ConfigurationError } from '@throughline/platform';

import { loadServiceConfig } from './service-config';

describe('loadServiceConfig', () => {
  it('derives the service database from the DATABASE_URL server and uses defaults', () => {
    const config = loadServiceConfig('billing', 3005, {
      DATABASE_URL: 'postgresql://app:pw@db:6543/ignored',
    });
    expect(config).toMatchObject({
      service: 'billing',
      port: 3005,
      brokers: ['127.0.0.1:9092'],
      databaseName: 'throughline_billing',
      databaseUrl: 'postgresql://app:pw@db:6543/throughline_billing',
      topicPrefix: '',
    });
  });

  it('reads the per-service port, broker list, prefix and database name override', () => {
    const config = loadServiceConfig('billing', 3005, {
      BILLING_PORT: '4000',
      KAFKA_BROKERS: 'a:9092, b:9092',
      TOPIC_PREFIX: 'staging.',
      DATABASE_NAME: 'billing_e2e',
    });
    expect(config).toMatchObject({
      port: 4000,
      brokers: ['a:9092', 'b:9092'],
      topicPrefix: 'staging.',
      databaseName: 'billing_e2e',
    });
  });

  it('fails fast naming every bad variable', () => {
    const load = () =>
      loadServiceConfig('billing', 3005, {
        BILLING_PORT: 'eighty',
        SCHEMA_REGISTRY_URL: 'not a url',
        TOPIC_PREFIX: 'UPPER',
      });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/BILLING_PORT/);
    expect(load).toThrow(/SCHEMA_REGISTRY_URL/);
    expect(load).toThrow(/TOPIC_PREFIX/);
  });

  it('reads Kafka SASL/TLS and registry credentials, reporting their problems with the others', () => {
    const config = loadServiceConfig('billing', 3005, {
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'billing',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_TLS: 'on',
      SCHEMA_REGISTRY_URL: 'https://registry.example',
      SCHEMA_REGISTRY_USERNAME: 'key',
      SCHEMA_REGISTRY_PASSWORD: 'secret',
    });
    expect(config).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'https://registry.example',
      kafkaSecurity: { sasl: { mechanism: 'scram-sha-256', username: 'billing', password: 'pw' }, tls: {} },
      registrySecurity: { auth: { username: 'key', password: 'secret' } },
    });
    const load = () =>
      loadServiceConfig('billing', 3005, { BILLING_PORT: 'eighty', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(load).toThrow(/BILLING_PORT/);
    expect(load).toThrow(/KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-512/);
  });
});
