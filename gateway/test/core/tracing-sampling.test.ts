// The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (read by the SDK): with
// parentbased_traceidratio at 0, new traces are dropped while a caller's sampled trace is kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('tracingsampling');

describe('sampling from the environment', () => {
  let collector: OtlpCollector;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'm', backends: [mockBackend('b')] })) },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await collector?.close();
  });

  it('drops a new trace, keeps a sampled parent', async () => {
    const unsampled = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
    const sampled = await postJson(
      gateway,
      '/v1/chat/completions',
      key,
      { model: 'm', messages: HELLO },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    );
    expect(unsampled.status).toBe(200);
    expect(sampled.status).toBe(200);
    const sampledId = sampled.headers.get('x-request-id');
    // Both requests' spans were ended before the sampled one is seen exported.
    const spans = await collector.waitForSpans((all) => all.some((s) => s.attributes['switchyard.request_id'] === sampledId));
    expect(spans.find((s) => s.attributes['switchyard.request_id'] === sampledId)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spans.some((s) => s.attributes['switchyard.request_id'] === unsampled.headers.get('x-request-id'))).toBe(false);
  });
});
