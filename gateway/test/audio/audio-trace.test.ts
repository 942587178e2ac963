// Audio requests are observed like chat: a server span `<operation> <model>` with
// `gen_ai.operation.name` transcriptions / speech, the route, backend and usage in the model's
// billing unit (audio seconds, characters), exported over OTLP; requests, usage and cost
// counted in the Prometheus metrics under the route and backend that answered.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, openAIClient, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startAudioUpstream, type AudioUpstream } from '../mocks/openai-audio-mock-server.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { audioBackend, spokenFile } from './audio-fixtures.js';

const key = testKey('audiotrace');

describe('audio spans and metrics', () => {
  let collector: OtlpCollector;
  let upstream: AudioUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startAudioUpstream('openai');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('audio', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'traced-stt', backends: [audioBackend('w', 'openai', `${upstream.server.url}/v1`, 'whisper-1')] }),
          routeObject({ name: 'traced-tts', backends: [audioBackend('t', 'openai', `${upstream.server.url}/v1`, 'tts-1')] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      env: collector.gatewayEnv,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
    await collector?.close();
  });

  it('traces a transcription and a speech request with their usage and cost', async () => {
    const client = openAIClient(gateway, key);
    const { response } = await client.audio.transcriptions
      .create({ file: await spokenFile('traced words'), model: 'traced-stt' })
      .withResponse();
    const stt = await collector.spanOfRequest(response.headers.get('x-request-id'));
    expect(stt.name).toBe('transcriptions traced-stt');
    expect(stt.attributes).toMatchObject({
      'gen_ai.operation.name': 'transcriptions',
      'gen_ai.request.model': 'traced-stt',
      'switchyard.route': 'default/traced-stt',
      'switchyard.backend': 'w',
      'gen_ai.usage.input_tokens': 1,
      'switchyard.cost_usd': '0.0001',
    });

    const speech = await client.audio.speech.create({ model: 'traced-tts', voice: 'alloy', input: 'twelve chars' });
    await speech.arrayBuffer();
    const tts = await collector.spanOfRequest(speech.headers.get('x-request-id'));
    expect(tts.name).toBe('speech traced-tts');
    expect(tts.attributes).toMatchObject({
      'gen_ai.operation.name': 'speech',
      'gen_ai.usage.input_tokens': 12,
      'switchyard.cost_usd': '0.00018',
    });

    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_requests_total\{[^}]*route="default\/traced-stt"[^}]*backend="w"[^}]*status="200"[^}]*\} 1/);
    expect(metrics).toMatch(/switchyard_requests_total\{[^}]*route="default\/traced-tts"[^}]*\} 1/);
    expect(metrics).toMatch(/switchyard_cost_usd_total\{[^}]*route="default\/traced-tts"[^}]*\} 0\.00018/);
  });
});
