import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';

import { ServiceMetrics } from '@throughline/observability';
import { parseDocument } from 'yaml';

/**
 * Consistency checks of the monitoring kit in deploy/observability against the code it monitors:
 * metric and label names against the registry of libs/observability, scrape targets against
 * docker-compose.yml and the services' ports, runbook links against the README's headings.
 * Each check returns a list of problems (empty: fine), so a test can show all of them at once.
 */

export const KIT_DIR = 'deploy/observability';
export const KIT_README = `${KIT_DIR}/README.md`;
export const OBSERVABILITY_PROFILE = 'observability';
const PROMETHEUS_CONFIG_DIR = '/etc/prometheus';
const SEVERITIES = ['critical', 'warning', 'info'];
/** Labels Prometheus itself puts on every scraped series. */
const SCRAPE_LABELS = ['job', 'instance'];

type Json = Record<string, unknown>;

/** Series name (as written in PromQL) → every label it carries. */
export type SeriesCatalog = ReadonlyMap<string, ReadonlySet<string>>;

export function parseYaml(text: string, name: string): unknown {
  // Compose files use `<<` merge keys (YAML 1.1), which the parser resolves only when asked.
  const document = parseDocument(text, { merge: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new Error(`${name} is not valid YAML: ${document.errors.map((error) => error.message).join('; ')}`);
  }
  return document.toJSON();
}

export function readYaml(root: string, file: string): unknown {
  return parseYaml(readFileSync(join(root, file), 'utf8'), file);
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function labelNamesOf(metric: object, name: string): string[] {
  // prom-client keeps the declared label names on the metric; its MetricObject type omits them.
  const labelNames: unknown = (metric as { labelNames?: unknown }).labelNames ?? [];
  if (!Array.isArray(labelNames) || !labelNames.every((label) => typeof label === 'string')) {
    throw new Error(`cannot read the label names of ${name}`);
  }
  return labelNames;
}

/**
 * Every series a service's registry exposes, read from a real ServiceMetrics instance: declared
 * label names, the registry's default labels (seen on the values of the collected gauges) and the
 * series a histogram adds (`_bucket` with `le`, `_sum`, `_count`).
 */
export async function throughlineSeries(): Promise<SeriesCatalog> {
  const metrics = new ServiceMetrics('probe', {
    consumerLag: async () => [{ group: 'g', topic: 't', partition: 0, lag: 1 }],
    deadLetterDepth: async () => [{ topic: 't.g.dlq', depth: 1 }],
    outboxBacklog: async () => 1,
  });
  const declared = new Map(
    metrics.registry.getMetricsAsArray().map((metric) => [metric.name, labelNamesOf(metric, metric.name)]),
  );
  const defaultLabels = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const own = declared.get(metric.name) ?? [];
    for (const value of metric.values) {
      Object.keys(value.labels)
        .filter((label) => !own.includes(label) && label !== 'le' && label !== 'quantile')
        .forEach((label) => defaultLabels.add(label));
    }
  }
  if (defaultLabels.size === 0) throw new Error('no default labels found on the collected gauges');
  const catalog = new Map<string, Set<string>>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const labels = [...(declared.get(metric.name) ?? []), ...defaultLabels];
    // MetricType is a string enum whose values are the exposition types.
    const type = String(metric.type);
    if (type === 'histogram' || type === 'summary') {
      const extra = type === 'histogram' ? 'le' : 'quantile';
      catalog.set(type === 'histogram' ? `${metric.name}_bucket` : metric.name, new Set([...labels, extra]));
      catalog.set(`${metric.name}_sum`, new Set(labels));
      catalog.set(`${metric.name}_count`, new Set(labels));
    } else {
      catalog.set(metric.name, new Set(labels));
    }
  }
  return catalog;
}

/** Labels Prometheus adds to every series of the throughline job: job, instance and static labels. */
export function targetLabels(prometheus: unknown): Set<string> {
  const labels = new Set(SCRAPE_LABELS);
  const scrapeConfigs = isRecord(prometheus) ? records(prometheus['scrape_configs']) : [];
  for (const scrape of scrapeConfigs) {
    for (const staticConfig of records(scrape['static_configs'])) {
      if (isRecord(staticConfig['labels'])) Object.keys(staticConfig['labels']).forEach((l) => labels.add(l));
    }
  }
  return labels;
}

