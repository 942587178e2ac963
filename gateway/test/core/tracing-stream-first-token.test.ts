// A streamed answer carries its time to first token as a `gen_ai.first_token` event on the
// request span, between the span's start and end; the attempt span lasts as long as the stream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import type { CollectedSpan, OtlpCollector } from '../mocks/otlp-collector.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { keyObjects, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';
import { startTracedGateway, type TracedGateway } from './tracing-fixtures.js';

const key = testKey('tracingstream');

describe('first token on streams', () => {
  let collector: OtlpCollector;
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;
  let traced: TracedGateway | undefined;

  beforeAll(async () => {
    traced = await startTracedGateway((upstreamUrl) => [
      ...keyObjects({ name: 'k', key }),
      secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
      routeObject({ name: 'streamed', backends: [openAIBackend('upstream', upstreamUrl)] }),
    ]);
    ({ collector, upstream, gateway } = traced);
  }, 60_000);
  afterAll(async () => {
    await traced?.close();
  });

  it('records gen_ai.first_token and the stream usage', async () => {
    upstream.script({ content: 'one two three four', firstChunkDelayMs: 60, chunkDelayMs: 40, model: 'gpt-upstream-2026-01-01' });
    const { data: stream, response } = await openAIClient(gateway, key)
      .chat.completions.create({
        model: 'streamed',
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three four');
    const requestId = response.headers.get('x-request-id');

    const spans = await collector.waitForSpans((all) => {
      const server = all.find((s) => s.attributes['switchyard.request_id'] === requestId);
      return server !== undefined && all.some((s) => s.parentSpanId === server.spanId);
    });
    const server = spans.find((s) => s.attributes['switchyard.request_id'] === requestId) as CollectedSpan;
    expect(server.attributes).toMatchObject({
      'switchyard.stream': true,
      'http.response.status_code': 200,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.model': 'gpt-upstream-2026-01-01',
    });
    const firstToken = server.events.find((e) => e.name === 'gen_ai.first_token');
    expect(firstToken).toBeDefined();
    const event = firstToken as CollectedSpan['events'][number];
    // The upstream held its first chunk for 60 ms, and more chunks followed after it.
    expect(event.timeUnixNano - server.startTimeUnixNano).toBeGreaterThanOrEqual(50_000_000n);
    expect(event.timeUnixNano).toBeLessThan(server.endTimeUnixNano);
    expect(Number(event.attributes['switchyard.time_to_first_token_ms'])).toBeGreaterThanOrEqual(50);

    const attempt = spans.find((s) => s.parentSpanId === server.spanId) as CollectedSpan;
    expect(attempt.endTimeUnixNano).toBeGreaterThan(event.timeUnixNano);
  });
});
