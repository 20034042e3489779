import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parseYaml } from './observability-kit';

type Service = {
  command?: unknown;
  ports?: unknown;
  environment?: Record<string, unknown>;
  volumes?: string[];
};

const root = resolve(__dirname, '../..');
const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), 'docker-compose.yml') as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);
const isApp = (service: Service) => /apps\/[\w-]+\/src\/main\.ts/.test(JSON.stringify(service.command ?? ''));

/** The deployment defaults issue #11 asks for, read from docker-compose.yml as Docker would. */
describe('docker-compose.yml deployment defaults', () => {
  it('publishes ports on 127.0.0.1 only, and PostgreSQL not at all', () => {
    const published = services.flatMap(([name, service]) =>
      ((service.ports as string[] | undefined) ?? []).map((port) => `${name} ${port}`),
    );
    expect(published.length).toBeGreaterThan(8);
    expect(published.filter((entry) => !/^\S+ 127\.0\.0\.1:\d+:\d+$/.test(entry))).toEqual([]);
    expect(compose.services['postgres']?.ports).toBeUndefined();
  });

  it('runs every service in production mode', () => {
    const apps = services.filter(([, service]) => isApp(service));
    expect(apps.map(([name]) => name)).toEqual(
      expect.arrayContaining(['ingress', 'billing', 'reporting', 'outbound']),
    );
    expect(
      apps.filter(([, service]) => service.environment?.['NODE_ENV'] !== 'production').map(([name]) => name),
    ).toEqual([]);
  });

  it('takes every password, secret and token from the environment, never from the file', () => {
    const credentials = services.flatMap(([name, service]) =>
      Object.entries(service.environment ?? {})
        .filter(([key]) => /PASSWORD|SECRET|TOKEN/.test(key))
        .map(([key, value]) => ({ name, key, value: String(value) })),
    );
    expect(credentials.length).toBeGreaterThan(4);
    expect(credentials.filter(({ value }) => !/^\$\{[A-Z_]+:\?[^}]+\}$/.test(value))).toEqual([]);
    const urls = services.flatMap(([, service]) =>
      Object.values(service.environment ?? {}).filter((value) =>
        /:\/\/[^/\s]*:[^@/\s]*@/.test(String(value)),
      ),
    );
    expect(urls.filter((url) => !/:\/\/[^:]+:\$\{POSTGRES_PASSWORD:\?/.test(String(url)))).toEqual([]);
  });

  it('gives sla the firm SLA file from deploy/sla, mounted read-only where SLA_CONFIG_FILE points', () => {
    const sla = compose.services['sla'];
    const file = String(sla?.environment?.['SLA_CONFIG_FILE']);
    const mounts = (sla?.volumes ?? []).map((volume) => volume.split(':'));
    const mount = mounts.find(([, target]) => file.startsWith(`${target}/`));
    expect(mount).toEqual(['./deploy/sla', expect.any(String), 'ro']);
    const onHost = join(root, mount?.[0] ?? '', file.slice(`${mount?.[1]}/`.length));
    expect(existsSync(onHost)).toBe(true);
    expect(sla?.environment?.['NODE_ENV']).toBe('production');
  });
});
