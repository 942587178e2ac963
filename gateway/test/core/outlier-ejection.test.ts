// Outlier detection: consecutive failures eject a backend for ejectionTime; with every backend
// ejected the route answers 503 without calling upstream; after ejectionTime it serves again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('ejection');
const serverError = { error: { status: 503, message: 'overloaded', type: 'server_error' } };

describe('outlier ejection', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'flaky',
            backends: [openAIBackend('flaky-backend', upstream.url)],
            retry: { attempts: 1 },
            outlierDetection: { consecutiveFailures: 3, ejectionTime: '1500ms' },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('ejects after consecutive failures, answers 503 while ejected, and recovers', async () => {
    upstream.script(serverError, serverError, serverError);
    for (let i = 0; i < 3; i++)
      expect((await postJson(gateway, '/v1/chat/completions', key, { model: 'flaky', messages: HELLO })).status).toBe(502);
    expect(upstream.chatRequests).toHaveLength(3);

    const ejected = await postJson(gateway, '/v1/chat/completions', key, { model: 'flaky', messages: HELLO });
    expect(ejected.status).toBe(503);
    expect(errorOf(ejected.json).message).toMatch(/no usable backend.*ejected/);
    expect(upstream.chatRequests).toHaveLength(3);

    await new Promise((r) => setTimeout(r, 1600));
    const recovered = await postJson(gateway, '/v1/chat/completions', key, { model: 'flaky', messages: HELLO });
    expect(recovered.status).toBe(200);
    expect(gateway.logs()).toContain('"msg":"backend ejected"');
  });

  it('resets the count on success: failures must be consecutive', async () => {
    upstream.reset();
    upstream.script(serverError, serverError, {}, serverError, serverError, {});
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await postJson(gateway, '/v1/chat/completions', key, { model: 'flaky', messages: HELLO })).status);
    expect(statuses).toEqual([502, 502, 200, 502, 502, 200]);
  });
});
