// Weights split a tier's traffic; weight 0 drains a backend.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('weights');
const REQUESTS = 600;

describe('routing weights', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({
            name: 'split',
            backends: [mockBackend('heavy', { weight: 3 }), mockBackend('light', { weight: 1 }), mockBackend('drained', { weight: 0 })],
          }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('spreads requests by weight within tolerance and never picks a drained backend', async () => {
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < REQUESTS / 20; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => postJson(gateway, '/v1/chat/completions', key, { model: 'split', messages: HELLO })),
      );
      for (const response of responses) {
        expect(response.status).toBe(200);
        const backend = response.headers.get('x-switchyard-backend') ?? 'none';
        counts[backend] = (counts[backend] ?? 0) + 1;
      }
    }
    expect(counts['drained']).toBeUndefined();
    // Expected share 0.75; 600 draws have a standard deviation of ~0.018, so +-0.07 is ~4 sigma.
    const heavyShare = (counts['heavy'] ?? 0) / REQUESTS;
    expect(heavyShare).toBeGreaterThan(0.68);
    expect(heavyShare).toBeLessThan(0.82);
    expect((counts['heavy'] ?? 0) + (counts['light'] ?? 0)).toBe(REQUESTS);
  });
});
