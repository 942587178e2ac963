// A gateway's traffic as the operator's console shows it: totals per route and backend since the
// process started, a latency histogram per route, and the requests finished since the last
// report (metadata only, from the same fields as the access-log line). Cluster mode sends a
// report with every usage POST; only routes that changed since the last report travel, unless
// the operator asks for everything (it restarted, or another replica answers).
import { randomUUID } from 'node:crypto';
import {
  TRAFFIC_LATENCY_BUCKETS_MS,
  TRAFFIC_LIMITS,
  type BackendState,
  type KeyTraffic,
  type RecentRequest,
  type RouteTraffic,
  type TrafficReport,
} from '@switchyard/compiler';

/** One finished request, as observe() knows it: a recent request before it has a number, a time and a printed cost. */
export type FinishedRequest = Omit<RecentRequest, 'seq' | 'at' | 'costNanos'> & { costNanos?: bigint };

interface RouteTotals {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  costNanos: bigint;
  latencyBuckets: number[];
  backends: Map<string, { requests: number; serverErrors: number }>;
}

export class TrafficSummary {
  readonly bootId = randomUUID();
  private readonly routes = new Map<string, RouteTotals>();
  /** Routes whose totals changed since the last report. */
  private readonly changed = new Set<string>();
  private readonly keys = new Map<string, Omit<KeyTraffic, 'key' | 'costNanos'> & { costNanos: bigint }>();
  private readonly changedKeys = new Set<string>();
  /**
   * The newest requests since the last report, a ring of TRAFFIC_LIMITS.recent: a request costs
   * one slot write; the time and names are formatted once per report, not once per request.
   */
  private ring: Array<{ seq: number; atMs: number; request: FinishedRequest }> = [];
  /** Where the oldest entry sits once the ring is full. */
  private ringStart = 0;
  /** Requests of a report that did not reach the operator, formatted, sent again before the ring's. */
  private undelivered: RecentRequest[] = [];
  private seq = 0;
  private sendEverything = true;

  constructor(private readonly now: () => number = Date.now) {}

  record(request: FinishedRequest): void {
    this.seq += 1;
    const entry = { seq: this.seq, atMs: this.now(), request };
    if (this.ring.length < TRAFFIC_LIMITS.recent) this.ring.push(entry);
    else {
      this.ring[this.ringStart] = entry;
      this.ringStart = (this.ringStart + 1) % TRAFFIC_LIMITS.recent;
    }
    this.recordKey(request);
    if (request.route === '') return;
    let totals = this.routes.get(request.route);
    if (totals === undefined) {
      // A route past the bound still shows in recent requests; its totals are not kept.
      if (this.routes.size >= TRAFFIC_LIMITS.routes) return;
      totals = {
        requests: 0,
        clientErrors: 0,
        serverErrors: 0,
        costNanos: 0n,
        latencyBuckets: new Array<number>(TRAFFIC_LATENCY_BUCKETS_MS.length + 1).fill(0),
        backends: new Map(),
      };
      this.routes.set(request.route, totals);
    }
    totals.requests += 1;
    if (request.status >= 500) totals.serverErrors += 1;
    else if (request.status >= 400) totals.clientErrors += 1;
    if (request.costNanos !== undefined) totals.costNanos += request.costNanos;
    totals.latencyBuckets[bucketOf(request.durationMs)] += 1;
    if (request.backend !== '') {
      let backend = totals.backends.get(request.backend);
      if (backend === undefined && totals.backends.size < TRAFFIC_LIMITS.backendsPerRoute) {
        backend = { requests: 0, serverErrors: 0 };
        totals.backends.set(request.backend, backend);
      }
      if (backend !== undefined) {
        backend.requests += 1;
        if (request.status >= 500) backend.serverErrors += 1;
      }
    }
    this.changed.add(request.route);
  }

