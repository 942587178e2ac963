// A client that goes away cancels the upstream call: the gateway closes its upstream
// connection instead of reading a stream nobody will receive.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { OPENAI_MOCK_API_KEY } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('disconnect');

describe('client disconnect', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;
  let upstreamClosed: Promise<number>;

  beforeAll(async () => {
    let signalClosed: (chunksWritten: number) => void = () => undefined;
    upstreamClosed = new Promise((resolveClosed) => (signalClosed = resolveClosed));
    // An endless stream: one chunk every 50 ms until the gateway hangs up.
    upstream = await startMockHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let written = 0;
      const timer = setInterval(() => {
        const chunk = {
          id: 'c1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [{ index: 0, delta: { content: `word${written} ` }, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        written += 1;
      }, 50);
      res.on('close', () => {
        clearInterval(timer);
        signalClosed(written);
      });
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({ name: 'endless', backends: [openAIBackend('endless-upstream', upstream.url)] }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('closes the upstream stream soon after the client aborts', async () => {
    const controller = new AbortController();
    const stream = await openAIClient(gateway, key).chat.completions.create(
      { model: 'endless', messages: [{ role: 'user', content: 'go on' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    // The SDK ends the iteration (or throws an abort error, depending on timing) once aborted.
    try {
      for await (const chunk of stream) {
        void chunk;
        received += 1;
        if (received === 3) controller.abort();
      }
    } catch (error) {
      expect(String(error)).toMatch(/abort/i);
    }
    expect(received).toBeGreaterThanOrEqual(3);
    const abortedAt = Date.now();
    const written = await upstreamClosed;
    expect(Date.now() - abortedAt).toBeLessThan(2_000);
    expect(written).toBeLessThan(60);
    // The request is logged as closed by the client (499), not as an upstream failure.
    await new Promise((r) => setTimeout(r, 100));
    expect(gateway.logs()).toMatch(/"msg":"request".*"status":499/);
  });
});
