// Tracing on: every front door's request becomes one SERVER span continuing the caller's
// traceparent, with one CLIENT child per upstream attempt, exported over OTLP/HTTP to a
// loopback collector. Attributes follow the GenAI and HTTP semantic conventions.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY } from '../mocks/openai-mock-server.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_SERVER, STATUS_ERROR, type CollectedSpan, type OtlpCollector } from '../mocks/otlp-collector.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { keyObjects, mockBackend, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';
import { startTracedGateway, type TracedGateway } from './tracing-fixtures.js';

const key = testKey('tracing');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';

describe('request and attempt spans', () => {
  let collector: OtlpCollector;
  let gateway: GatewayProcess;
  let traced: TracedGateway | undefined;

  beforeAll(async () => {
    traced = await startTracedGateway(
      (upstreamUrl) => [
        ...keyObjects({ name: 'tracer', key }),
        secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        routeObject({
          name: 'traced',
          backends: [{ ...openAIBackend('openai-main', upstreamUrl), pricing: { inputPerMillion: '1.00', outputPerMillion: '2.00' } }],
        }),
        routeObject({ name: 'mocked', backends: [mockBackend('mock-main')] }),
        routeObject({
          name: 'broken',
          retry: { attempts: 1 },
          outlierDetection: { consecutiveFailures: 1000 },
          backends: [mockBackend('always-fails', { failureRate: '1' })],
        }),
      ],
      { env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=tracing-test' } },
    );
    ({ collector, gateway } = traced);
  }, 60_000);
  afterAll(async () => {
    await traced?.close();
  });

  const serverSpanFor = async (requestId: string): Promise<CollectedSpan> => {
    const spans = await collector.waitForSpans((all) => all.some((s) => s.attributes['switchyard.request_id'] === requestId));
    return spans.find((s) => s.attributes['switchyard.request_id'] === requestId) as CollectedSpan;
  };

  it('an OpenAI chat request continues the caller trace: SERVER span with GenAI and HTTP attributes, CLIENT child for the attempt', async () => {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create(
        { model: 'traced', messages: [{ role: 'user', content: 'hi there' }] },
        { headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, tracestate: 'vendor=value' } },
      )
      .withResponse();
    const requestId = response.headers.get('x-request-id') as string;
    const server = await serverSpanFor(requestId);

    expect(server.kind).toBe(SPAN_KIND_SERVER);
    expect(server.traceId).toBe(TRACE_ID);
    expect(server.parentSpanId).toBe(PARENT_SPAN_ID);
    expect(server.name).toBe('chat traced');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'traced',
      'gen_ai.provider.name': 'openai',
      // The provider-side model that answered; the caller sees its own model name.
      'gen_ai.response.model': 'gpt-upstream',
      'gen_ai.usage.input_tokens': data.usage?.prompt_tokens,
      'gen_ai.usage.output_tokens': data.usage?.completion_tokens,
      'http.request.method': 'POST',
      'url.path': '/v1/chat/completions',
      'http.response.status_code': 200,
      'switchyard.route': 'default/traced',
      'switchyard.backend': 'openai-main',
      'switchyard.virtual_key': 'default/tracer',
      'switchyard.attempts': 1,
      'switchyard.stream': false,
      'switchyard.cost_usd': response.headers.get('x-switchyard-cost-usd'),
    });
    expect(server.status.code).not.toBe(STATUS_ERROR);
    expect(server.resource['service.name']).toBe('switchyard-gateway');
    expect(server.resource['deployment.environment.name']).toBe('tracing-test');
    expect(server.resource['process.command_args']).toBeUndefined();

    const spans = await collector.waitForSpans((all) => all.some((s) => s.parentSpanId === server.spanId));
    const attempts = spans.filter((s) => s.parentSpanId === server.spanId);
    expect(attempts).toHaveLength(1);
    const attempt = attempts[0] as CollectedSpan;
    expect(attempt.kind).toBe(SPAN_KIND_CLIENT);
    expect(attempt.traceId).toBe(TRACE_ID);
    expect(attempt.name).toBe('chat gpt-upstream');
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-upstream',
      'switchyard.backend': 'openai-main',
      'switchyard.route': 'default/traced',
      'switchyard.credential': 'default/openai/apiKey',
    });
    expect(attempt.status.code).not.toBe(STATUS_ERROR);
    expect(attempt.startTimeUnixNano).toBeGreaterThanOrEqual(server.startTimeUnixNano);
    expect(attempt.endTimeUnixNano).toBeLessThanOrEqual(server.endTimeUnixNano);
  });

  it('without a traceparent the request span starts a new trace', async () => {
    const { response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'mocked', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.parentSpanId).toBe('');
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(server.traceId).not.toBe(TRACE_ID);
    expect(server.attributes['gen_ai.provider.name']).toBe('mock');
  });

  it('embeddings get an `embeddings <model>` span', async () => {
    const { response } = await openAIClient(gateway, key).embeddings.create({ model: 'traced', input: 'a sentence' }).withResponse();
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.name).toBe('embeddings traced');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'url.path': '/v1/embeddings',
      'http.response.status_code': 200,
      'switchyard.backend': 'openai-main',
    });
  });

  it('the Anthropic front door is traced the same way', async () => {
    const client = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    const { response } = await client.messages
      .create({ model: 'mocked', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.name).toBe('chat mocked');
    expect(server.attributes).toMatchObject({
      'url.path': '/anthropic/v1/messages',
      'http.response.status_code': 200,
      'switchyard.virtual_key': 'default/tracer',
    });
  });

  it('the Gemini front door records the path without its query (which may hold `key=`)', async () => {
    const response = await fetch(`${gateway.url}/genai/v1beta/models/mocked:generateContent?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }] }),
    });
    expect(response.status).toBe(200);
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.attributes['url.path']).toBe('/genai/v1beta/models/mocked:generateContent');
    expect(server.attributes['http.response.status_code']).toBe(200);
  });

  it('a caller error (4xx) is recorded with its code but is not a span error', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(404);
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.name).toBe('chat no-such-model');
    expect(server.attributes['http.response.status_code']).toBe(404);
    expect(server.attributes['switchyard.error_code']).toBeDefined();
    expect(server.attributes['error.type']).toBeUndefined();
    expect(server.status.code).not.toBe(STATUS_ERROR);
  });

  it('an upstream failure (5xx) marks the request span and its attempt as errors', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(502);
    const server = await serverSpanFor(response.headers.get('x-request-id') as string);
    expect(server.status.code).toBe(STATUS_ERROR);
    expect(server.attributes['error.type']).toBe('upstream_failed');
    expect(server.attributes['http.response.status_code']).toBe(502);
    const spans = await collector.waitForSpans((all) => all.some((s) => s.parentSpanId === server.spanId));
    const attempt = spans.find((s) => s.parentSpanId === server.spanId) as CollectedSpan;
    expect(attempt.status.code).toBe(STATUS_ERROR);
    expect(attempt.attributes['error.type']).toBeDefined();
    expect(attempt.attributes['switchyard.backend']).toBe('always-fails');
  });
});
