// The console's store of the traffic gateways report with their usage POSTs: totals summed over
// gateways, latency quantiles from the merged histograms, a rate from a per-minute baseline,
// resync of a boot it does not know, stale gateways forgotten, and malformed reports named.
import { describe, expect, it } from '@jest/globals';
import { TRAFFIC_LATENCY_BUCKETS_MS, TRAFFIC_LIMITS, type RouteTraffic, type TrafficReport } from '@switchyard/compiler';
import { GatewayTrafficStore, parseTrafficReport } from '../../src/console/gateway-traffic.js';

function route(id: string, requests: number, bucketIndex: number, backends: RouteTraffic['backends'] = []): RouteTraffic {
  const latencyBuckets = new Array<number>(TRAFFIC_LATENCY_BUCKETS_MS.length + 1).fill(0);
  latencyBuckets[bucketIndex] = requests;
  return { route: id, requests, clientErrors: 1, serverErrors: 0, costNanos: String(requests * 1000), latencyBuckets, backends };
}

function report(gatewayId: string, overrides: Partial<TrafficReport> = {}): TrafficReport {
  return { bootId: `boot-${gatewayId}`, gatewayId, full: true, routes: [], keys: [], backendStates: [], recent: [], ...overrides };
}

describe('GatewayTrafficStore', () => {
  it('sums routes and backends over gateways and reads quantiles from the merged histogram', () => {
    const store = new GatewayTrafficStore(() => 1_000);
    store.accept(report('g1', { routes: [route('ns/r', 9, 2, [{ name: 'a', requests: 9, serverErrors: 1 }])] }));
    store.accept(report('g2', { routes: [route('ns/r', 1, 8, [{ name: 'a', requests: 1, serverErrors: 0 }])] }));
    const view = store.routes().get('ns/r');
    expect(view).toMatchObject({ requests: 10, clientErrors: 2, serverErrors: 0, costNanos: 10_000n });
    // 9 of 10 requests within 25 ms, 1 within 1 s: p50 in the 25 ms bucket, p95 in the 1 s one.
    expect(view?.p50Ms).toBe(TRAFFIC_LATENCY_BUCKETS_MS[2]);
    expect(view?.p95Ms).toBe(TRAFFIC_LATENCY_BUCKETS_MS[8]);
    expect(view?.backends.get('a')).toEqual({ requests: 10, serverErrors: 1 });
    expect(store.gatewayCount()).toBe(2);
  });

  it('applies changed routes on top of the totals it has and replaces them on a full report', () => {
    const store = new GatewayTrafficStore(() => 1_000);
    store.accept(report('g1', { routes: [route('ns/a', 1, 0), route('ns/b', 1, 0)] }));
    store.accept(report('g1', { full: false, routes: [route('ns/a', 5, 0)] }));
    expect(store.routes().get('ns/a')?.requests).toBe(5);
    expect(store.routes().get('ns/b')?.requests).toBe(1);
    store.accept(report('g1', { routes: [route('ns/a', 6, 0)] }));
    expect(store.routes().has('ns/b')).toBe(false);
  });

  it('asks for a resync when changes arrive for a boot it does not know', () => {
    const store = new GatewayTrafficStore(() => 1_000);
    expect(store.accept(report('g1', { full: false })).resync).toBe(true);
    expect(store.accept(report('g1', { full: false })).resync).toBe(false);
    // The gateway restarted: a new boot starts from zero.
    expect(store.accept(report('g1', { bootId: 'new', full: false })).resync).toBe(true);
    expect(store.accept(report('g1', { bootId: 'newer', full: true })).resync).toBe(false);
  });

  it('measures requests per minute from the baseline of the window', () => {
    let now = 0;
    const store = new GatewayTrafficStore(() => now);
    store.accept(report('g1', { routes: [route('ns/r', 10, 0)] }));
    now = 2_000;
    expect(store.routes().get('ns/r')?.requestsPerMinute).toBeUndefined();
    now = 30_000;
    store.accept(report('g1', { full: false, routes: [route('ns/r', 40, 0)] }));
    // The baseline is the first report's 10 (the route was new then, so from zero: 40 in 30 s).
    expect(store.routes().get('ns/r')?.requestsPerMinute).toBeCloseTo(80);
    now = 60_000;
    store.accept(report('g1', { full: false, routes: [route('ns/r', 70, 0)] }));
    now = 90_000;
    store.accept(report('g1', { full: false, routes: [route('ns/r', 100, 0)] }));
    // Baseline renewed at 60 s with 70: 30 requests in 30 s.
    expect(store.routes().get('ns/r')?.requestsPerMinute).toBeCloseTo(60);
  });

  it('sums key usage over gateways, changed keys on top of what it has', () => {
    const store = new GatewayTrafficStore(() => 0);
    const usage = (key: string, requests: number) => ({ key, requests, refused: 1, inputTokens: 10, outputTokens: 5, costNanos: '100' });
    store.accept(report('g1', { keys: [usage('ns/a', 3), usage('ns/b', 1)] }));
    store.accept(report('g2', { keys: [usage('ns/a', 2)] }));
    store.accept(report('g1', { full: false, keys: [usage('ns/a', 4)] }));
    expect(store.keys().get('ns/a')).toEqual({ requests: 6, refused: 2, inputTokens: 20, outputTokens: 10, costNanos: 200n });
    expect(store.keys().get('ns/b')?.requests).toBe(1);
  });

  it('counts ejections per backend over gateways and forgets gateways silent for a minute', () => {
    let now = 0;
    const store = new GatewayTrafficStore(() => now);
    const state = { route: 'ns/r', backend: 'a', ejected: true, inFlight: 1, queued: 0 };
    store.accept(report('g1', { backendStates: [state] }));
    store.accept(report('g2', { backendStates: [{ ...state, ejected: false, inFlight: 2 }] }));
    expect(store.backendStates().get('ns/r\u0000a')).toEqual({ ejectedOn: 1, inFlight: 3, queued: 0 });
    now = 61_000;
    store.accept(report('g2'));
    expect(store.gatewayCount()).toBe(1);
    expect(store.backendStates().size).toBe(0);
  });

  it('keeps the latest requests per gateway, newest first over all gateways', () => {
    const store = new GatewayTrafficStore(() => 0);
    const request = (seq: number, at: string) => ({
      seq,
      at,
      requestId: `r${seq}`,
      operation: 'chat',
      status: 200,
      durationMs: 1,
      key: 'ns/k',
      model: 'm',
      route: 'ns/r',
      backend: 'a',
      stream: false,
    });
    store.accept(report('g1', { recent: [request(1, '2026-12-07T10:00:00.000Z'), request(2, '2026-12-07T10:00:02.000Z')] }));
    store.accept(report('g2', { recent: [request(1, '2026-12-07T10:00:01.000Z')] }));
    expect(store.recent(10).map((r) => `${r.gateway}:${r.seq}`)).toEqual(['g1:2', 'g2:1', 'g1:1']);
    const many = Array.from({ length: TRAFFIC_LIMITS.recent }, (_, i) => request(i + 3, '2026-12-07T11:00:00.000Z'));
    store.accept(report('g1', { recent: many }));
    expect(store.recent(1_000).filter((r) => r.gateway === 'g1')).toHaveLength(TRAFFIC_LIMITS.recent);
  });
});

