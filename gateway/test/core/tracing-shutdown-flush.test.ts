// Graceful shutdown exports the spans still queued: with a batch delay far longer than the
// test, the request span reaches the collector only because SIGTERM flushed it. Also checks the
// default protocol (OTLP protobuf) arrives as such.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('tracingflush');
const manifests = { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'm', backends: [mockBackend('b')] })) };

describe('shutdown flush', () => {
  let collector: OtlpCollector;
  beforeAll(async () => {
    collector = await startOtlpCollector();
  });
  afterAll(async () => collector?.close());

  it('http/json: queued spans are exported on SIGTERM', async () => {
    const gateway = await startGateway({
      manifests,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
    const requestId = response.headers.get('x-request-id');
    await new Promise((r) => setTimeout(r, 300));
    expect(collector.spans.some((s) => s.attributes['switchyard.request_id'] === requestId)).toBe(false);
    await gateway.stop();
    expect(gateway.process.exitCode).toBe(0);
    expect(collector.spans.some((s) => s.attributes['switchyard.request_id'] === requestId && s.name === 'chat m')).toBe(true);
  }, 60_000);

  it('default protocol: protobuf to /v1/traces, flushed on SIGTERM', async () => {
    const before = collector.requests.length;
    const gateway = await startGateway({
      manifests,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '600000' },
    });
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
    const requestId = response.headers.get('x-request-id') as string;
    await gateway.stop();
    const sent = collector.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.url).toBe('/v1/traces');
      expect(request.headers['content-type']).toBe('application/x-protobuf');
    }
    // Protobuf carries strings as raw UTF-8: the span's request id and name are in the body.
    const body = Buffer.concat(sent.map((r) => r.body));
    expect(body.includes(Buffer.from(requestId))).toBe(true);
    expect(body.includes(Buffer.from('switchyard-gateway'))).toBe(true);
  }, 60_000);
});