export interface ExpressionUse {
  /** Series names, in order of appearance (throughline_* and `up`). */
  series: string[];
  /** Unknown throughline_* names. */
  unknownSeries: string[];
  /** `{label=...}` matchers: series and label. */
  matchers: { series: string; label: string }[];
  /** Label lists of by / without / on / ignoring / group_left / group_right clauses. */
  clauses: { keyword: string; labels: string[] }[];
}

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g;
const SELECTOR = /\b([a-zA-Z_:][\w:]*)\s*\{([^{}]*)\}/g;
const MATCHER_LABEL = /([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g;

/** What a PromQL expression refers to; enough of PromQL for the rules of this kit. */
export function analyseExpression(expr: string, catalog: SeriesCatalog): ExpressionUse {
  // Quoted matcher values and regexes may contain anything: blank them out before scanning.
  const text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const names = [...text.matchAll(/\b(throughline_\w+|up)\b(?!\s*\()/g)].map((match) => match[1] as string);
  const series = names.filter((name) => name === 'up' || catalog.has(name));
  const unknownSeries = names.filter((name) => name !== 'up' && !catalog.has(name));
  const matchers = [...text.matchAll(SELECTOR)].flatMap((match) =>
    [...(match[2] as string).matchAll(MATCHER_LABEL)].map((label) => ({
      series: match[1] as string,
      label: label[1] as string,
    })),
  );
  const clauses = [...text.matchAll(GROUPING)].map((match) => ({
    keyword: match[1] as string,
    labels: (match[2] as string)
      .split(',')
      .map((label) => label.trim())
      .filter((label) => label.length > 0),
  }));
  return { series, unknownSeries, matchers, clauses };
}

function labelsOf(series: string, catalog: SeriesCatalog, scrapeLabels: ReadonlySet<string>): Set<string> {
  return new Set([...(catalog.get(series) ?? []), ...scrapeLabels]);
}

function intersection(sets: ReadonlySet<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((label) => rest.every((set) => set.has(label))));
}

/** A heading's anchor as GitHub renders it (lower case, punctuation dropped, spaces to hyphens). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface AlertRule {
  alert: string;
  expr: string;
  group: string;
  rule: Json;
}

export function alertRules(alerts: unknown): AlertRule[] {
  const groups = isRecord(alerts) ? records(alerts['groups']) : [];
  return groups.flatMap((group) =>
    records(group['rules']).map((rule) => ({
      alert: String(rule['alert'] ?? ''),
      expr: String(rule['expr'] ?? ''),
      group: String(group['name'] ?? ''),
      rule,
    })),
  );
}

/**
 * Problems of the alert rules: structure, severity, summary, description, runbook link to a README
 * heading, metric names registered by libs/observability, labels present on the metrics they are
 * used with, and `$labels.x` in annotations present in the alert's output.
 */
export function checkAlerts(
  alerts: unknown,
  catalog: SeriesCatalog,
  scrapeLabels: ReadonlySet<string>,
  readmeAnchors: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const groups = isRecord(alerts) ? records(alerts['groups']) : [];
  if (groups.length === 0) problems.push('alerts: no rule groups');
  for (const group of groups) {
    if (typeof group['name'] !== 'string') problems.push('alerts: a group without a name');
    if (records(group['rules']).length === 0)
      problems.push(`alerts: group ${String(group['name'])} has no rules`);
  }
  const names = new Set<string>();
  for (const { alert, expr, rule } of alertRules(alerts)) {
    const where = `alert ${alert || '(unnamed)'}`;
    if (!/^[A-Za-z_][\w]*$/.test(alert)) problems.push(`${where}: missing or malformed name`);
    if (names.has(alert)) problems.push(`${where}: defined twice`);
    names.add(alert);
    if (!expr.trim()) problems.push(`${where}: no expr`);
    if (rule['for'] !== undefined && !/^(\d+(ms|s|m|h|d|w|y))+$/.test(String(rule['for']))) {
      problems.push(`${where}: for "${String(rule['for'])}" is not a duration`);
    }
    const labels = isRecord(rule['labels']) ? rule['labels'] : {};
    if (!SEVERITIES.includes(String(labels['severity']))) {
      problems.push(`${where}: severity label must be one of ${SEVERITIES.join(', ')}`);
    }
    const annotations = isRecord(rule['annotations']) ? rule['annotations'] : {};
    for (const key of ['summary', 'description', 'runbook']) {
      if (typeof annotations[key] !== 'string' || !(annotations[key] as string).trim()) {
        problems.push(`${where}: no ${key} annotation`);
      }
    }
    const runbook = String(annotations['runbook'] ?? '');
    const [file, anchor] = runbook.split('#');
    if (
      annotations['runbook'] !== undefined &&
      (file !== KIT_README || !anchor || !readmeAnchors.has(anchor))
    ) {
      problems.push(`${where}: runbook "${runbook}" is not a heading of ${KIT_README}`);
    }

    const use = analyseExpression(expr, catalog);
    use.unknownSeries.forEach((name) =>
      problems.push(`${where}: ${name} is not a metric registered by libs/observability`),
    );
    if (use.series.length === 0 && use.unknownSeries.length === 0) {
      problems.push(`${where}: expr uses no throughline metric nor up`);
    }
    // With an unknown name the labels cannot be checked; the name is the problem to fix.
    if (use.unknownSeries.length > 0) continue;
    for (const { series, label } of use.matchers) {
      if (use.series.includes(series) && !labelsOf(series, catalog, scrapeLabels).has(label)) {
        problems.push(`${where}: ${series} has no label "${label}"`);
      }
    }
    // A grouping label must be on every series of the expression (the rules join like series only).
    const available = intersection(use.series.map((series) => labelsOf(series, catalog, scrapeLabels)));
    for (const { keyword, labels: clauseLabels } of use.clauses) {
      for (const label of clauseLabels.filter((label) => !available.has(label))) {
        problems.push(
          `${where}: ${keyword} (${label}): not a label of ${[...new Set(use.series)].join(', ')}`,
        );
      }
    }
    const byLists = use.clauses
      .filter((clause) => clause.keyword === 'by')
      .map((clause) => new Set(clause.labels));
    const without = new Set(
      use.clauses.filter((clause) => clause.keyword === 'without').flatMap((clause) => clause.labels),
    );
    const output =
      byLists.length > 0
        ? intersection(byLists)
        : new Set([...available].filter((label) => !without.has(label)));
    const templates = [...Object.values(annotations), ...Object.values(labels)].map(String).join('\n');
    for (const match of templates.matchAll(/\$labels\.(\w+)/g)) {
      if (!output.has(match[1] as string)) {
        problems.push(`${where}: annotation uses $labels.${match[1]}, which the expression does not keep`);
      }
    }
  }
  return problems;
}

export interface AppService {
  name: string;
  /** The port the service listens on inside the container. */
  port: number;
}

function environmentOf(service: Json): Record<string, string> {
  const environment = service['environment'];
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      strings(environment).map((entry) => [entry.split('=')[0] ?? '', entry.split('=').slice(1).join('=')]),
    );
  }
  return isRecord(environment)
    ? Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]))
    : {};
}

