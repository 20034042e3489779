import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

export interface DepthRow {
  topic: string;
  depth: number;
}

/** Figures read from Kafka and the database when metrics are scraped. */
export interface MetricSources {
  consumerLag?: () => Promise<LagRow[]>;
  deadLetterDepth?: () => Promise<DepthRow[]>;
  outboxBacklog?: () => Promise<number>;
  outboxParked?: () => Promise<number>;
}

/** A service's Prometheus metrics (served at GET /metrics). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventsConsumed: Counter<'event_type' | 'group' | 'outcome'>;
  readonly eventsPublished: Counter<'event_type'>;
  readonly handlerDuration: Histogram<'event_type' | 'group'>;
  readonly retries: Counter<'event_type' | 'group' | 'tier'>;
  readonly slaBreaches: Counter<'sla' | 'owner'>;

  constructor(service: string, sources: MetricSources = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    this.eventsConsumed = new Counter({
      name: 'throughline_events_consumed_total',
      help: 'Events handled by this service, by outcome (handled, retried, dead_lettered)',
      labelNames: ['event_type', 'group', 'outcome'],
      registers,
    });
    this.eventsPublished = new Counter({
      name: 'throughline_events_published_total',
      help: 'Events this service published to Kafka (through its outbox)',
      labelNames: ['event_type'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'throughline_handler_duration_seconds',
      help: 'Time to handle one event, including its database transaction',
      labelNames: ['event_type', 'group'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.retries = new Counter({
      name: 'throughline_retries_total',
      help: 'Failed deliveries moved to a retry tier',
      labelNames: ['event_type', 'group', 'tier'],
      registers,
    });
    this.slaBreaches = new Counter({
      name: 'throughline_sla_breaches_total',
      help: 'Business SLA breaches detected',
      labelNames: ['sla', 'owner'],
      registers,
    });
    new Gauge({
      name: 'throughline_consumer_lag',
      help: 'Messages not yet consumed, per consumer group and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const row of (await sources.consumerLag?.()) ?? []) {
          this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
        }
      },
    });
    new Gauge({
      name: 'throughline_dead_letter_depth',
      help: 'Messages waiting in dead-letter topics',
      labelNames: ['topic'],
      registers,
      async collect() {
        this.reset();
        for (const row of (await sources.deadLetterDepth?.()) ?? [])
          this.set({ topic: row.topic }, row.depth);
      },
    });
    new Gauge({
      name: 'throughline_outbox_backlog',
      help: 'Events committed to the outbox and not yet published',
      registers,
      async collect() {
        if (sources.outboxBacklog) this.set(await sources.outboxBacklog());
      },
    });
    new Gauge({
      name: 'throughline_outbox_parked',
      help: 'Outbox events Kafka can never take as they are (too large, not encodable); alert on > 0',
      registers,
      async collect() {
        if (sources.outboxParked) this.set(await sources.outboxParked());
      },
    });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
