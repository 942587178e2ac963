// The traffic gateways report with their usage POSTs (compiler's traffic-report-types.ts), kept
// per gateway in memory for the console: totals per route and backend, backends that are
// ejected or busy, and the latest requests. Bounded: gateways silent for a minute are forgotten,
// at most MAX_GATEWAYS are kept, each with at most TRAFFIC_LIMITS of everything.
import {
  TRAFFIC_LATENCY_BUCKETS_MS,
  TRAFFIC_LIMITS,
  isRecord,
  type BackendState,
  type KeyTraffic,
  type RecentRequest,
  type RouteTraffic,
  type TrafficReport,
} from '@switchyard/compiler';

const MAX_GATEWAYS = 1_000;
/** A gateway that has not reported for this long has stopped (or reports to another operator replica). */
const STALE_AFTER_MS = 60_000;
/** The request rate is measured from a baseline renewed every minute, once at least 5 s old. */
const RATE_WINDOW_MS = 60_000;
const MIN_RATE_WINDOW_MS = 5_000;

interface GatewayTraffic {
  bootId: string;
  lastSeenMs: number;
  routes: Map<string, RouteTraffic>;
  keys: Map<string, KeyTraffic>;
  backendStates: BackendState[];
  recent: RecentRequest[];
  /** Each route's total when the rate window began; renewed once the window is a minute old. */
  baseline: Map<string, number>;
  baselineAtMs: number;
}

export interface RouteTrafficView {
  requests: number;
  /** Requests per minute over the last one to two minutes; undefined until a gateway has reported for 5 s. */
  requestsPerMinute: number | undefined;
  clientErrors: number;
  serverErrors: number;
  costNanos: bigint;
  /** Upper bound (ms) of the bucket holding the median and the 95th percentile; undefined: no requests, or past the last bound. */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  backends: Map<string, { requests: number; serverErrors: number }>;
}

export interface KeyUsageView {
  requests: number;
  refused: number;
  inputTokens: number;
  outputTokens: number;
  costNanos: bigint;
}

export interface BackendStateView {
  ejectedOn: number;
  inFlight: number;
  queued: number;
}

export class GatewayTrafficStore {
  private readonly gateways = new Map<string, GatewayTraffic>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies one report; `resync` asks the gateway for all its totals (it sent changes to a boot this replica does not know). */
  accept(report: TrafficReport): { resync: boolean } {
    const nowMs = this.now();
    this.forgetStale(nowMs);
    let gateway = this.gateways.get(report.gatewayId);
    let resync = false;
    if (gateway === undefined || gateway.bootId !== report.bootId) {
      if (gateway === undefined && this.gateways.size >= MAX_GATEWAYS) return { resync: false };
      gateway = {
        bootId: report.bootId,
        lastSeenMs: nowMs,
        routes: new Map(),
        keys: new Map(),
        backendStates: [],
        recent: [],
        baseline: new Map(),
        baselineAtMs: nowMs,
      };
      this.gateways.set(report.gatewayId, gateway);
      resync = !report.full;
    }
    gateway.lastSeenMs = nowMs;
    if (report.full) {
      gateway.routes.clear();
      gateway.keys.clear();
    }
    for (const route of report.routes) gateway.routes.set(route.route, route);
    for (const key of report.keys) gateway.keys.set(key.key, key);
    gateway.backendStates = report.backendStates;
    gateway.recent = [...gateway.recent, ...report.recent].slice(-TRAFFIC_LIMITS.recent);
    if (nowMs - gateway.baselineAtMs >= RATE_WINDOW_MS) {
      gateway.baseline = new Map([...gateway.routes].map(([id, route]) => [id, route.requests]));
      gateway.baselineAtMs = nowMs;
    }
    return { resync };
  }

  /** Gateways that reported within the last minute. */
  gatewayCount(): number {
    this.forgetStale(this.now());
    return this.gateways.size;
  }

  /** Totals per route id, summed over the gateways. */
  routes(): Map<string, RouteTrafficView> {
    this.forgetStale(this.now());
    const views = new Map<string, RouteTrafficView>();
    const buckets = new Map<string, number[]>();
    const nowMs = this.now();
    for (const gateway of this.gateways.values()) {
      const elapsedMs = nowMs - gateway.baselineAtMs;
      for (const route of gateway.routes.values()) {
        let view = views.get(route.route);
        if (view === undefined) {
          view = {
            requests: 0,
            requestsPerMinute: undefined,
            clientErrors: 0,
            serverErrors: 0,
            costNanos: 0n,
            p50Ms: undefined,
            p95Ms: undefined,
            backends: new Map(),
          };
          views.set(route.route, view);
          buckets.set(route.route, new Array<number>(TRAFFIC_LATENCY_BUCKETS_MS.length + 1).fill(0));
        }
        view.requests += route.requests;
        // A route first seen after the window began counts from zero (it is new, or new to this replica).
        if (elapsedMs >= MIN_RATE_WINDOW_MS)
          view.requestsPerMinute =
            (view.requestsPerMinute ?? 0) + ((route.requests - (gateway.baseline.get(route.route) ?? 0)) * 60_000) / elapsedMs;
        view.clientErrors += route.clientErrors;
        view.serverErrors += route.serverErrors;
        view.costNanos += BigInt(route.costNanos);
        const sum = buckets.get(route.route) as number[];
        route.latencyBuckets.forEach((count, i) => {
          sum[i] = (sum[i] ?? 0) + count;
        });
        for (const backend of route.backends) {
          const b = view.backends.get(backend.name) ?? { requests: 0, serverErrors: 0 };
          b.requests += backend.requests;
          b.serverErrors += backend.serverErrors;
          view.backends.set(backend.name, b);
        }
      }
    }
    for (const [route, view] of views) {
      const sum = buckets.get(route) as number[];
      view.p50Ms = quantileBound(sum, 0.5);
      view.p95Ms = quantileBound(sum, 0.95);
    }
    return views;
  }

