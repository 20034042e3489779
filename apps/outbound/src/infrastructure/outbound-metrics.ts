import { Counter, Histogram, Registry } from 'prom-client';

/** Per-target figures of outbound calls, on the service's /metrics registry. */
export class OutboundMetrics {
  readonly calls: Counter<'target' | 'outcome'>;
  readonly latency: Histogram<'target'>;
  readonly errors: Counter<'target' | 'kind'>;
  readonly throttled: Counter<'target'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.calls = new Counter({
      name: 'throughline_outbound_calls_total',
      help: 'HTTP calls to target systems, by outcome (delivered, rejected, throttled, unavailable, timeout, network, circuit-open: refused without calling)',
      labelNames: ['target', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'throughline_outbound_call_duration_seconds',
      help: 'Time from request to response of one call to a target system',
      labelNames: ['target'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.errors = new Counter({
      name: 'throughline_outbound_errors_total',
      help: 'Failed calls to target systems, by kind (rejected, unavailable, timeout, network)',
      labelNames: ['target', 'kind'],
      registers,
    });
    this.throttled = new Counter({
      name: 'throughline_outbound_throttled_total',
      help: 'Calls a target answered with 429 (rate limit)',
      labelNames: ['target'],
      registers,
    });
  }
}