function composeServices(compose: unknown): Record<string, Json> {
  const services = isRecord(compose) ? compose['services'] : undefined;
  return isRecord(services)
    ? Object.fromEntries(
        Object.entries(services).filter((entry): entry is [string, Json] => isRecord(entry[1])),
      )
    : {};
}

/** Container ports a compose service publishes (`host:container`, `container`, long syntax). */
function containerPorts(service: Json): number[] {
  const ports = Array.isArray(service['ports']) ? (service['ports'] as unknown[]) : [];
  return ports.map((port) => {
    if (isRecord(port)) return Number(port['target']);
    const spec = String(port).split('/')[0] ?? '';
    return Number(spec.split(':').pop());
  });
}

/**
 * The compose services that run an app (`apps/<name>/src/main.ts`) and the port each listens on:
 * `<NAME>_PORT` from its environment, else the default the app passes to loadServiceConfig.
 */
export function appServices(compose: unknown, root: string): AppService[] {
  return Object.entries(composeServices(compose)).flatMap(([name, service]) => {
    const command = strings(service['command']).join(' ') || String(service['command'] ?? '');
    const app = /apps\/([\w-]+)\/src\/main\.ts/.exec(command)?.[1];
    if (!app) return [];
    const module = readFileSync(join(root, 'apps', app, 'src', 'app.module.ts'), 'utf8');
    const defaultPort = new RegExp(`loadServiceConfig\\('${app}',\\s*(\\d+)\\)`).exec(module)?.[1];
    if (!defaultPort)
      throw new Error(`apps/${app}/src/app.module.ts: no loadServiceConfig('${app}', <port>)`);
    const configured = environmentOf(service)[`${app.toUpperCase()}_PORT`];
    return [{ name, port: Number(configured ?? defaultPort) }];
  });
}