  private recordKey(request: FinishedRequest): void {
    if (request.key === '') return;
    let totals = this.keys.get(request.key);
    if (totals === undefined) {
      if (this.keys.size >= TRAFFIC_LIMITS.keys) return;
      totals = { requests: 0, refused: 0, inputTokens: 0, outputTokens: 0, costNanos: 0n };
      this.keys.set(request.key, totals);
    }
    totals.requests += 1;
    if (request.status >= 400 && request.status < 500) totals.refused += 1;
    totals.inputTokens += request.inputTokens ?? 0;
    totals.outputTokens += request.outputTokens ?? 0;
    if (request.costNanos !== undefined) totals.costNanos += request.costNanos;
    this.changedKeys.add(request.key);
  }

  /** The operator did not know this boot (it restarted, or another replica answered): send all totals next time. */
  resendEverything(): void {
    this.sendEverything = true;
  }

  /** A report that did not reach the operator: its requests go back in front, and every total goes next time. */
  notDelivered(report: TrafficReport): void {
    this.undelivered = report.recent;
    this.sendEverything = true;
  }

  /** The next report; what it carries counts as sent until notDelivered() says otherwise. */
  takeReport(gatewayId: string, backendStates: BackendState[]): TrafficReport {
    const full = this.sendEverything;
    const names = full ? [...this.routes.keys()] : [...this.changed];
    const keyNames = full ? [...this.keys.keys()] : [...this.changedKeys];
    this.sendEverything = false;
    this.changed.clear();
    this.changedKeys.clear();
    const oldestFirst = [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
    const recent = [...this.undelivered, ...oldestFirst.map((e) => recentOf(e.seq, e.atMs, e.request))].slice(-TRAFFIC_LIMITS.recent);
    this.ring = [];
    this.ringStart = 0;
    this.undelivered = [];
    return {
      bootId: this.bootId,
      gatewayId,
      full,
      routes: names.map((name) => routeTrafficOf(name, this.routes.get(name) as RouteTotals)),
      keys: keyNames.map((key) => {
        const totals = this.keys.get(key) as NonNullable<ReturnType<typeof this.keys.get>>;
        return { key, ...totals, costNanos: totals.costNanos.toString() };
      }),
      backendStates,
      recent,
    };
  }
}

function bucketOf(durationMs: number): number {
  for (let i = 0; i < TRAFFIC_LATENCY_BUCKETS_MS.length; i += 1) if (durationMs <= TRAFFIC_LATENCY_BUCKETS_MS[i]) return i;
  return TRAFFIC_LATENCY_BUCKETS_MS.length;
}

function clip(text: string): string {
  return text.length > TRAFFIC_LIMITS.name ? text.slice(0, TRAFFIC_LIMITS.name) : text;
}

function recentOf(seq: number, nowMs: number, r: FinishedRequest): RecentRequest {
  const entry: RecentRequest = {
    seq,
    at: new Date(nowMs).toISOString(),
    requestId: clip(r.requestId),
    operation: r.operation,
    status: r.status,
    durationMs: Math.round(r.durationMs * 1000) / 1000,
    key: clip(r.key),
    model: clip(r.model),
    route: clip(r.route),
    backend: clip(r.backend),
    stream: r.stream,
  };
  if (r.timeToFirstTokenMs !== undefined) entry.timeToFirstTokenMs = Math.round(r.timeToFirstTokenMs * 1000) / 1000;
  if (r.inputTokens !== undefined) entry.inputTokens = r.inputTokens;
  if (r.outputTokens !== undefined) entry.outputTokens = r.outputTokens;
  if (r.costNanos !== undefined) entry.costNanos = r.costNanos.toString();
  if (r.cache !== undefined) entry.cache = r.cache;
  if (r.errorCode !== undefined) entry.errorCode = clip(r.errorCode);
  return entry;
}

function routeTrafficOf(route: string, totals: RouteTotals): RouteTraffic {
  return {
    route,
    requests: totals.requests,
    clientErrors: totals.clientErrors,
    serverErrors: totals.serverErrors,
    costNanos: totals.costNanos.toString(),
    latencyBuckets: [...totals.latencyBuckets],
    backends: [...totals.backends].map(([name, b]) => ({ name, requests: b.requests, serverErrors: b.serverErrors })),
  };
}
