// Redirects from an upstream are never followed: a 3xx is a failed attempt, and the place it
// points to is never called (a redirect must not become a way around the egress guard).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('redirects');

describe('upstream redirects', () => {
  let target: OpenAIMockServer;
  let redirector: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    target = await startOpenAIMockServer();
    redirector = await startMockHttpServer((request, res) => {
      res.writeHead(307, { location: `${target.url}${request.url}` });
      res.end();
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({ name: 'moved', retry: { attempts: 1 }, backends: [openAIBackend('redirecting', redirector.url)] }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await redirector?.close();
    await target?.close();
  });

  it('reports the 3xx as a failed attempt and never calls the redirect target', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'moved', messages: HELLO });
    expect(response.status).toBe(502);
    expect(errorOf(response.json).message).toMatch(/backend=redirecting status=307/);
    expect(redirector.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });
});
