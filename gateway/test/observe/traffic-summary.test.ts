// What a gateway reports of its traffic to the operator's console: totals per route and backend,
// only the routes changed since the last report unless everything is asked for, the requests
// finished since then (put back when a report is not delivered), and (table/backend-states.ts)
// the backends that are ejected or busy now.
import { describe, expect, it } from '@jest/globals';
import { TRAFFIC_LATENCY_BUCKETS_MS, TRAFFIC_LIMITS } from '@switchyard/compiler';
import { TrafficSummary, type FinishedRequest } from '../../src/observe/traffic-summary.js';
import { BackendHealth } from '../../src/table/backend-health.js';
import { notableBackendStates } from '../../src/table/backend-states.js';
import type { RuntimeTable } from '../../src/table/runtime-table.js';

function finished(overrides: Partial<FinishedRequest> = {}): FinishedRequest {
  return {
    requestId: 'r1',
    operation: 'chat',
    status: 200,
    durationMs: 7,
    key: 'ns/key',
    model: 'chat',
    route: 'ns/chat',
    backend: 'a',
    stream: false,
    ...overrides,
  };
}

describe('TrafficSummary', () => {
  it('totals requests, errors, cost and latency per route and backend', () => {
    const summary = new TrafficSummary(() => Date.UTC(2026, 11, 7));
    summary.record(finished({ costNanos: 1500n }));
    summary.record(finished({ status: 429, backend: '', durationMs: 0.5 }));
    summary.record(finished({ status: 502, durationMs: 70_000, costNanos: 1n }));
    const report = summary.takeReport('gw', []);
    expect(report.full).toBe(true);
    expect(report.gatewayId).toBe('gw');
    const [route] = report.routes;
    expect(route).toMatchObject({ route: 'ns/chat', requests: 3, clientErrors: 1, serverErrors: 1, costNanos: '1501' });
    expect(route?.backends).toEqual([{ name: 'a', requests: 2, serverErrors: 1 }]);
    // 7 ms and 0.5 ms fall in the 10 ms and 5 ms buckets; 70 s past the last bound.
    expect(route?.latencyBuckets[TRAFFIC_LATENCY_BUCKETS_MS.indexOf(10)]).toBe(1);
    expect(route?.latencyBuckets[0]).toBe(1);
    expect(route?.latencyBuckets.at(-1)).toBe(1);
    expect(report.recent.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(report.recent[0]).toMatchObject({ at: '2026-12-07T00:00:00.000Z', key: 'ns/key', costNanos: '1500', status: 200 });
  });

  it('totals usage per key, refusals apart, and sends only changed keys after the first report', () => {
    const summary = new TrafficSummary();
    summary.record(finished({ inputTokens: 10, outputTokens: 4, costNanos: 7n }));
    summary.record(finished({ status: 429, route: '' }));
    summary.record(finished({ key: 'ns/other' }));
    expect(summary.takeReport('gw', []).keys).toEqual([
      { key: 'ns/key', requests: 2, refused: 1, inputTokens: 10, outputTokens: 4, costNanos: '7' },
      { key: 'ns/other', requests: 1, refused: 0, inputTokens: 0, outputTokens: 0, costNanos: '0' },
    ]);
    summary.record(finished({ key: 'ns/other' }));
    expect(summary.takeReport('gw', []).keys.map((k) => k.key)).toEqual(['ns/other']);
  });

  it('sends only the routes changed since the last report, and everything when asked', () => {
    const summary = new TrafficSummary();
    summary.record(finished({ route: 'ns/a' }));
    summary.record(finished({ route: 'ns/b' }));
    summary.takeReport('gw', []);
    summary.record(finished({ route: 'ns/b' }));
    const changed = summary.takeReport('gw', []);
    expect(changed.full).toBe(false);
    expect(changed.routes.map((r) => r.route)).toEqual(['ns/b']);
    expect(summary.takeReport('gw', []).routes).toEqual([]);
    summary.resendEverything();
    const all = summary.takeReport('gw', []);
    expect(all.full).toBe(true);
    expect(all.routes.map((r) => r.route).sort()).toEqual(['ns/a', 'ns/b']);
  });

  it('puts the requests of an undelivered report back in front and resends every total', () => {
    const summary = new TrafficSummary();
    summary.record(finished({ requestId: 'first' }));
    const lost = summary.takeReport('gw', []);
    summary.record(finished({ requestId: 'second' }));
    summary.notDelivered(lost);
    const next = summary.takeReport('gw', []);
    expect(next.full).toBe(true);
    expect(next.recent.map((r) => r.requestId)).toEqual(['first', 'second']);
  });

  it('keeps at most the bound of recent requests, dropping the oldest, and clips long names', () => {
    const summary = new TrafficSummary();
    for (let i = 0; i < TRAFFIC_LIMITS.recent + 5; i++) summary.record(finished({ requestId: `r${i}`, model: 'm'.repeat(1000) }));
    const { recent } = summary.takeReport('gw', []);
    expect(recent).toHaveLength(TRAFFIC_LIMITS.recent);
    expect(recent[0]?.requestId).toBe('r5');
    expect(recent[0]?.model).toHaveLength(TRAFFIC_LIMITS.name);
  });

  it('counts a request without a route in recent requests only', () => {
    const summary = new TrafficSummary();
    summary.record(finished({ route: '', key: '', status: 401 }));
    const report = summary.takeReport('gw', []);
    expect(report.routes).toEqual([]);
    expect(report.recent).toHaveLength(1);
  });

  it('reports the backends that are ejected, busy or queued, and no others', () => {
    const healthy = new BackendHealth();
    const ejected = new BackendHealth();
    ejected.ejectedUntilMs = Date.now() + 60_000;
    const busy = new BackendHealth();
    busy.inFlight = 2;
    const table = {
      routes: new Map([
        [
          'ns/chat',
          {
            id: 'ns/chat',
            backendsByName: new Map([
              ['a', { name: 'a', health: healthy }],
              ['b', { name: 'b', health: ejected }],
              ['c', { name: 'c', health: busy }],
            ]),
          },
        ],
      ]),
    } as unknown as RuntimeTable;
    expect(new TrafficSummary().takeReport('gw', notableBackendStates(table, Date.now())).backendStates).toEqual([
      { route: 'ns/chat', backend: 'b', ejected: true, inFlight: 0, queued: 0 },
      { route: 'ns/chat', backend: 'c', ejected: false, inFlight: 2, queued: 0 },
    ]);
  });
});
