import { ConfigurationError } from '@throughline/platform';

import { loadOpsConfig } from './config';

describe('loadOpsConfig', () => {
  it('connects like the services: plaintext by default', () => {
    expect(loadOpsConfig({})).toEqual({
      kafka: { brokers: ['127.0.0.1:9092'] },
      registry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' },
      serverUrl: 'postgresql://postgres@127.0.0.1:5432/postgres',
      databaseName: 'throughline_ops',
      topicPrefix: '',
    });
  });

  it('reads the same Kafka SASL/TLS and registry variables as the services', () => {
    const config = loadOpsConfig({
      KAFKA_BROKERS: 'kafka-1:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ops',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_TLS: 'on',
      SCHEMA_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7',
      SCHEMA_REGISTRY_USERNAME: 'key',
      SCHEMA_REGISTRY_PASSWORD: 'secret',
    });
    expect(config.kafka).toEqual({
      brokers: ['kafka-1:9094'],
      sasl: { mechanism: 'scram-sha-512', username: 'ops', password: 'pw' },
      tls: {},
    });
    expect(config.registry).toEqual({
      url: 'https://registry.example/apis/ccompat/v7',
      auth: { username: 'key', password: 'secret' },
    });
  });

  it('names every bad variable at once, the connection ones included', () => {
    const load = () => loadOpsConfig({ TOPIC_PREFIX: 'UPPER', KAFKA_SASL_USERNAME: 'ops' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/TOPIC_PREFIX/);
    expect(load).toThrow(/KAFKA_SASL_USERNAME: set, but KAFKA_SASL_MECHANISM is not/);
  });
});
