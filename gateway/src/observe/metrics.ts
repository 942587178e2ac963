// Prometheus metrics for the data plane, on their own registry (served on the admin port only:
// they name keys). Label values are route ids, backend names, key ids and statuses, all bounded
// by the routing table, never free text.
import { buildInfo, type Usage } from '@switchyard/compiler';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamFailureKind } from '../errors/upstream-failure.js';
import { AggregatedHistogram, type HistogramSeries } from './aggregated-histogram.js';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface RequestLabels {
  route: string;
  backend: string;
  key: string;
}

const TOKEN_DIRECTIONS = ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const;

/** Running totals for one (route, backend): latency histograms and upstream attempt counts. */
interface BackendSeries {
  readonly route: string;
  readonly backend: string;
  readonly duration: HistogramSeries;
  readonly timeToFirstToken: HistogramSeries;
  attempts: number;
  ejections: number;
  readonly errorsByKind: Map<UpstreamFailureKind, number>;
}

/** Running totals for one (route, backend, key): requests by status and tokens by direction. */
interface KeySeries {
  readonly backendSeries: BackendSeries;
  readonly key: string;
  readonly requestsByStatus: Map<number, number>;
  /** Indexed like TOKEN_DIRECTIONS. */
  readonly tokens: number[];
  usageReported: boolean;
}

/**
 * Request metrics are counted into series objects found by two or three Map lookups on the
 * label values, and handed to prom-client only when /metrics is scraped (each metric's
 * `collect`): prom-client's own `inc(labels)` validates and hashes the label object on every
 * call, which cost more than the rest of the observe stage together.
 */