  /** Usage per key id, summed over the gateways. */
  keys(): Map<string, KeyUsageView> {
    this.forgetStale(this.now());
    const views = new Map<string, KeyUsageView>();
    for (const gateway of this.gateways.values()) {
      for (const key of gateway.keys.values()) {
        const view = views.get(key.key) ?? { requests: 0, refused: 0, inputTokens: 0, outputTokens: 0, costNanos: 0n };
        view.requests += key.requests;
        view.refused += key.refused;
        view.inputTokens += key.inputTokens;
        view.outputTokens += key.outputTokens;
        view.costNanos += BigInt(key.costNanos);
        views.set(key.key, view);
      }
    }
    return views;
  }

  /** Backends some gateway reports as ejected, busy or queued, by `route\0backend`. */
  backendStates(): Map<string, BackendStateView> {
    this.forgetStale(this.now());
    const states = new Map<string, BackendStateView>();
    for (const gateway of this.gateways.values()) {
      for (const s of gateway.backendStates) {
        const key = `${s.route}\u0000${s.backend}`;
        const view = states.get(key) ?? { ejectedOn: 0, inFlight: 0, queued: 0 };
        if (s.ejected) view.ejectedOn += 1;
        view.inFlight += s.inFlight;
        view.queued += s.queued;
        states.set(key, view);
      }
    }
    return states;
  }

  /** The latest requests over every gateway, newest first. */
  recent(limit: number): Array<RecentRequest & { gateway: string }> {
    this.forgetStale(this.now());
    const all: Array<RecentRequest & { gateway: string }> = [];
    for (const [id, gateway] of this.gateways) for (const r of gateway.recent) all.push({ ...r, gateway: id });
    all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.seq - a.seq));
    return all.slice(0, limit);
  }

  private forgetStale(nowMs: number): void {
    for (const [id, gateway] of this.gateways) if (nowMs - gateway.lastSeenMs > STALE_AFTER_MS) this.gateways.delete(id);
  }
}

function quantileBound(buckets: number[], q: number): number | undefined {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil(total * q);
  let seen = 0;
  for (let i = 0; i < buckets.length; i += 1) {
    seen += buckets[i] ?? 0;
    if (seen >= rank) return TRAFFIC_LATENCY_BUCKETS_MS[i];
  }
  return undefined;
}

/** Checks a report field by field; a string names the first problem. */
export function parseTrafficReport(value: unknown): TrafficReport | string {
  if (!isRecord(value)) return 'traffic is not a JSON object';
  const v = value;
  if (!isName(v.bootId) || !isName(v.gatewayId)) return 'traffic needs bootId and gatewayId (strings)';
  if (typeof v.full !== 'boolean') return 'traffic.full is not a boolean';
  if (!Array.isArray(v.routes) || v.routes.length > TRAFFIC_LIMITS.routes)
    return `traffic.routes is not a list of at most ${TRAFFIC_LIMITS.routes}`;
  if (!Array.isArray(v.backendStates) || v.backendStates.length > TRAFFIC_LIMITS.backendStates)
    return `traffic.backendStates is not a list of at most ${TRAFFIC_LIMITS.backendStates}`;
  if (!Array.isArray(v.recent) || v.recent.length > TRAFFIC_LIMITS.recent)
    return `traffic.recent is not a list of at most ${TRAFFIC_LIMITS.recent}`;
  const routes: RouteTraffic[] = [];
  for (const [i, item] of (v.routes as unknown[]).entries()) {
    const route = parseRoute(item);
    if (typeof route === 'string') return `traffic.routes[${i}]: ${route}`;
    routes.push(route);
  }
  // Absent in reports from gateways older than per-key usage.
  const keyItems = v.keys === undefined ? [] : v.keys;
  if (!Array.isArray(keyItems) || keyItems.length > TRAFFIC_LIMITS.keys)
    return `traffic.keys is not a list of at most ${TRAFFIC_LIMITS.keys}`;
  const keys: KeyTraffic[] = [];
  for (const [i, item] of (keyItems as unknown[]).entries()) {
    if (!isRecord(item) || !isName(item.key)) return `traffic.keys[${i}] needs a key id`;
    if (!isCount(item.requests) || !isCount(item.refused) || !isCount(item.inputTokens) || !isCount(item.outputTokens))
      return `traffic.keys[${i}] needs requests, refused, inputTokens and outputTokens counts`;
    if (typeof item.costNanos !== 'string' || !/^\d{1,30}$/.test(item.costNanos))
      return `traffic.keys[${i}].costNanos is not a decimal integer string`;
    keys.push({
      key: item.key,
      requests: item.requests,
      refused: item.refused,
      inputTokens: item.inputTokens,
      outputTokens: item.outputTokens,
      costNanos: item.costNanos,
    });
  }
  const backendStates: BackendState[] = [];
  for (const [i, item] of (v.backendStates as unknown[]).entries()) {
    if (!isRecord(item) || !isName(item.route) || !isName(item.backend) || typeof item.ejected !== 'boolean')
      return `traffic.backendStates[${i}] needs route, backend and ejected`;
    if (!isCount(item.inFlight) || !isCount(item.queued)) return `traffic.backendStates[${i}] needs inFlight and queued counts`;
    backendStates.push({ route: item.route, backend: item.backend, ejected: item.ejected, inFlight: item.inFlight, queued: item.queued });
  }
  const recent: RecentRequest[] = [];
  for (const [i, item] of (v.recent as unknown[]).entries()) {
    const request = parseRecent(item);
    if (typeof request === 'string') return `traffic.recent[${i}]: ${request}`;
    recent.push(request);
  }
  return { bootId: v.bootId, gatewayId: v.gatewayId, full: v.full, routes, keys, backendStates, recent };
}

