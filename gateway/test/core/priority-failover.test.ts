// Priority tiers: tier 0 serves while it can; when its backend fails, the retry goes to the
// next tier within the same request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('priority');

describe('priority tiers and failover', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          routeObject({
            name: 'healthy',
            backends: [
              mockBackend('primary', { priority: 0, response: 'from primary' }),
              mockBackend('secondary', { priority: 1, response: 'from secondary' }),
            ],
          }),
          routeObject({
            name: 'failing-primary',
            retry: { attempts: 2, backoff: { initial: '10ms', max: '20ms' } },
            // High threshold: this test is about failover, not ejection.
            outlierDetection: { consecutiveFailures: 1000 },
            backends: [
              mockBackend('broken', { priority: 0, failureRate: '1' }),
              mockBackend('standby', { priority: 1, response: 'from standby' }),
            ],
          }),
          routeObject({
            name: 'no-retries',
            retry: { attempts: 1 },
            outlierDetection: { consecutiveFailures: 1000 },
            backends: [mockBackend('broken-2', { priority: 0, failureRate: '1' }), mockBackend('standby-2', { priority: 1 })],
          }),
        ),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('serves from tier 0 while it is healthy', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'healthy', messages: HELLO });
      expect(response.headers.get('x-switchyard-backend')).toBe('primary');
      expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    }
  });

  it('fails over to the next tier on retry', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'failing-primary', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-backend')).toBe('standby');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect((response.json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('from standby');
  });

  it('does not go past retry.attempts: with 1 attempt the lower tier is not tried', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'no-retries', messages: HELLO });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
  });
});
