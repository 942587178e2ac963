// GET /v1/realtime through the gateway process with the official openai SDK's realtime
// WebSocket client (OpenAIRealtimeWS): to an OpenAI realtime upstream and to an Azure OpenAI
// one, each a mock speaking the real event protocol. The session is relayed both ways
// unchanged; the upstream gets the backend's credential (never the virtual key) on its own URL
// shape; response.done usage is charged at the realtime catalog's per-modality prices, and the
// session has its log line and metrics.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { governedKey, metricValue } from '../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { realtimeUsage, startRealtimeMock, type MockRealtimeServer } from '../mocks/openai-realtime-mock-server.js';
import {
  AZURE_API_VERSION,
  azureRealtimeBackend,
  openAIRealtimeBackend,
  openSdkSession,
  requestLineWhere,
  textTurn,
} from './realtime-support.js';

const key = testKey('realtimesdk');

describe('realtime sessions through the openai SDK', () => {
  let openai: MockRealtimeServer;
  let azure: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    openai = await startRealtimeMock('openai');
    azure = await startRealtimeMock('azure');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('realtime', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'gpt-realtime', backends: [openAIRealtimeBackend('openai-rt', openai.url)] }),
          routeObject({ name: 'azure-realtime', backends: [azureRealtimeBackend('azure-rt', azure.url)] }),
          ...governedKey({ name: 'realtime-sdk', key }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await openai?.close();
    await azure?.close();
  });

  it('relays a text session to OpenAI: session.created, session.update, a turn with deltas and response.done', async () => {
    // 1,000 text and 2,000 audio tokens in, 500 text and 1,000 audio tokens out: at gpt-realtime's
    // $4 / $32 in and $16 / $64 out per million, 0.004 + 0.064 + 0.008 + 0.064 = $0.14.
    openai.usage = realtimeUsage({ text: 1000, audio: 2000 }, { text: 500, audio: 1000 });
    const session = await openSdkSession(gateway, key, 'gpt-realtime');
    const created = await session.next('session.created');
    expect((created.session as { model: string }).model).toBe('gpt-realtime');
    session.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], instructions: 'Be brief.' } });
    const updated = await session.next('session.updated');
    expect((updated.session as { output_modalities: string[] }).output_modalities).toEqual(['text']);
    const turn = await textTurn(session, 'hello there');
    expect(turn.deltas).toBe('You said: hello there');
    const usage = (turn.done.response as { usage: { input_tokens: number; output_tokens: number } }).usage;
    expect(usage).toMatchObject({ input_tokens: 3000, output_tokens: 1500 });
    expect(await metricValue(gateway, 'switchyard_realtime_sessions_open')).toBe(1);
    session.rt.close({ code: 1000, reason: 'done' });
    expect((await session.closed).code).toBe(1000);
    expect(session.errors).toEqual([]);

    // The upstream saw the client's events in order, on its own URL with the backend's key.
    expect(openai.events.map((event) => event.type)).toEqual(['session.update', 'conversation.item.create', 'response.create']);
    const handshake = openai.handshakes.at(-1);
    expect(handshake?.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(handshake?.headers.authorization).toBe('Bearer upstream-secret');
    expect(JSON.stringify(handshake?.headers)).not.toContain(key);

    const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.backend === 'openai-rt');
    expect(line).toMatchObject({ status: 101, model: 'gpt-realtime', route: 'default/gpt-realtime', key: 'default/realtime-sdk' });
    expect(line?.costUsd).toBe('0.14');
    expect(line?.inputTokens).toBe(3000);
    expect(line?.outputTokens).toBe(1500);
    expect(gateway.logs()).not.toContain(key);
    expect(await metricValue(gateway, 'switchyard_realtime_sessions_open')).toBe(0);
    expect(
      await metricValue(gateway, 'switchyard_realtime_session_duration_seconds_count', { backend: 'openai-rt', outcome: 'closed' }),
    ).toBe(1);
    // session.created, session.updated, conversation.item.added and .done, then the response's events
    expect(await metricValue(gateway, 'switchyard_realtime_events_total', { backend: 'openai-rt', direction: 'client' })).toBe(3);
  });

  it('relays an audio session to Azure OpenAI on its deployment URL with its api-key header', async () => {
    const session = await openSdkSession(gateway, key, 'azure-realtime');
    await session.next('session.created');
    const turn = await textTurn(session, 'what time is it');
    expect(turn.deltas).toBe('You said: what time is it');
    expect(session.events.some((event) => event.type === 'response.output_audio.delta')).toBe(true);
    session.rt.close({ code: 1000, reason: 'done' });
    await session.closed;
    const handshake = azure.handshakes.at(-1);
    expect(handshake?.url).toBe(`/openai/realtime?api-version=${AZURE_API_VERSION}&deployment=rt-deploy`);
    expect(handshake?.headers['api-key']).toBe('upstream-secret');
    expect(handshake?.headers.authorization).toBeUndefined();
    const line = await requestLineWhere(gateway, (record) => record.operation === 'realtime' && record.backend === 'azure-rt');
    // The mock's default usage: 10 text tokens in at $4, 5 out at $16 per million.
    expect(line?.costUsd).toBe('0.00012');
  });
});