function parseRoute(item: unknown): RouteTraffic | string {
  if (!isRecord(item) || !isName(item.route)) return 'needs a route id';
  if (!isCount(item.requests) || !isCount(item.clientErrors) || !isCount(item.serverErrors)) return 'needs request and error counts';
  if (typeof item.costNanos !== 'string' || !/^\d{1,30}$/.test(item.costNanos)) return 'costNanos is not a decimal integer string';
  const buckets = item.latencyBuckets;
  if (!Array.isArray(buckets) || buckets.length !== TRAFFIC_LATENCY_BUCKETS_MS.length + 1 || !buckets.every(isCount))
    return `latencyBuckets is not a list of ${TRAFFIC_LATENCY_BUCKETS_MS.length + 1} counts`;
  if (!Array.isArray(item.backends) || item.backends.length > TRAFFIC_LIMITS.backendsPerRoute)
    return `backends is not a list of at most ${TRAFFIC_LIMITS.backendsPerRoute}`;
  const backends: RouteTraffic['backends'] = [];
  for (const b of item.backends as unknown[]) {
    if (!isRecord(b) || !isName(b.name) || !isCount(b.requests) || !isCount(b.serverErrors))
      return 'a backend needs name, requests and serverErrors';
    backends.push({ name: b.name, requests: b.requests, serverErrors: b.serverErrors });
  }
  return {
    route: item.route,
    requests: item.requests,
    clientErrors: item.clientErrors,
    serverErrors: item.serverErrors,
    costNanos: item.costNanos,
    latencyBuckets: buckets as number[],
    backends,
  };
}

function parseRecent(item: unknown): RecentRequest | string {
  if (!isRecord(item)) return 'is not an object';
  if (!isCount(item.seq) || item.seq === 0) return 'needs a positive seq';
  if (typeof item.at !== 'string' || Number.isNaN(Date.parse(item.at))) return 'at is not a time';
  for (const field of ['requestId', 'operation', 'key', 'model', 'route', 'backend'] as const) {
    if (typeof item[field] !== 'string' || (item[field] as string).length > TRAFFIC_LIMITS.name) return `${field} is not a short string`;
  }
  if (!isCount(item.status) || typeof item.durationMs !== 'number' || !(item.durationMs >= 0)) return 'needs status and durationMs';
  if (typeof item.stream !== 'boolean') return 'stream is not a boolean';
  const request: RecentRequest = {
    seq: item.seq,
    at: item.at,
    requestId: item.requestId as string,
    operation: item.operation as string,
    status: item.status,
    durationMs: item.durationMs,
    key: item.key as string,
    model: item.model as string,
    route: item.route as string,
    backend: item.backend as string,
    stream: item.stream,
  };
  if (typeof item.timeToFirstTokenMs === 'number' && item.timeToFirstTokenMs >= 0) request.timeToFirstTokenMs = item.timeToFirstTokenMs;
  if (isCount(item.inputTokens)) request.inputTokens = item.inputTokens;
  if (isCount(item.outputTokens)) request.outputTokens = item.outputTokens;
  if (typeof item.costNanos === 'string' && /^\d{1,30}$/.test(item.costNanos)) request.costNanos = item.costNanos;
  if (isName(item.cache)) request.cache = item.cache;
  if (isName(item.errorCode)) request.errorCode = item.errorCode;
  return request;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= TRAFFIC_LIMITS.name;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
