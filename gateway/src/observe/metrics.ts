// Prometheus metrics for the data plane, on their own registry (served on the admin port only:
// they name keys). Label values are route ids, backend names, key ids and statuses, all bounded
// by the routing table, never free text.
import type { Usage } from '@switchyard/compiler';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamFailureKind } from '../providers/upstream-failure.js';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface RequestLabels {
  route: string;
  backend: string;
  key: string;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'backend' | 'status' | 'key'>;
  private readonly duration: Histogram<'route' | 'backend'>;
  private readonly timeToFirstToken: Histogram<'route' | 'backend'>;
  private readonly tokens: Counter<'route' | 'backend' | 'key' | 'direction'>;
  private readonly upstreamErrors: Counter<'route' | 'backend' | 'kind'>;
  private readonly upstreamAttempts: Counter<'route' | 'backend'>;
  private readonly ejections: Counter<'route' | 'backend'>;
  private readonly inFlight: Gauge;
  private readonly tableInfo: Gauge<'version' | 'hash'>;
  private readonly tableLoads: Counter<'result'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'switchyard_requests_total',
      help: 'Requests answered, by route, the backend that answered (empty when none), HTTP status and virtual key id',
      labelNames: ['route', 'backend', 'status', 'key'],
      registers,
    });
    this.duration = new Histogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from request arrival to the last byte of the answer',
      labelNames: ['route', 'backend'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.timeToFirstToken = new Histogram({
      name: 'switchyard_time_to_first_token_seconds',
      help: 'Streaming requests: time from request arrival to the first streamed event sent to the client',
      labelNames: ['route', 'backend'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.tokens = new Counter({
      name: 'switchyard_tokens_total',
      help: 'Tokens reported by upstreams, by direction (input includes cached_input; output includes reasoning)',
      labelNames: ['route', 'backend', 'key', 'direction'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'switchyard_upstream_errors_total',
      help: 'Failed upstream attempts, by failure kind',
      labelNames: ['route', 'backend', 'kind'],
      registers,
    });
    this.upstreamAttempts = new Counter({
      name: 'switchyard_upstream_attempts_total',
      help: 'Upstream attempts started',
      labelNames: ['route', 'backend'],
      registers,
    });
    this.ejections = new Counter({
      name: 'switchyard_backend_ejections_total',
      help: 'Times outlier detection ejected a backend',
      labelNames: ['route', 'backend'],
      registers,
    });
    this.inFlight = new Gauge({ name: 'switchyard_requests_in_flight', help: 'Requests being served', registers });
    this.tableInfo = new Gauge({ name: 'switchyard_routing_table_info', help: 'The routing table being served (value 1)', labelNames: ['version', 'hash'], registers });
    this.tableLoads = new Counter({ name: 'switchyard_routing_table_loads_total', help: 'Routing table loads, by result', labelNames: ['result'], registers });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_process_' });
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestFinished(labels: RequestLabels, status: number, durationSeconds: number): void {
    this.inFlight.dec();
    this.requests.inc({ route: labels.route, backend: labels.backend, status: String(status), key: labels.key });
    this.duration.observe({ route: labels.route, backend: labels.backend }, durationSeconds);
  }

  firstToken(labels: RequestLabels, seconds: number): void {
    this.timeToFirstToken.observe({ route: labels.route, backend: labels.backend }, seconds);
  }

  usage(labels: RequestLabels, usage: Usage): void {
    const base = { route: labels.route, backend: labels.backend, key: labels.key };
    this.tokens.inc({ ...base, direction: 'input' }, usage.inputTokens);
    this.tokens.inc({ ...base, direction: 'output' }, usage.outputTokens);
    if (usage.cachedInputTokens > 0) this.tokens.inc({ ...base, direction: 'cached_input' }, usage.cachedInputTokens);
    if (usage.cacheWriteTokens > 0) this.tokens.inc({ ...base, direction: 'cache_write' }, usage.cacheWriteTokens);
    if (usage.reasoningTokens > 0) this.tokens.inc({ ...base, direction: 'reasoning' }, usage.reasoningTokens);
  }

  upstreamAttempt(route: string, backend: string): void {
    this.upstreamAttempts.inc({ route, backend });
  }

  upstreamError(route: string, backend: string, kind: UpstreamFailureKind): void {
    this.upstreamErrors.inc({ route, backend, kind });
  }

  backendEjected(route: string, backend: string): void {
    this.ejections.inc({ route, backend });
  }

  tableLoaded(version: number, hash: string): void {
    this.tableInfo.reset();
    this.tableInfo.set({ version: String(version), hash }, 1);
    this.tableLoads.inc({ result: 'success' });
  }

  tableRejected(): void {
    this.tableLoads.inc({ result: 'error' });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
