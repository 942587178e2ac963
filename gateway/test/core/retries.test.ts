// Retries within a route: attempts (the first included), exponential backoff with jitter, the
// upstream's retry-after honoured up to backoff.max, only the failure kinds in retry.on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('retries');
const serverError = { error: { status: 500, message: 'The server had an error', type: 'server_error' } };

describe('retries', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    const backends = [openAIBackend('only', upstream.url)];
    const outlierDetection = { consecutiveFailures: 1000 };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({
            name: 'three-tries',
            backends,
            outlierDetection,
            retry: { attempts: 3, backoff: { initial: '100ms', max: '400ms' } },
          }),
          routeObject({
            name: 'server-errors-only',
            backends,
            outlierDetection,
            retry: { attempts: 3, backoff: { initial: '10ms', max: '10ms' }, on: ['ServerError'] },
          }),
          routeObject({
            name: 'short-max',
            backends,
            outlierDetection,
            retry: { attempts: 3, backoff: { initial: '10ms', max: '200ms' } },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });
  beforeEach(() => upstream.reset());

  it('retries a server error and reports the attempts', async () => {
    upstream.script(serverError, serverError);
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'three-tries', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
    expect(upstream.chatRequests).toHaveLength(3);
  });

  it('stops after retry.attempts and answers 502', async () => {
    upstream.script(serverError, serverError, serverError, serverError);
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'three-tries', messages: HELLO });
    expect(response.status).toBe(502);
    expect(upstream.chatRequests).toHaveLength(3);
  });

  it('backs off no longer than the exponential bound', async () => {
    upstream.script(serverError, serverError);
    const started = Date.now();
    await postJson(gateway, '/v1/chat/completions', key, { model: 'three-tries', messages: HELLO });
    // Full jitter: waits are within [0, 100ms] and [0, 200ms].
    expect(Date.now() - started).toBeLessThan(300 + 400);
  });

  it('waits for the upstream retry-after before trying the same backend again', async () => {
    upstream.script({
      error: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      retryAfterMs: '350',
    });
    const started = Date.now();
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'three-tries', messages: HELLO });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('does not hold the caller for a retry-after longer than backoff.max', async () => {
    upstream.script({ error: { status: 429, message: 'Rate limit reached', type: 'requests' }, retryAfter: '30' });
    const started = Date.now();
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'short-max', messages: HELLO });
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(upstream.chatRequests).toHaveLength(1);
  });

  it('retries only the failure kinds in retry.on', async () => {
    upstream.script({ error: { status: 429, message: 'Rate limit reached', type: 'requests' } });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'server-errors-only', messages: HELLO });
    expect(response.status).toBe(502);
    expect(upstream.chatRequests).toHaveLength(1);
  });
});
