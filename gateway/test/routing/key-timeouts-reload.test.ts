// A key's timeout overrides (VirtualKey spec.timeouts) are merged over its backend's or route's
// timeouts once per pair of compiled objects, not per request (pipeline.ts, attemptTimeouts):
// a table change to the route's timeouts must reach the key's requests although the key itself
// did not change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, documents, HELLO, mockBackend, postJson, routeObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('reloadtimeouts');

function keyObjects(): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k-key', namespace: 'default' }, stringData: { key } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'k', namespace: 'default' },
      // Overrides firstByte only: the route's total still applies to this key.
      spec: { secretName: 'k-key', timeouts: { firstByte: '10s' } },
    },
  ];
}

function routes(total: string): string {
  return documents(
    routeObject({
      name: 'slowish',
      backends: [mockBackend('slow', { latency: '400ms' })],
      timeouts: { total },
      retry: { attempts: 1 },
    }),
  );
}

describe('key timeout overrides across a route change', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({ manifests: { 'keys.yaml': documents(...keyObjects()), 'routes.yaml': routes('20s') } });
  });
  afterAll(async () => gateway?.stop());

  it("applies the route's new total timeout to a key whose own overrides did not change", async () => {
    const before = await postJson(gateway, '/v1/chat/completions', key, { model: 'slowish', messages: HELLO });
    expect(before.status).toBe(200);
    await gateway.writeManifest('routes.yaml', routes('100ms'));
    const deadline = Date.now() + 10_000;
    let status = before.status;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await postJson(gateway, '/v1/chat/completions', key, { model: 'slowish', messages: HELLO })).status;
    }
    // The total timeout cut the 400 ms answer: the gateway's timeout status, not an answer.
    expect(status).toBe(504);
  });
});
