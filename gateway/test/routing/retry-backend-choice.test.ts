// What the retry loop and the route choice keep across attempts and table changes, now that
// they build their sets lazily and reuse one choice per route (retry.ts, request-features.ts):
// - a retry goes to a backend the request has not tried while one is left;
// - a route rebuilt by a table change is served by its new backends, never by a choice
//   remembered from the route it replaced.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from '../core/core-fixtures.js';

const key = testKey('retry-choice');
const REQUESTS = 40;

function routes(stableBackend: string): string {
  return documents(
    routeObject({
      name: 'half-broken',
      backends: [mockBackend('broken', { failureRate: '1' }), mockBackend('healthy')],
      // Never ejected here, so every request may start on the broken backend.
      outlierDetection: { consecutiveFailures: 1000 },
      retry: { attempts: 2, backoff: { initial: '1ms', max: '1ms' } },
    }),
    routeObject({ name: 'renamed', backends: [mockBackend(stableBackend)] }),
  );
}

describe('retry and route choice', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'keys.yaml': documents(...keyObjects({ name: 'k', key })), 'routes.yaml': routes('before') },
    });
  });
  afterAll(async () => gateway?.stop());

  it('retries on the backend the request has not tried, so two attempts always reach the healthy one', async () => {
    const attempts: Record<string, number> = {};
    for (let i = 0; i < REQUESTS; i++) {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'half-broken', messages: HELLO });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchyard-backend')).toBe('healthy');
      const count = response.headers.get('x-switchyard-attempts') ?? 'none';
      attempts[count] = (attempts[count] ?? 0) + 1;
    }
    // Both starts happen (weights 1:1), so the retry path was taken: P(no retry in 40) = 2^-40.
    expect(attempts['2']).toBeGreaterThan(0);
    for (const count of Object.keys(attempts)) expect(['1', '2']).toContain(count);
  });

  it('serves a route rebuilt by a table change from its new backend', async () => {
    const first = await postJson(gateway, '/v1/chat/completions', key, { model: 'renamed', messages: HELLO });
    expect(first.headers.get('x-switchyard-backend')).toBe('before');
    await gateway.writeManifest('routes.yaml', routes('after'));
    const deadline = Date.now() + 10_000;
    let backend: string | null = 'before';
    while (backend === 'before' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'renamed', messages: HELLO });
      expect(response.status).toBe(200);
      backend = response.headers.get('x-switchyard-backend');
    }
    expect(backend).toBe('after');
    // And it stays there: nothing of the old route's choice comes back.
    for (let i = 0; i < 10; i++) {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'renamed', messages: HELLO });
      expect(response.headers.get('x-switchyard-backend')).toBe('after');
    }
  });
});
