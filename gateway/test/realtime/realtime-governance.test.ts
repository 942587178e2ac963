// Realtime sessions are governed like chat requests, through the gateway process: a bad key
// and a model outside the key's allow-list are refused at the upgrade (401, 403, in OpenAI's
// error format, nothing sent upstream); a session counts as a request at open and holds one of
// the key's concurrentRequests until it closes; each response.done is charged to the key's
// budgets, and the response that exhausts a Block budget is followed by an error event naming
// it and a close frame, after which new sessions are refused; the browser-style key subprotocol
// authenticates without the key reaching any log; a failing backend is fallen back from at
// connect time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, mockBackend, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { realtimeUsage, startRealtimeMock, type MockRealtimeServer } from '../mocks/openai-realtime-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { openAIRealtimeBackend, openSdkSession, rawHandshake, requestLineWhere, textTurn } from './realtime-support.js';

const free = testKey('rtfree');
const otherOnly = testKey('rtotheronly');
const budgeted = testKey('rtbudgeted');
const single = testKey('rtsingle');
const perMinute = testKey('rtperminute');

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function errorBody(body: string): { message: string; code: string | null } {
  return (JSON.parse(body) as { error: { message: string; code: string | null } }).error;
}

describe('realtime governance', () => {
  let upstream: MockRealtimeServer;
  let failing: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRealtimeMock('openai');
    failing = await startRealtimeMock('openai');
    failing.refuseWith = 503;
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('realtime', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'gpt-realtime', backends: [openAIRealtimeBackend('rt', upstream.url)] }),
          routeObject({
            name: 'rt-fallback',
            retry: { attempts: 2 },
            backends: [
              openAIRealtimeBackend('down', failing.url, { priority: 0 }),
              openAIRealtimeBackend('up', upstream.url, { priority: 1 }),
            ],
          }),
          routeObject({ name: 'other', backends: [openAIRealtimeBackend('o', upstream.url)] }),
          routeObject({ name: 'mocked', backends: [mockBackend('m')] }),
          ...governedKey({ name: 'free', key: free }),
          ...governedKey({ name: 'other-only', key: otherOnly, allowedModels: ['other'] }),
          ...governedKey({ name: 'budgeted', key: budgeted, labels: { team: 'capped' } }),
          ...governedKey({ name: 'single', key: single, rateLimit: { concurrentRequests: 1 } }),
          ...governedKey({ name: 'per-minute', key: perMinute, rateLimit: { requestsPerMinute: 1 } }),
          budgetObject({ name: 'capped', matchLabels: { team: 'capped' }, limit: '0.20' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await failing?.close();
  });

  it('refuses a bad key at the upgrade with 401, sending nothing upstream', async () => {
    const before = upstream.handshakes.length;
    const refused = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: testKey('nosuchkey') });
    expect(refused.status).toBe(401);
    expect(errorBody(refused.body).code).toBe('invalid_api_key');
    const missing = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime');
    expect(missing.status).toBe(401);
    expect(errorBody(missing.body).code).toBe('missing_api_key');
    expect(upstream.handshakes.length).toBe(before);
  });

  it('refuses a model outside the key allow-list with 403, and a missing model with 400', async () => {
    const before = upstream.handshakes.length;
    const refused = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: otherOnly });
    expect(refused.status).toBe(403);
    expect(errorBody(refused.body)).toMatchObject({ code: 'model_not_allowed' });
    expect(errorBody(refused.body).message).toContain('is not allowed to use model `gpt-realtime`');
    const noModel = await rawHandshake(gateway, '/v1/realtime', { key: free });
    expect(noModel.status).toBe(400);
    expect(errorBody(noModel.body).message).toContain('`model` query parameter');
    expect(upstream.handshakes.length).toBe(before);
    // The SDK reports the refusal as an error on its socket.
    const session = await openSdkSession(gateway, otherOnly, 'gpt-realtime');
    await session.closed;
    expect(session.errors.map((error) => error.message).join('\n')).toContain('403');
  });

  it('refuses a route whose provider has no realtime API with 400 naming the provider', async () => {
    const refused = await rawHandshake(gateway, '/v1/realtime?model=mocked', { key: free });
    expect(refused.status).toBe(400);
    expect(errorBody(refused.body).message).toContain('realtime sessions (GET /v1/realtime) is not supported by provider mock');
  });

  it('authenticates the browser-style key subprotocol, answers the realtime subprotocol, and logs no key', async () => {
    const opened = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', {
      protocols: ['realtime', `openai-insecure-api-key.${free}`, 'openai-beta.realtime-v1'],
    });
    expect(opened.status).toBe(101);
    const socket = opened.socket;
    if (socket === undefined) throw new Error('no socket');
    expect(socket.protocol).toBe('realtime');
    const { events, closed } = opened;
    await until(() => events.some((event) => event.type === 'session.created'));
    socket.close(1000);
    await closed;
    expect(upstream.handshakes.at(-1)?.headers['openai-beta']).toBe('realtime=v1');
    expect(upstream.handshakes.at(-1)?.headers['sec-websocket-protocol']).toBeUndefined();
    await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.key === 'default/free');
    expect(gateway.logs()).not.toContain(free);
  });

  it("counts a session as a request at open against the key's requestsPerMinute", async () => {
    const first = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: perMinute });
    expect(first.status).toBe(101);
    first.socket?.close(1000);
    const second = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: perMinute });
    expect(second.status).toBe(429);
    expect(errorBody(second.body).code).toBe('rate_limit_exceeded');
    expect(errorBody(second.body).message).toContain('1 requests per minute');
  });

  it("holds one of the key's concurrentRequests per open session", async () => {
    const first = await openSdkSession(gateway, single, 'gpt-realtime');
    await first.next('session.created');
    const second = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: single });
    expect(second.status).toBe(429);
    expect(errorBody(second.body).code).toBe('rate_limit_exceeded');
    first.rt.close({ code: 1000, reason: 'done' });
    await first.closed;
    await requestLineWhere(
      gateway,
      (record) => record.operation === 'realtime' && record.key === 'default/single' && record.status === 101,
    );
    const third = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: single });
    expect(third.status).toBe(101);
    third.socket?.close(1000);
  });

  it('cuts the session whose response exhausts a Block budget: error event naming it, then a close frame', async () => {
    // $0.14 a response (see realtime-sdk.test.ts) against a $0.20 budget: the second one exhausts it.
    upstream.usage = realtimeUsage({ text: 1000, audio: 2000 }, { text: 500, audio: 1000 });
    try {
      const session = await openSdkSession(gateway, budgeted, 'gpt-realtime');
      await session.next('session.created');
      await textTurn(session, 'first');
      const from = session.events.length;
      await textTurn(session, 'second');
      const error = await session.next('error', from);
      expect(error.error).toMatchObject({ type: 'invalid_request_error', code: 'budget_exceeded' });
      expect((error.error as { message: string }).message).toContain('Budget default/capped is exhausted');
      const closed = await session.closed;
      expect(closed.code).toBe(1008);
      expect(closed.reason).toContain('default/capped');
      const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.key === 'default/budgeted');
      expect(line).toMatchObject({ status: 101, costUsd: '0.28', streamFailure: 'budget_exceeded' });
      // Spent: the next session is refused at the upgrade.
      const refused = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key: budgeted });
      expect(refused.status).toBe(429);
      expect(errorBody(refused.body)).toMatchObject({ code: 'budget_exceeded' });
    } finally {
      upstream.usage = realtimeUsage({ text: 10 }, { text: 5 });
    }
  });

  it('falls back to the next backend when the first refuses the connection', async () => {
    const before = failing.handshakes.length;
    const session = await openSdkSession(gateway, free, 'rt-fallback');
    await session.next('session.created');
    const turn = await textTurn(session, 'are you there');
    expect(turn.deltas).toBe('You said: are you there');
    session.rt.close({ code: 1000, reason: 'done' });
    await session.closed;
    expect(failing.handshakes.length).toBe(before + 1);
    const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.route === 'default/rt-fallback');
    expect(line).toMatchObject({ status: 101, backend: 'up', attempts: 2 });
  });
});
