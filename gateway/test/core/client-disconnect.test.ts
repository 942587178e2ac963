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

// The same before the first byte: the attempt is waiting on the upstream (what the gateway keeps
// per request then is kept small on purpose: exchange.ts, ClientGone), and the client's departure
// must end that wait at once, not at the route's first-byte deadline.
describe('client disconnect while the upstream has not answered', () => {
  let upstream: MockHttpServer;
  let gateway: GatewayProcess;
  /** Settled when the next upstream request arrives, and when its connection closes. */
  let next: { arrived: Promise<void>; closed: Promise<void>; arrive: () => void; close: () => void };
  const expectNext = (): void => {
    let arrive: () => void = () => undefined;
    let close: () => void = () => undefined;
    const arrived = new Promise<void>((resolveArrived) => (arrive = resolveArrived));
    const closed = new Promise<void>((resolveClosed) => (close = resolveClosed));
    next = { arrived, closed, arrive, close };
  };
  /** Request lines of the silent route logged as closed by the client (499). */
  const closedByClient = (): number =>
    gateway
      .logs()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"') && line.includes('"model":"silent"') && line.includes('"status":499')).length;
  let cases = 0;

  beforeAll(async () => {
    // Never answers: the gateway's attempt waits for headers until something ends it.
    upstream = await startMockHttpServer((_request, res) => {
      const { arrive, close } = next;
      res.on('close', close);
      arrive();
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'silent',
            backends: [openAIBackend('silent-upstream', upstream.url)],
            timeouts: { firstByte: '60s', total: '120s' },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each([false, true])('cancels the upstream call at once (stream: %s)', async (stream) => {
    expectNext();
    const controller = new AbortController();
    const pending = openAIClient(gateway, key)
      .chat.completions.create({ model: 'silent', messages: [{ role: 'user', content: 'hello?' }], stream }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await next.arrived;
    const abortedAt = Date.now();
    controller.abort();
    expect(String(await pending)).toMatch(/abort/i);
    await next.closed;
    // Generous against the 60 s first-byte deadline that would otherwise end the wait.
    expect(Date.now() - abortedAt).toBeLessThan(10_000);
    cases += 1;
    for (let tries = 0; tries < 100 && closedByClient() < cases; tries++) await new Promise((r) => setTimeout(r, 20));
    expect(closedByClient()).toBe(cases);
  });
});
