// A realtime session is traced like a request: one server span `realtime <model>` with
// `gen_ai.operation.name: realtime`, its route, backend, the upstream model, the tokens and cost
// of its responses, and the upgrade's request id (sent on the 101), exported over OTLP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { realtimeUsage, startRealtimeMock, type MockRealtimeServer } from '../mocks/openai-realtime-mock-server.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { openAIRealtimeBackend, openSdkSession, textTurn } from './realtime-support.js';

const key = testKey('realtimetrace');

describe('realtime trace span', () => {
  let collector: OtlpCollector;
  let upstream: MockRealtimeServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startRealtimeMock('openai');
    upstream.usage = realtimeUsage({ text: 1000, audio: 2000 }, { text: 500, audio: 1000 });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('realtime', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'voice', backends: [openAIRealtimeBackend('rt', upstream.url)] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      env: collector.gatewayEnv,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await collector?.close();
  });

  it('names the operation, route, backend, model, tokens and cost of the session', async () => {
    const session = await openSdkSession(gateway, key, 'voice');
    await session.next('session.created');
    const requestId = session.upgradeHeaders['x-request-id'];
    expect(requestId).toMatch(/.+/);
    expect(session.upgradeHeaders['x-switchyard-backend']).toBe('rt');
    await textTurn(session, 'trace me');
    session.rt.close({ code: 1000, reason: 'done' });
    await session.closed;
    const server = await collector.spanOfRequest(requestId);
    expect(server.name).toBe('realtime voice');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'realtime',
      'gen_ai.request.model': 'voice',
      'gen_ai.response.model': 'gpt-realtime',
      'switchyard.route': 'default/voice',
      'switchyard.backend': 'rt',
      'gen_ai.usage.input_tokens': 3000,
      'gen_ai.usage.output_tokens': 1500,
      'switchyard.cost_usd': '0.14',
    });
  });
});
