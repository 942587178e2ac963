// A route whose backend's provider has no rerank API answers 400 naming the provider, in the
// OpenAI error shape, and sends nothing upstream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, errorOf, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const key = testKey('rerankunsupported');

describe('rerank on a provider without a rerank API', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startMockHttpServer((_request, res) => void res.writeHead(500).end());
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('openai', { apiKey: 'sk-upstream' }),
          routeObject({ name: 'gpt', backends: [openAIBackend('oa', upstream.url)] }),
          routeObject({
            name: 'claude',
            backends: [
              {
                name: 'anth',
                provider: 'anthropic',
                model: 'claude-x',
                baseURL: upstream.url,
                credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
              },
            ],
          }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each([
    ['gpt', 'openai'],
    ['claude', 'anthropic'],
  ])('%s (%s): 400 naming the provider, nothing sent', async (model, provider) => {
    const before = upstream.requests.length;
    const answer = await postJson(gateway, '/v1/rerank', key, { model, query: 'q', documents: ['a'] });
    expect(answer.status).toBe(400);
    expect(errorOf(answer.json).message).toContain(`rerank (/v1/rerank) is not supported by provider ${provider}`);
    expect(upstream.requests.length).toBe(before);
  });
});
