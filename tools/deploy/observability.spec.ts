import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  KIT_DIR,
  KIT_README,
  SeriesCatalog,
  alertRules,
  analyseExpression,
  appServices,
  checkAlerts,
  checkCompose,
  checkScrapeTargets,
  checkTracingOverride,
  headingAnchors,
  parseYaml,
  targetLabels,
  throughlineSeries,
} from './observability-kit';

const root = resolve(__dirname, '../..');
const text = (file: string) => readFileSync(join(root, file), 'utf8');
const files = {
  prometheus: `${KIT_DIR}/prometheus.yml`,
  alerts: `${KIT_DIR}/alerts.yml`,
  override: `${KIT_DIR}/compose.tracing.yml`,
  compose: 'docker-compose.yml',
};

/** `file`'s text with `from` replaced by `to` (which must occur), parsed. */
function edited(file: string, from: string | RegExp, to: string): unknown {
  const original = text(file);
  const changed = original.replace(from, to);
  expect(changed).not.toBe(original);
  return parseYaml(changed, file);
}

describe('monitoring kit (deploy/observability)', () => {
  let catalog: SeriesCatalog;
  let prometheus: unknown;
  let alerts: unknown;
  let compose: unknown;
  let override: unknown;
  let anchors: Set<string>;
  const alertProblems = (rules: unknown, readmeAnchors = anchors) =>
    checkAlerts(rules, catalog, targetLabels(prometheus), readmeAnchors);

  beforeAll(async () => {
    catalog = await throughlineSeries();
    prometheus = parseYaml(text(files.prometheus), files.prometheus);
    alerts = parseYaml(text(files.alerts), files.alerts);
    compose = parseYaml(text(files.compose), files.compose);
    override = parseYaml(text(files.override), files.override);
    anchors = headingAnchors(text(KIT_README));
  });

  it('reads metric names and labels from the libs/observability registry', () => {
    expect(catalog.get('throughline_dead_letter_depth')).toEqual(new Set(['topic', 'service']));
    expect(catalog.get('throughline_handler_duration_seconds_bucket')).toEqual(
      new Set(['event_type', 'group', 'service', 'le']),
    );
    expect(catalog.has('throughline_handler_duration_seconds_count')).toBe(true);
    expect(catalog.has('throughline_handler_duration_seconds')).toBe(false);
    expect(catalog.get('throughline_sla_breaches_total')).toEqual(new Set(['sla', 'owner', 'service']));
  });

  it('scrapes every app service of docker-compose.yml at its service name and port', () => {
    expect(appServices(compose, root).map((app) => `${app.name}:${app.port}`)).toEqual([
      'ingress:3001',
      'contract:3002',
      'project:3003',
      'staffing:3004',
      'billing:3005',
      'reporting:3006',
      'sla:3007',
      'outbound:3008',
    ]);
    expect(checkScrapeTargets(prometheus, compose, root)).toEqual([]);
  });

  it('has the alerts SREs need, each with severity, summary, description and a runbook section', () => {
    expect(alertRules(alerts).map((rule) => rule.alert)).toEqual([
      'ThroughlineServiceDown',
      'ThroughlineDeadLetters',
      'ThroughlineConsumerLagGrowing',
      'ThroughlineOutboxNotDraining',
      'ThroughlineOutboxEventParked',
      'ThroughlineRetryRateHigh',
      'ThroughlineHandlerLatencyHigh',
      'ThroughlineSlaBreached',
    ]);
    expect(alertProblems(alerts)).toEqual([]);
  });

  it('runs Prometheus and Jaeger only under the observability profile, with the kit mounted', () => {
    expect(checkCompose(compose, prometheus, root)).toEqual([]);
  });

  it('the tracing override points every service at Jaeger', () => {
    expect(checkTracingOverride(override, compose, root)).toEqual([]);
  });

  describe('catches mistakes', () => {
    it('a misspelled metric name', () => {
      const rules = edited(
        files.alerts,
        'max by (service, topic) (throughline_dead_letter_depth)',
        'max by (service, topic) (throughline_deadletter_depth)',
      );
      expect(alertProblems(rules)).toEqual([
        'alert ThroughlineDeadLetters: throughline_deadletter_depth is not a metric registered by libs/observability',
      ]);
    });

    it('the histogram without its _bucket suffix', () => {
      const rules = edited(
        files.alerts,
        'throughline_handler_duration_seconds_bucket',
        'throughline_handler_duration_seconds',
      );
      expect(alertProblems(rules)).toContain(
        'alert ThroughlineHandlerLatencyHigh: throughline_handler_duration_seconds is not a metric registered by libs/observability',
      );
    });

    it('grouping by a label the metric does not have', () => {
      const rules = edited(files.alerts, 'max by (service, topic)', 'max by (service, group, topic)');
      expect(alertProblems(rules)).toEqual([
        'alert ThroughlineDeadLetters: by (group): not a label of throughline_dead_letter_depth',
      ]);
    });

    it('a matcher on a label the metric does not have', () => {
      const use = analyseExpression(
        'sum(rate(throughline_retries_total{tier="1", outcome=~"x|y"}[5m]))',
        catalog,
      );
      expect(use.matchers.map((matcher) => matcher.label)).toEqual(['tier', 'outcome']);
      const rules = edited(
        files.alerts,
        /rate\(throughline_retries_total\[10m\]\)\)\s*\//,
        'rate(throughline_retries_total{outcome="retried"}[10m])) /',
      );
      expect(alertProblems(rules)).toContain(
        'alert ThroughlineRetryRateHigh: throughline_retries_total has no label "outcome"',
      );
    });

    it('an annotation label the aggregation drops', () => {
      const rules = edited(
        files.alerts,
        "'SLA {{ $labels.sla }} breached",
        "'SLA {{ $labels.sla }} breached for {{ $labels.instance }}",
      );
      expect(alertProblems(rules)).toEqual([
        'alert ThroughlineSlaBreached: annotation uses $labels.instance, which the expression does not keep',
      ]);
    });

    it('a runbook without its README section, and a missing severity', () => {
      const withoutSection = new Set(
        [...anchors].filter((anchor) => anchor !== 'throughlineoutboxnotdraining'),
      );
      expect(alertProblems(alerts, withoutSection)).toEqual([
        `alert ThroughlineOutboxNotDraining: runbook "${KIT_README}#throughlineoutboxnotdraining" is not a heading of ${KIT_README}`,
      ]);
      const rules = edited(
        files.alerts,
        /severity: critical\n(\s+annotations:\n\s+summary: '\{\{ \$labels.service \}\} outbox)/,
        'team: ops\n$1',
      );
      expect(alertProblems(rules)).toEqual([
        'alert ThroughlineOutboxNotDraining: severity label must be one of critical, warning, info',
      ]);
    });

    it('a scrape target on the wrong port, one that is not a compose service, and a service not scraped', () => {
      expect(
        checkScrapeTargets(edited(files.prometheus, 'billing:3005', 'billing:3050'), compose, root),
      ).toEqual([
        'prometheus job throughline: target billing:3050, but billing listens on 3005',
        'prometheus: service billing (billing:3005) is not scraped',
      ]);
      expect(checkScrapeTargets(edited(files.prometheus, 'sla:3007', 'slas:3007'), compose, root)).toEqual([
        'prometheus job throughline: target slas:3007 is not a docker-compose service',
        'prometheus: service sla (sla:3007) is not scraped',
      ]);
    });

    it('monitoring in the default stack, or the default stack exporting to Jaeger', () => {
      expect(
        checkCompose(
          edited(files.compose, /\n {4}profiles: \['observability'\]\n {4}volumes:/, '\n    volumes:'),
          prometheus,
          root,
        ),
      ).toEqual(['docker-compose: prometheus must be in the observability profile only']);
      const exporting = edited(
        files.compose,
        '    HOST: 0.0.0.0\n',
        '    HOST: 0.0.0.0\n    OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318\n',
      );
      expect(checkCompose(exporting, prometheus, root)).toContain(
        'docker-compose: ingress sets OTEL_EXPORTER_OTLP_ENDPOINT; the default stack keeps the file exporter',
      );
    });

    it('a rule file Prometheus would not find in the container', () => {
      expect(
        checkCompose(compose, edited(files.prometheus, '  - alerts.yml', '  - rules/alerts.yml'), root),
      ).toEqual([
        'docker-compose: prometheus does not mount rule file /etc/prometheus/rules/alerts.yml',
        `prometheus: rule file rules/alerts.yml is not in ${KIT_DIR}`,
      ]);
    });

    it('a service left out of the tracing override', () => {
      expect(checkTracingOverride(edited(files.override, '  sla: *otlp\n', ''), compose, root)).toEqual([
        'tracing override: sla keeps the file exporter',
      ]);
    });
  });

  it('anchors headings as GitHub does', () => {
    expect([
      ...headingAnchors('# Run it\n## `dlq list` (5 min)\n```\n# not a heading\n```\n## Run it\n'),
    ]).toEqual(['run-it', 'dlq-list-5-min', 'run-it-1']);
  });
});