/** Distinct `tool` label values per MCP server; further names are counted as `other`. */
const MAX_MCP_TOOL_SERIES = 500;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly duration: AggregatedHistogram<'route' | 'backend'>;
  private readonly timeToFirstToken: AggregatedHistogram<'route' | 'backend'>;
  private readonly tableInfo: Gauge<'version' | 'hash'>;
  private readonly tableLoads: Counter<'result'>;
  private readonly tableResyncs: Counter<'reason'>;
  private readonly cacheRequests: Counter<'route' | 'result'>;
  private cacheStoreSize: (() => { entries: number; bytes: number }) | undefined;
  private readonly connectionsRefused: Counter;
  private readonly guardrailDecisions: Counter<'policy' | 'check' | 'action' | 'direction'>;
  private readonly tokenAuthentications: Counter<'kind' | 'result'>;
  private readonly clientTimeouts: Counter<'phase'>;
  private readonly mcpToolCalls: Counter<'server' | 'tool' | 'status'>;
  private readonly mcpToolCallDuration: Histogram<'server' | 'tool'>;
  private readonly mcpToolNames = new Map<string, Set<string>>();
  private openConnections: (() => number) | undefined;
  private inFlightCount = 0;
  private readonly backendSeries = new Map<string, Map<string, BackendSeries>>();
  private readonly keySeries = new Map<string, Map<string, Map<string, KeySeries>>>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const self = this;
    new Counter({
      name: 'switchyard_requests_total',
      help: 'Requests answered, by route, the backend that answered (empty when none), HTTP status and virtual key id',
      labelNames: ['route', 'backend', 'status', 'key'],
      registers,
      collect() {
        this.reset();
        for (const series of self.allKeySeries()) {
          const { route, backend } = series.backendSeries;
          for (const [status, count] of series.requestsByStatus)
            this.inc({ route, backend, status: String(status), key: series.key }, count);
        }
      },
    });
    this.duration = new AggregatedHistogram({
      name: 'switchyard_request_duration_seconds',
      help: 'Time from request arrival to the last byte of the answer',
      labelNames: ['route', 'backend'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.timeToFirstToken = new AggregatedHistogram({
      name: 'switchyard_time_to_first_token_seconds',
      help: 'Streaming requests: time from request arrival to the first streamed event sent to the client',
      labelNames: ['route', 'backend'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    new Counter({
      name: 'switchyard_tokens_total',
      help: 'Tokens reported by upstreams, by direction (input includes cached_input; output includes reasoning)',
      labelNames: ['route', 'backend', 'key', 'direction'],
      registers,
      collect() {
        this.reset();
        for (const series of self.allKeySeries()) {
          const { route, backend } = series.backendSeries;
          if (!series.usageReported) continue;
          TOKEN_DIRECTIONS.forEach((direction, i) => {
            const count = series.tokens[i] as number;
            // input and output appear once a request reported usage; the others once non-zero.
            if (i < 2 || count > 0) this.inc({ route, backend, key: series.key, direction }, count);
          });
        }
      },
    });
    new Counter({
      name: 'switchyard_upstream_errors_total',
      help: 'Failed upstream attempts, by failure kind',
      labelNames: ['route', 'backend', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const series of self.allBackendSeries()) {
          for (const [kind, count] of series.errorsByKind) this.inc({ route: series.route, backend: series.backend, kind }, count);
        }
      },
    });
    new Counter({
      name: 'switchyard_upstream_attempts_total',
      help: 'Upstream attempts started',
      labelNames: ['route', 'backend'],
      registers,
      collect() {
        this.reset();
        for (const series of self.allBackendSeries())
          if (series.attempts > 0) this.inc({ route: series.route, backend: series.backend }, series.attempts);
      },
    });
    new Counter({
      name: 'switchyard_backend_ejections_total',
      help: 'Times outlier detection ejected a backend',
      labelNames: ['route', 'backend'],
      registers,
      collect() {
        this.reset();
        for (const series of self.allBackendSeries())
          if (series.ejections > 0) this.inc({ route: series.route, backend: series.backend }, series.ejections);
      },
    });
    new Gauge({
      name: 'switchyard_requests_in_flight',
      help: 'Requests being served',
      registers,
      collect() {
        this.set(self.inFlightCount);
      },
    });
    // The usual Prometheus build-info idiom: constant 1, the build in the labels, for joins and upgrade dashboards.
    const build = buildInfo();
    new Gauge({
      name: 'switchyard_build_info',
      help: 'The running build (value 1): version from package.json, Node.js version, component',
      labelNames: ['version', 'node_version', 'component'],
      registers,
    }).set({ version: build.version, node_version: build.nodeVersion, component: 'gateway' }, 1);
    this.tableInfo = new Gauge({
      name: 'switchyard_routing_table_info',
      help: 'The routing table being served (value 1)',
      labelNames: ['version', 'hash'],
      registers,
    });
    this.tableLoads = new Counter({
      name: 'switchyard_routing_table_loads_total',
      help: 'Routing table loads, by result',
      labelNames: ['result'],
      registers,
    });
    this.tableResyncs = new Counter({
      name: 'switchyard_routing_table_resyncs_total',
      help: 'Full tables fetched again because a table-stream delta did not apply, by reason (gap, digest-mismatch, undecodable)',
      labelNames: ['reason'],
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'switchyard_cache_requests_total',
      help: 'Response cache lookups on routes with spec.cache, by result (hit, semantic-hit, miss, bypass)',
      labelNames: ['route', 'result'],
      registers,
    });
    new Gauge({
      name: 'switchyard_cache_entries',
      help: "Answers held by this process's in-memory response cache",
      registers,
      collect() {
        const size = self.cacheStoreSize?.();
        if (size !== undefined) this.set(size.entries);
      },
    });
    new Gauge({
      name: 'switchyard_cache_bytes',
      help: "Serialized bytes held by this process's in-memory response cache",
      registers,
      collect() {
        const size = self.cacheStoreSize?.();
        if (size !== undefined) this.set(size.bytes);
      },
    });
    this.guardrailDecisions = new Counter({
      name: 'switchyard_guardrail_decisions_total',
      help: 'Requests in which a guardrail check matched, by GuardrailPolicy id, check name, action taken (block, redact, log) and direction (input, output)',
      labelNames: ['policy', 'check', 'action', 'direction'],
      registers,
    });
    this.tokenAuthentications = new Counter({
      name: 'switchyard_token_authentications_total',
      help: "Callers that presented a token instead of a key's secret (VirtualKey spec.subjects), by identity kind (ServiceAccount, OIDC; unknown when the token named no known issuer) and result (accepted, or the error code of the refusal)",
      labelNames: ['kind', 'result'],
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'switchyard_connections_refused_total',
      help: 'Connections to the public port closed as soon as they were accepted because --max-connections were open',
      registers,
    });
    new Gauge({
      name: 'switchyard_connections_open',
      help: 'Connections open on the public port',
      registers,
      collect() {
        const open = self.openConnections?.();
        if (open !== undefined) this.set(open);
      },
    });
    this.clientTimeouts = new Counter({
      name: 'switchyard_client_timeouts_total',
      help: 'Requests answered 408 because the client did not send them in time, by phase (headers: --headers-timeout, body: --request-timeout)',
      labelNames: ['phase'],
      registers,
    });
    this.mcpToolCalls = new Counter({
      name: 'switchyard_mcp_tool_calls_total',
      help: 'MCP tool calls through /mcp, by MCPServer id, prefixed tool name and status (ok, tool_error, upstream_error, unavailable, timeout, too_large, denied, rate_limited); tool is empty unless the upstream ran it, server is empty for denied calls',
      labelNames: ['server', 'tool', 'status'],
      registers,
    });
    this.mcpToolCallDuration = new Histogram({
      name: 'switchyard_mcp_tool_call_duration_seconds',
      help: 'Time from a tools/call reaching the gateway to its answer, by MCPServer id and prefixed tool name',
      labelNames: ['server', 'tool'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_process_' });
  }

  /**
   * One MCP tool call; `tool` is empty unless the upstream ran it. An upstream may also "run" a name
   * the caller made up (answering with `isError`), so each server keeps at most
   * MAX_MCP_TOOL_SERIES tool names as labels and counts the rest as `tool="other"`.
   */
  mcpToolCall(server: string, tool: string, status: string, seconds: number): void {
    let known = this.mcpToolNames.get(server);
    if (known === undefined) {
      known = new Set();
      this.mcpToolNames.set(server, known);
    }
    let shown = tool;
    if (tool !== '' && !known.has(tool)) {
      if (known.size >= MAX_MCP_TOOL_SERIES) shown = 'other';
      else known.add(tool);
    }
    const labels = { server, tool: shown };
    this.mcpToolCalls.inc({ ...labels, status });
    if (server !== '') this.mcpToolCallDuration.observe(labels, seconds);
  }

  requestStarted(): void {
    this.inFlightCount += 1;
  }

  requestFinished(labels: RequestLabels, status: number, durationSeconds: number): void {
    this.inFlightCount -= 1;
    const series = this.seriesForKey(labels);
    series.requestsByStatus.set(status, (series.requestsByStatus.get(status) ?? 0) + 1);
    series.backendSeries.duration.observe(durationSeconds);
  }

  firstToken(labels: RequestLabels, seconds: number): void {
    this.seriesForBackend(labels.route, labels.backend).timeToFirstToken.observe(seconds);
  }

  usage(labels: RequestLabels, usage: Usage): void {
    const series = this.seriesForKey(labels);
    series.usageReported = true;
    const tokens = series.tokens;
    tokens[0] = (tokens[0] as number) + usage.inputTokens;
    tokens[1] = (tokens[1] as number) + usage.outputTokens;
    tokens[2] = (tokens[2] as number) + usage.cachedInputTokens;
    tokens[3] = (tokens[3] as number) + usage.cacheWriteTokens;
    tokens[4] = (tokens[4] as number) + usage.reasoningTokens;
  }

  upstreamAttempt(route: string, backend: string): void {
    this.seriesForBackend(route, backend).attempts += 1;
  }

  upstreamError(route: string, backend: string, kind: UpstreamFailureKind): void {
    const errors = this.seriesForBackend(route, backend).errorsByKind;
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  }

  backendEjected(route: string, backend: string): void {
    this.seriesForBackend(route, backend).ejections += 1;
  }

  tableLoaded(version: number, hash: string): void {
    this.tableInfo.reset();
    this.tableInfo.set({ version: String(version), hash }, 1);
    this.tableLoads.inc({ result: 'success' });
  }

  /** Label values are policy ids and check names from the routing table, never matched text. */
  guardrailDecision(policy: string, check: string, action: string, direction: string): void {
    this.guardrailDecisions.inc({ policy, check, action, direction });
  }

  /** `kind` and `result` are bounded: three identity kinds, `accepted` and the token refusal codes. */
  tokenAuthentication(kind: string, result: string): void {
    this.tokenAuthentications.inc({ kind, result });
  }

  cacheRequest(route: string, result: 'hit' | 'semantic-hit' | 'miss' | 'bypass'): void {
    this.cacheRequests.inc({ route, result });
  }

  /** The in-memory response cache reports its size through this when scraped. */
  observeCacheStore(size: () => { entries: number; bytes: number }): void {
    this.cacheStoreSize = size;
  }

  connectionRefused(): void {
    this.connectionsRefused.inc();
  }

  /** The public listener reports its open connections through this when scraped. */
  observeConnections(open: () => number): void {
    this.openConnections = open;
  }

  clientTimedOut(phase: 'headers' | 'body'): void {
    this.clientTimeouts.inc({ phase });
  }

  tableResync(reason: 'gap' | 'digest-mismatch' | 'undecodable'): void {
    this.tableResyncs.inc({ reason });
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

  private seriesForBackend(route: string, backend: string): BackendSeries {
    let byBackend = this.backendSeries.get(route);
    if (byBackend === undefined) {
      byBackend = new Map();
      this.backendSeries.set(route, byBackend);
    }
    let series = byBackend.get(backend);
    if (series === undefined) {
      const labels = { route, backend };
      series = {
        route,
        backend,
        duration: this.duration.series(labels),
        timeToFirstToken: this.timeToFirstToken.series(labels),
        attempts: 0,
        ejections: 0,
        errorsByKind: new Map(),
      };
      byBackend.set(backend, series);
    }
    return series;
  }

  private seriesForKey(labels: RequestLabels): KeySeries {
    let byBackend = this.keySeries.get(labels.route);
    if (byBackend === undefined) {
      byBackend = new Map();
      this.keySeries.set(labels.route, byBackend);
    }
    let byKey = byBackend.get(labels.backend);
    if (byKey === undefined) {
      byKey = new Map();
      byBackend.set(labels.backend, byKey);
    }
    let series = byKey.get(labels.key);
    if (series === undefined) {
      series = {
        backendSeries: this.seriesForBackend(labels.route, labels.backend),
        key: labels.key,
        requestsByStatus: new Map(),
        tokens: [0, 0, 0, 0, 0],
        usageReported: false,
      };
      byKey.set(labels.key, series);
    }
    return series;
  }

  private *allKeySeries(): Iterable<KeySeries> {
    for (const byBackend of this.keySeries.values()) for (const byKey of byBackend.values()) yield* byKey.values();
  }

  private *allBackendSeries(): Iterable<BackendSeries> {
    for (const byBackend of this.backendSeries.values()) yield* byBackend.values();
  }
}
