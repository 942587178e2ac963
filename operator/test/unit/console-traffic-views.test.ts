// The routes and recent-requests views over the gateways' traffic reports: backend health across
// gateways, totals and latency per route, and recent requests only in namespaces whose keys the
// user may list.
import { describe, expect, it } from '@jest/globals';
import { TRAFFIC_LATENCY_BUCKETS_MS } from '@switchyard/compiler';
import type { CrObject } from '../../src/reconcile/kind-watches.js';
import { GatewayTrafficStore } from '../../src/console/gateway-traffic.js';
import { renderView, type ConsoleSource } from '../../src/console/console-views.js';

const route: CrObject = {
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name: 'chat', namespace: 'team-a' },
  spec: {
    model: 'chat',
    backends: [
      { name: 'a', provider: 'openai', model: 'gpt' },
      { name: 'b', provider: 'openai', model: 'gpt' },
    ],
  },
};

function source(store: GatewayTrafficStore, visibleNamespaces: string[]): ConsoleSource {
  return {
    visible: async (kind) => (kind === 'ModelRoute' ? [route] : []),
    namespacesVisible: async (_kind, namespaces) => new Set(namespaces.filter((n) => visibleNamespaces.includes(n))),
    traffic: store,
    tableVersion: 1,
    gatewaysConnected: 2,
    synced: true,
    now: 0,
  };
}

function buckets(index: number, count: number): number[] {
  const list = new Array<number>(TRAFFIC_LATENCY_BUCKETS_MS.length + 1).fill(0);
  list[index] = count;
  return list;
}

function recent(seq: number, key: string, model: string) {
  return {
    seq,
    at: `2026-12-07T10:00:0${seq}.000Z`,
    requestId: `req-${seq}`,
    operation: 'chat',
    status: 200,
    durationMs: 12.5,
    key,
    model,
    route: '',
    backend: '',
    stream: false,
  };
}

describe('console traffic views', () => {
  const store = new GatewayTrafficStore(() => 0);
  store.accept({
    bootId: 'b1',
    gatewayId: 'gw-1',
    full: true,
    keys: [{ key: 'team-a/key-a', requests: 5, refused: 2, inputTokens: 100, outputTokens: 40, costNanos: '1500000' }],
    routes: [
      {
        route: 'team-a/chat',
        requests: 4,
        clientErrors: 1,
        serverErrors: 1,
        costNanos: '2500000',
        latencyBuckets: buckets(4, 4),
        backends: [{ name: 'a', requests: 4, serverErrors: 1 }],
      },
    ],
    backendStates: [{ route: 'team-a/chat', backend: 'a', ejected: true, inFlight: 0, queued: 0 }],
    recent: [recent(1, 'team-a/key-a', 'chat'), recent(2, 'team-b/key-b', 'other-model')],
  });
  store.accept({ bootId: 'b2', gatewayId: 'gw-2', full: true, routes: [], keys: [], backendStates: [], recent: [] });

  it('shows backend health across gateways and each route totals', async () => {
    const view = await renderView('routes', source(store, ['team-a']));
    expect(view.live['ModelRoute/team-a/chat:backend:a']).toEqual(['ejected on 1 of 2 gateways · 4 requests, 1 failed', 'bad']);
    expect(view.live['ModelRoute/team-a/chat:backend:b']).toEqual(['healthy', 'ok']);
    expect(view.live['ModelRoute/team-a/chat:requests']?.[0]).toBe('4');
    expect(view.live['ModelRoute/team-a/chat:errors']?.[0]).toBe('1 / 1');
    expect(view.live['ModelRoute/team-a/chat:latency']?.[0]).toBe(
      `≤ ${TRAFFIC_LATENCY_BUCKETS_MS[4]} ms / ≤ ${TRAFFIC_LATENCY_BUCKETS_MS[4]} ms`,
    );
    expect(view.live['ModelRoute/team-a/chat:cost']?.[0]).toBe('$0.0025');
  });

  it('sums the traffic of the routes the user may list on the overview', async () => {
    const view = await renderView('overview', source(store, ['team-a']));
    expect(view.live['traffic:errors']?.[0]).toBe('4 / 1');
    expect(view.live['gateways:reporting']?.[0]).toBe('2');
    const nothing = await renderView('overview', { ...source(store, []), visible: async () => [] });
    expect(nothing.live['traffic:errors']?.[0]).toBe('0 / 0');
  });

  it('shows each key usage', async () => {
    const key: CrObject = {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'VirtualKey',
      metadata: { name: 'key-a', namespace: 'team-a' },
      spec: {},
    };
    const view = await renderView('keys', { ...source(store, ['team-a']), visible: async (kind) => (kind === 'VirtualKey' ? [key] : []) });
    expect(view.live['VirtualKey/team-a/key-a:requests']?.[0]).toBe('5');
    expect(view.live['VirtualKey/team-a/key-a:refused']?.[0]).toBe('2');
    expect(view.live['VirtualKey/team-a/key-a:tokens']?.[0]).toBe('100 / 40');
    expect(view.live['VirtualKey/team-a/key-a:cost']?.[0]).toBe('$0.0015');
  });

  it("lists recent requests only of the keys' namespaces the user may list", async () => {
    const viewer = await renderView('requests', source(store, ['team-a']));
    expect(viewer.html).toContain('team-a/key-a');
    expect(viewer.html).not.toContain('team-b/key-b');
    expect(viewer.html).not.toContain('other-model');
    expect(viewer.live['recent:0:status']).toEqual(['200', 'ok']);
    expect(viewer.live['recent:1:key']).toEqual(['']);
    const admin = await renderView('requests', source(store, ['team-a', 'team-b']));
    expect(admin.live['recent:0:key']).toEqual(['team-b/key-b']);
    expect(admin.live['recent:1:key']).toEqual(['team-a/key-a']);
    // Fixed rows: new requests change values, not the signature, so an open page updates in place.
    expect(admin.signature).toBe(viewer.signature);
  });
});