describe('parseTrafficReport', () => {
  const good = report('g1', { routes: [route('ns/r', 1, 0)] });
  it.each([
    ['not an object', 'x', 'traffic is not a JSON object'],
    ['no gateway id', { ...good, gatewayId: '' }, 'traffic needs bootId and gatewayId'],
    ['full not boolean', { ...good, full: 'yes' }, 'traffic.full is not a boolean'],
    ['too many routes', { ...good, routes: new Array(TRAFFIC_LIMITS.routes + 1).fill(route('ns/r', 1, 0)) }, 'at most 10000'],
    ['a short histogram', { ...good, routes: [{ ...route('ns/r', 1, 0), latencyBuckets: [1] }] }, 'traffic.routes[0]: latencyBuckets'],
    ['a negative count', { ...good, routes: [{ ...route('ns/r', 1, 0), requests: -1 }] }, 'traffic.routes[0]: needs request'],
    ['cost not decimal', { ...good, routes: [{ ...route('ns/r', 1, 0), costNanos: '1e9' }] }, 'costNanos is not a decimal'],
    ['a key without counts', { ...good, keys: [{ key: 'ns/k' }] }, 'traffic.keys[0] needs requests'],
    ['a backend state without route', { ...good, backendStates: [{ backend: 'a', ejected: true }] }, 'traffic.backendStates[0]'],
    ['a recent request without a time', { ...good, recent: [{ seq: 1 }] }, 'traffic.recent[0]: at is not a time'],
  ])('names the problem: %s', (_name, value, message) => {
    expect(parseTrafficReport(value)).toEqual(expect.stringContaining(message));
  });

  it('accepts a well-formed report', () => {
    expect(parseTrafficReport(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });
});
