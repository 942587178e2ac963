// When every attempt fails the caller gets 502 listing each attempt (backend, status, reason),
// never a credential; an upstream 401/403 is the gateway's problem (502, never 401).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('failures');
const WRONG_UPSTREAM_KEY = 'sk-wrong-upstream-key-0123456789abcdef';

describe('upstream failures', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    const outlierDetection = { consecutiveFailures: 1000 };
    const retry = { attempts: 2, backoff: { initial: '1ms', max: '2ms' } };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          secretObject('openai-wrong', { apiKey: WRONG_UPSTREAM_KEY }),
          routeObject({
            name: 'two-backends',
            backends: [openAIBackend('first', upstream.url, { priority: 0 }), openAIBackend('second', upstream.url, { priority: 1 })],
            outlierDetection,
            retry,
          }),
          routeObject({
            name: 'bad-credential',
            backends: [openAIBackend('misconfigured', upstream.url, { secret: 'openai-wrong' })],
            outlierDetection,
            retry,
          }),
          routeObject({
            name: 'one-bad-credential',
            backends: [
              openAIBackend('revoked', upstream.url, { secret: 'openai-wrong', priority: 0 }),
              openAIBackend('valid', upstream.url, { priority: 1 }),
            ],
            outlierDetection,
            retry,
          }),
          routeObject({
            name: 'unreachable',
            backends: [
              {
                name: 'nowhere',
                provider: 'openai',
                model: 'm',
                baseURL: 'http://127.0.0.1:9/v1',
                credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
              },
            ],
            outlierDetection,
            retry,
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

  it('answers 502 listing every attempt: backend, status and reason', async () => {
    upstream.script(
      { error: { status: 500, message: 'first exploded', type: 'server_error' } },
      { error: { status: 503, message: 'second overloaded', type: 'server_error' } },
    );
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'two-backends', messages: HELLO });
    expect(response.status).toBe(502);
    const message = errorOf(response.json).message;
    expect(message).toMatch(/\[1\] backend=first status=500 reason=ServerError: .*first exploded/);
    expect(message).toMatch(/\[2\] backend=second status=503 reason=ServerError: .*second overloaded/);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('turns an upstream 401 into 502 and keeps the upstream key out of the answer and the logs', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'bad-credential', messages: HELLO });
    expect(response.status).toBe(502);
    const message = errorOf(response.json).message;
    expect(message).toMatch(/backend=misconfigured status=401 reason=AuthError/);
    // An auth failure is not in retry.on: one attempt only.
    expect(upstream.chatRequests).toHaveLength(0);
    expect(upstream.requests).toHaveLength(1);
    expect(JSON.stringify(response.json)).not.toContain(WRONG_UPSTREAM_KEY);
    expect(gateway.logs()).not.toContain(WRONG_UPSTREAM_KEY);
  });

  it('moves on to another backend of the route after an upstream 401, without retrying the same one', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'one-bad-credential', messages: HELLO });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-backend')).toBe('valid');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('classifies a refused connection as ConnectError', async () => {
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'unreachable', messages: HELLO });
    expect(response.status).toBe(502);
    expect(errorOf(response.json).message).toMatch(/backend=nowhere status=0 reason=ConnectError/);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('logs a request the gateway could not answer (502) at warn, and a caller mistake (4xx) at info', async () => {
    const failed = await postJson(gateway, '/v1/chat/completions', key, { model: 'unreachable', messages: HELLO });
    const refused = await postJson(gateway, '/v1/chat/completions', key, { model: 'no-such-model', messages: HELLO });
    expect([failed.status, refused.status]).toEqual([502, 404]);
    const requestLine = (response: { headers: Headers }) => () => {
      const id = response.headers.get('x-request-id');
      return gateway
        .logs()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((record) => record.msg === 'request' && record.requestId === id);
    };
    await eventually(async () => requestLine(failed)() !== undefined && requestLine(refused)() !== undefined);
    expect(requestLine(failed)()).toMatchObject({ level: 'warn', status: 502, error: { code: 'upstream_failed' } });
    expect(requestLine(refused)()).toMatchObject({ level: 'info', status: 404 });
  });
});
