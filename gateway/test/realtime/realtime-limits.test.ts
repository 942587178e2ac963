// The realtime relay's bounds, through the gateway process: a message over
// --realtime-max-frame-bytes from either side closes the session with 1009 and a reason naming
// the flag; a caller that stops reading makes the gateway stop reading its upstream (the
// upstream's own send queue grows instead of the gateway's memory) and everything arrives once it
// reads again; a session idle past --realtime-idle-timeout gets an error event and a close; a
// plain GET without an upgrade is refused; at shutdown, open sessions keep working through the
// grace and then get an error event and a 1001 close.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { governedKey } from '../governance/governance-fixtures.js';
import { startRealtimeMock, type MockRealtimeServer } from '../mocks/openai-realtime-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { openAIRealtimeBackend, openSdkSession, rawHandshake, requestLineWhere, textTurn } from './realtime-support.js';

const key = testKey('rtlimits');
const FRAME_LIMIT = 65_536;

function manifests(upstream: MockRealtimeServer): Record<string, string> {
  return {
    'all.yaml': documents(
      secretObject('realtime', { apiKey: 'upstream-secret' }),
      routeObject({ name: 'gpt-realtime', backends: [openAIRealtimeBackend('rt', upstream.url)] }),
      ...governedKey({ name: 'limits', key }),
    ),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('realtime limits', () => {
  let upstream: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRealtimeMock('openai');
    gateway = await startGateway({
      manifests: manifests(upstream),
      args: ['--realtime-max-frame-bytes', String(FRAME_LIMIT), '--realtime-max-buffered-bytes', '65536'],
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it("closes with 1009 naming the limit when the caller's message is over --realtime-max-frame-bytes", async () => {
    const session = await openSdkSession(gateway, key, 'gpt-realtime');
    await session.next('session.created');
    const before = upstream.events.length;
    session.rt.send({ type: 'input_audio_buffer.append', audio: 'A'.repeat(FRAME_LIMIT + 1) });
    const closed = await session.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toBe(`message over the ${FRAME_LIMIT}-byte limit (--realtime-max-frame-bytes)`);
    expect(upstream.events.length).toBe(before);
    const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.streamFailure === 'frame_too_large');
    expect(line?.status).toBe(101);
  });

  it("closes with 1009 naming the limit when the upstream's message is over it", async () => {
    const session = await openSdkSession(gateway, key, 'gpt-realtime');
    await session.next('session.created');
    upstream.hugeDeltaBytes = FRAME_LIMIT + 1;
    session.rt.send({ type: 'response.create' });
    const closed = await session.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toBe(`upstream message over the ${FRAME_LIMIT}-byte limit (--realtime-max-frame-bytes)`);
  });

  it('stops reading the upstream while the caller does not read, and delivers everything once it does', async () => {
    const opened = await rawHandshake(gateway, '/v1/realtime?model=gpt-realtime', { key });
    const socket = opened.socket;
    if (socket === undefined) throw new Error('no socket');
    const { events, closed } = opened;
    await until(() => events.some((event) => event.type === 'session.created'), 'session.created');
    // 640 deltas of 48 KiB (30 MiB) against a 64 KiB buffer: with the caller not reading, far more
    // than loopback's socket buffers can hold must wait in the upstream's own queue.
    upstream.flood = { count: 640, bytes: 48 * 1024 };
    socket.pause();
    socket.send(JSON.stringify({ type: 'response.create' }));
    await until(() => upstream.unsentBytes() > 4 * 1024 * 1024, 'the upstream holding what the gateway did not read');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(upstream.unsentBytes()).toBeGreaterThan(4 * 1024 * 1024);
    socket.resume();
    await until(() => events.some((event) => event.type === 'response.done'), 'response.done');
    expect(events.filter((event) => event.type === 'response.output_audio.delta').length).toBeGreaterThanOrEqual(640);
    socket.close(1000);
    await closed;
  });

  it('refuses a plain GET without an upgrade in the OpenAI error format', async () => {
    const answer = await fetch(`${gateway.url}/v1/realtime?model=gpt-realtime`, { headers: { authorization: `Bearer ${key}` } });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upgrade_required');
    expect(body.error.message).toContain('Upgrade: websocket');
  });
});

describe('realtime idle deadline', () => {
  let upstream: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRealtimeMock('openai');
    gateway = await startGateway({ manifests: manifests(upstream), args: ['--realtime-idle-timeout', '1s'] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('closes a session idle past --realtime-idle-timeout with an error event naming the flag', async () => {
    const session = await openSdkSession(gateway, key, 'gpt-realtime');
    await session.next('session.created');
    const error = await session.next('error');
    expect(error.error).toMatchObject({ code: 'session_idle' });
    expect((error.error as { message: string }).message).toContain('--realtime-idle-timeout');
    expect((await session.closed).code).toBe(1000);
  });
});

describe('realtime sessions at shutdown', () => {
  let upstream: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRealtimeMock('openai');
    gateway = await startGateway({ manifests: manifests(upstream), args: ['--shutdown-grace', '2s'] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('keeps sessions working through the shutdown grace, then sends an error event and closes with 1001', async () => {
    const session = await openSdkSession(gateway, key, 'gpt-realtime');
    await session.next('session.created');
    const exited = once(gateway.process, 'exit');
    gateway.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const turn = await textTurn(session, 'still there');
    expect(turn.deltas).toBe('You said: still there');
    const error = await session.next('error');
    expect(error.error).toMatchObject({ code: 'gateway_shutdown' });
    const closed = await session.closed;
    expect(closed.code).toBe(1001);
    await exited;
    const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.cut === 'shutdown');
    expect(line?.streamFailure).toBe('shutdown');
  });
});
