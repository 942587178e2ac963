// A backend with several credentials spreads its requests over them. The attempt target (the
// backend, the picked credential and what the adapter reads) is reused per backend while the
// route and the credential are the same (retry.ts): this holds it to the credential each request
// actually picked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { documents, HELLO, keyObjects, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('credentialchoice');
const REQUESTS = 40;
const UPSTREAM_KEYS = ['sk-upstream-first', 'sk-upstream-second'];

describe('credential choice per request', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer({ apiKey: null });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('first', { apiKey: UPSTREAM_KEYS[0] as string }),
          secretObject('second', { apiKey: UPSTREAM_KEYS[1] as string }),
          routeObject({
            name: 'two-credentials',
            backends: [
              {
                name: 'shared',
                provider: 'openai',
                model: 'gpt-upstream',
                baseURL: `${upstream.url}/v1`,
                credentials: [{ secretRef: { name: 'first', key: 'apiKey' } }, { secretRef: { name: 'second', key: 'apiKey' } }],
              },
            ],
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('sends each request with the credential picked for it, so both credentials are used', async () => {
    for (let i = 0; i < REQUESTS; i++) {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'two-credentials', messages: HELLO });
      expect(response.status).toBe(200);
    }
    const used = new Map<string, number>();
    for (const request of upstream.requests) {
      const presented = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      used.set(presented, (used.get(presented) ?? 0) + 1);
    }
    expect([...used.keys()].sort()).toEqual([...UPSTREAM_KEYS].sort());
    // Equal weights: each credential's share is far from all-or-nothing (P(< 5 of 40) ~ 1e-7).
    for (const count of used.values()) expect(count).toBeGreaterThanOrEqual(5);
  });
});
