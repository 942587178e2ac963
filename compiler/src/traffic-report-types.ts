// What each gateway tells the operator about its traffic, for the web console: the `traffic`
// member of POST /v1/usage-reports (next to the spend reports). Metadata only: routes, backends,
// keys by id, statuses, latencies and costs; never a prompt, an answer or a key's value.
// docs/console.md describes what the console shows from it.

/** Upper bounds of the latency histogram's buckets, in milliseconds; one more bucket counts the rest. */
export const TRAFFIC_LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000] as const;

/** Bounds both ends enforce: a gateway sends no more, the operator refuses more. */
export const TRAFFIC_LIMITS = {
  /** Route entries in one report (the gateway sends those that changed since its last report). */
  routes: 10_000,
  /** Key entries in one report, the same way. */
  keys: 10_000,
  /** Backend entries per route. */
  backendsPerRoute: 64,
  /** Backends reported as ejected, busy or queued in one report. */
  backendStates: 2_000,
  /** Recent requests in one report, and kept per gateway by the operator. */
  recent: 100,
  /** Characters of any name in a report (route, backend, key, model, request id). */
  name: 256,
} as const;

export interface RouteTraffic {
  /** The route's id, `namespace/name`. */
  route: string;
  /** Totals since the gateway process started. */
  requests: number;
  clientErrors: number;
  serverErrors: number;
  /** Nano-dollars, a decimal integer string. */
  costNanos: string;
  /** Counts per TRAFFIC_LATENCY_BUCKETS_MS bucket, plus one for longer requests. */
  latencyBuckets: number[];
  backends: Array<{ name: string; requests: number; serverErrors: number }>;
}

/** A key's usage since the gateway process started. */
export interface KeyTraffic {
  /** The key's id, `namespace/name`. */
  key: string;
  requests: number;
  /** Requests refused with a 4xx (rate limits, budgets, allow-lists...). */
  refused: number;
  inputTokens: number;
  outputTokens: number;
  /** Nano-dollars, a decimal integer string. */
  costNanos: string;
}

/** A backend whose state is worth showing: ejected, with requests in flight, or with requests queued. */
export interface BackendState {
  route: string;
  backend: string;
  ejected: boolean;
  inFlight: number;
  queued: number;
}

export interface RecentRequest {
  /** 1, 2, 3, ... per gateway process, so the operator keeps each request once. */
  seq: number;
  at: string;
  requestId: string;
  operation: string;
  status: number;
  durationMs: number;
  /** `namespace/name` of the key; empty when the caller was not authenticated. */
  key: string;
  model: string;
  route: string;
  backend: string;
  stream: boolean;
  timeToFirstTokenMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costNanos?: string;
  cache?: string;
  errorCode?: string;
}

export interface TrafficReport {
  /** Random per gateway process start: totals restart from zero with a new boot. */
  bootId: string;
  gatewayId: string;
  /** True when `routes` lists every route with traffic; false: only those changed since the last report. */
  full: boolean;
  routes: RouteTraffic[];
  /** Keys whose usage changed since the last report, or all when `full`. */
  keys: KeyTraffic[];
  /** Every backend that is ejected, busy or queued now; a backend not listed is healthy and idle. */
  backendStates: BackendState[];
  /** Requests finished since the last report, oldest first, at most TRAFFIC_LIMITS.recent. */
  recent: RecentRequest[];
}
