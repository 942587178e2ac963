// A fallback shows in the trace as two CLIENT attempt spans under one request span: the first
// (its backend answered 503 and asked for a pause) marked failed, the second successful.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { SPAN_KIND_CLIENT, STATUS_ERROR, type CollectedSpan, type OtlpCollector } from '../mocks/otlp-collector.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { keyObjects, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';
import { startTracedGateway, type TracedGateway } from './tracing-fixtures.js';

const key = testKey('tracingfallback');

describe('fallback attempts in the trace', () => {
  let collector: OtlpCollector;
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;
  let traced: TracedGateway | undefined;

  beforeAll(async () => {
    traced = await startTracedGateway((upstreamUrl) => [
      ...keyObjects({ name: 'k', key }),
      secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
      routeObject({
        name: 'with-fallback',
        retry: { attempts: 2, backoff: { initial: '10ms', max: '20ms' }, on: ['ServerError'] },
        outlierDetection: { consecutiveFailures: 1000 },
        backends: [
          openAIBackend('first', upstreamUrl, { priority: 0, model: 'first-model' }),
          openAIBackend('second', upstreamUrl, { priority: 1, model: 'second-model' }),
        ],
      }),
    ]);
    ({ collector, upstream, gateway } = traced);
  }, 60_000);
  afterAll(async () => {
    await traced?.close();
  });

  it('first backend 503, second OK: two attempt spans, the first failed with its status and retry-after', async () => {
    upstream.script({ error: { status: 503, message: 'overloaded', type: 'server_error' }, retryAfterMs: '7' });
    const { response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'with-fallback', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-backend')).toBe('second');
    const requestId = response.headers.get('x-request-id');

    const spans = await collector.waitForSpans((all) => {
      const server = all.find((s) => s.attributes['switchyard.request_id'] === requestId);
      return server !== undefined && all.filter((s) => s.parentSpanId === server.spanId).length >= 2;
    });
    const server = spans.find((s) => s.attributes['switchyard.request_id'] === requestId) as CollectedSpan;
    expect(server.attributes).toMatchObject({
      'switchyard.attempts': 2,
      'switchyard.backend': 'second',
      'http.response.status_code': 200,
      'gen_ai.response.model': 'second-model',
    });
    expect(server.status.code).not.toBe(STATUS_ERROR);

    const attempts = spans
      .filter((s) => s.parentSpanId === server.spanId)
      .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    expect(attempts).toHaveLength(2);
    const [failed, answered] = attempts as [CollectedSpan, CollectedSpan];
    expect(failed.kind).toBe(SPAN_KIND_CLIENT);
    expect(failed.name).toBe('chat first-model');
    expect(failed.status.code).toBe(STATUS_ERROR);
    expect(failed.attributes).toMatchObject({
      'switchyard.backend': 'first',
      'http.response.status_code': 503,
      'error.type': 'ServerError',
      'switchyard.retry_after_ms': 7,
    });
    expect(answered.name).toBe('chat second-model');
    expect(answered.status.code).not.toBe(STATUS_ERROR);
    expect(answered.attributes['switchyard.backend']).toBe('second');
    expect(answered.attributes['error.type']).toBeUndefined();
    expect(failed.endTimeUnixNano).toBeLessThanOrEqual(answered.startTimeUnixNano);
  });
});