/** Scrape targets must be compose app services at the port they listen on; every app is scraped. */
export function checkScrapeTargets(prometheus: unknown, compose: unknown, root: string): string[] {
  const problems: string[] = [];
  const apps = appServices(compose, root);
  const services = composeServices(compose);
  const scrapeConfigs = isRecord(prometheus) ? records(prometheus['scrape_configs']) : [];
  const scraped = new Set<string>();
  for (const scrape of scrapeConfigs) {
    const job = String(scrape['job_name']);
    if ((scrape['metrics_path'] ?? '/metrics') !== '/metrics') {
      problems.push(`prometheus job ${job}: metrics_path must be /metrics (where the services serve it)`);
    }
    for (const target of records(scrape['static_configs']).flatMap((config) => strings(config['targets']))) {
      const [host = '', port = ''] = target.split(':');
      const app = apps.find((candidate) => candidate.name === host);
      if (!services[host]) {
        problems.push(`prometheus job ${job}: target ${target} is not a docker-compose service`);
      } else if (!app) {
        problems.push(`prometheus job ${job}: target ${target} does not run a Throughline app`);
      } else if (Number(port) !== app.port) {
        problems.push(`prometheus job ${job}: target ${target}, but ${host} listens on ${app.port}`);
      } else {
        scraped.add(host);
        if (!containerPorts(services[host] as Json).includes(app.port)) {
          problems.push(`docker-compose: ${host} does not publish its port ${app.port}`);
        }
      }
    }
  }
  apps
    .filter((app) => !scraped.has(app.name))
    .forEach((app) =>
      problems.push(`prometheus: service ${app.name} (${app.name}:${app.port}) is not scraped`),
    );
  if (apps.length === 0) problems.push('docker-compose: no Throughline app services found');
  return problems;
}

function mounts(service: Json): { host: string; container: string }[] {
  return strings(service['volumes']).map((volume) => {
    const [host = '', container = ''] = volume.split(':');
    return { host, container };
  });
}

/**
 * The monitoring services run only under the observability profile, leave the default stack alone,
 * and mount the kit's files where Prometheus reads them; rule_files resolve to mounted files.
 */
export function checkCompose(compose: unknown, prometheus: unknown, root: string): string[] {
  const problems: string[] = [];
  const services = composeServices(compose);
  const profiled = Object.entries(services).filter(([, service]) => strings(service['profiles']).length > 0);
  for (const required of ['prometheus', 'jaeger']) {
    if (!services[required]) problems.push(`docker-compose: no ${required} service`);
  }
  for (const [name, service] of profiled) {
    if (
      !['prometheus', 'jaeger'].includes(name) ||
      strings(service['profiles']).join() !== OBSERVABILITY_PROFILE
    ) {
      problems.push(`docker-compose: ${name} has profiles ${strings(service['profiles']).join()}`);
    }
  }
  for (const name of ['prometheus', 'jaeger']) {
    if (services[name] && !profiled.some(([profiledName]) => profiledName === name)) {
      problems.push(`docker-compose: ${name} must be in the ${OBSERVABILITY_PROFILE} profile only`);
    }
  }
  for (const [name, service] of Object.entries(services).filter(
    ([, s]) => strings(s['profiles']).length === 0,
  )) {
    const dependsOn = service['depends_on'];
    const dependencies = Array.isArray(dependsOn)
      ? strings(dependsOn)
      : isRecord(dependsOn)
        ? Object.keys(dependsOn)
        : [];
    dependencies
      .filter((dependency) => profiled.some(([profiledName]) => profiledName === dependency))
      .forEach((dependency) =>
        problems.push(`docker-compose: ${name} (default stack) depends on ${dependency}`),
      );
    Object.keys(environmentOf(service))
      .filter((variable) => variable.startsWith('OTEL_'))
      .forEach((variable) =>
        problems.push(`docker-compose: ${name} sets ${variable}; the default stack keeps the file exporter`),
      );
  }

  const prometheusService = services['prometheus'];
  if (prometheusService) {
    const volumeMounts = mounts(prometheusService);
    for (const { host } of volumeMounts) {
      if (!existsSync(join(root, host)))
        problems.push(`docker-compose: prometheus mounts ${host}, which does not exist`);
    }
    const mountedAt = (container: string) =>
      volumeMounts.find((mount) => posix.normalize(mount.container) === posix.normalize(container));
    const config = mountedAt(posix.join(PROMETHEUS_CONFIG_DIR, 'prometheus.yml'));
    if (!config || relative(root, resolve(root, config.host)) !== `${KIT_DIR}/prometheus.yml`) {
      problems.push(
        `docker-compose: prometheus must mount ${KIT_DIR}/prometheus.yml at ${PROMETHEUS_CONFIG_DIR}/prometheus.yml`,
      );
    }
    const ruleFiles = isRecord(prometheus) ? strings(prometheus['rule_files']) : [];
    if (ruleFiles.length === 0) problems.push('prometheus: no rule_files');
    for (const ruleFile of ruleFiles) {
      const inContainer = posix.isAbsolute(ruleFile) ? ruleFile : posix.join(PROMETHEUS_CONFIG_DIR, ruleFile);
      const mount = mountedAt(inContainer);
      if (!mount) problems.push(`docker-compose: prometheus does not mount rule file ${inContainer}`);
      // The same relative layout in the repository, for a Prometheus pointed at this directory.
      if (isAbsolute(ruleFile) || !existsSync(join(root, KIT_DIR, ruleFile))) {
        problems.push(`prometheus: rule file ${ruleFile} is not in ${KIT_DIR}`);
      } else if (mount && relative(root, resolve(root, mount.host)) !== `${KIT_DIR}/${ruleFile}`) {
        problems.push(
          `docker-compose: ${inContainer} is mounted from ${mount.host}, not ${KIT_DIR}/${ruleFile}`,
        );
      }
    }
    if (!containerPorts(prometheusService).includes(9090))
      problems.push('docker-compose: prometheus does not publish 9090');
  }
  const jaeger = services['jaeger'];
  if (jaeger) {
    for (const port of [4318, 16686]) {
      if (!containerPorts(jaeger).includes(port))
        problems.push(`docker-compose: jaeger does not publish ${port}`);
    }
  }
  return problems;
}

/** The tracing override sends every app's traces to the jaeger service over OTLP/HTTP. */
export function checkTracingOverride(override: unknown, compose: unknown, root: string): string[] {
  const problems: string[] = [];
  const apps = appServices(compose, root).map((app) => app.name);
  const services = composeServices(override);
  for (const [name, service] of Object.entries(services)) {
    if (!apps.includes(name)) problems.push(`tracing override: ${name} is not a Throughline app service`);
    const environment = environmentOf(service);
    if (environment['OTEL_TRACES_EXPORTER'] !== 'otlp') {
      problems.push(`tracing override: ${name} must set OTEL_TRACES_EXPORTER=otlp`);
    }
    const endpoint = environment['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '';
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (url?.hostname !== 'jaeger' || url.port !== '4318') {
      problems.push(
        `tracing override: ${name} OTEL_EXPORTER_OTLP_ENDPOINT "${endpoint}" is not http://jaeger:4318`,
      );
    }
  }
  apps
    .filter((app) => !services[app])
    .forEach((app) => problems.push(`tracing override: ${app} keeps the file exporter`));
  return problems;
}
