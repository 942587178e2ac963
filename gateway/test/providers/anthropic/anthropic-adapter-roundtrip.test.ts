// The adapter end to end over real HTTP: encode -> fetch against the Anthropic mock -> decode.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { anthropicAdapter } from '../../../src/providers/anthropic/index.js';
import type { BackendTarget, UpstreamHeaders } from '../../../src/unified/provider-codec.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { decodeAnthropicResponse } from '../../../src/wire/anthropic-messages/decode-anthropic-response.js';
import { backendTarget, chatRequest, readFixtureJson, summarizeStream } from './anthropic-test-support.js';

let mock: AnthropicMockServer;
let target: BackendTarget;

beforeAll(async () => {
  mock = await startAnthropicMockServer();
  target = backendTarget({ baseURL: mock.url }, 1024, ANTHROPIC_MOCK_API_KEY);
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

function headersOf(response: Response): UpstreamHeaders {
  const headers: UpstreamHeaders = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

async function send(request: UnifiedChatRequest, to: BackendTarget = target): Promise<Response> {
  const upstream = anthropicAdapter.encodeChatRequest(request, to);
  const init: RequestInit = { method: upstream.method, headers: upstream.headers };
  if (upstream.body !== undefined) init.body = upstream.body;
  const response = await fetch(upstream.url, init);
  if (!response.ok) throw anthropicAdapter.decodeError(response.status, headersOf(response), await response.text());
  return response;
}

async function complete(request: UnifiedChatRequest, to?: BackendTarget): Promise<UnifiedChatResponse> {
  const response = await send(request, to);
  return anthropicAdapter.decodeChatResponse(await response.json(), target);
}

async function stream(request: UnifiedChatRequest): Promise<UnifiedStreamEvent[]> {
  const response = await send({ ...request, stream: true });
  const decoder = anthropicAdapter.createStreamDecoder(target);
  const events: UnifiedStreamEvent[] = [];
  if (response.body === null) throw new Error('no body');
  for await (const chunk of response.body) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

async function failure(promise: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

describe('Anthropic adapter against the mock', () => {
  it('sends the Messages request with Anthropic headers to {baseURL}/v1/messages', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    await complete(chatRequest({ maxOutputTokens: 50, temperature: 0.5 }));
    const recorded = mock.requests[0];
    expect(recorded?.url).toBe('/v1/messages');
    expect(recorded?.headers['x-api-key']).toBe(ANTHROPIC_MOCK_API_KEY);
    expect(recorded?.headers['anthropic-version']).toBe('2023-06-01');
    expect(recorded?.headers['content-type']).toBe('application/json');
    expect(recorded?.headers['authorization']).toBeUndefined();
    expect(mock.messageRequests[0]).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      temperature: 0.5,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('a baseURL with a trailing slash still reaches /v1/messages', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    await complete(chatRequest(), backendTarget({ baseURL: `${mock.url}/` }, 1024, ANTHROPIC_MOCK_API_KEY));
    expect(mock.requests[0]?.url).toBe('/v1/messages');
  });

  it('backend static headers are sent, the credential always wins', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    const withHeaders = backendTarget(
      { baseURL: mock.url, headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'x-api-key': 'overridden?' } },
      1024,
      ANTHROPIC_MOCK_API_KEY,
    );
    await complete(chatRequest(), withHeaders);
    expect(mock.requests[0]?.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(mock.requests[0]?.headers['x-api-key']).toBe(ANTHROPIC_MOCK_API_KEY);
  });

  it('the route default max_tokens is sent when the caller gave none', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    await complete(chatRequest());
    expect(mock.messageRequests[0]?.['max_tokens']).toBe(1024);
  });

  it.each(['anthropic-text', 'anthropic-clear-thinking.1', 'anthropic-json-tool.1', 'anthropic-tool-no-args', 'anthropic-refusal'])(
    'non-streaming capture %s decodes the same over HTTP as from the file',
    async (capture) => {
      mock.enqueue({ capture });
      const response = await complete(chatRequest());
      const fromFile = decodeAnthropicResponse(readFixtureJson(`${capture}.json`), 0);
      expect({ ...response, created: 0 }).toEqual(fromFile);
    },
  );

  it('streams a capture: text, finish and usage', async () => {
    mock.enqueue({ capture: 'anthropic-text', frameDelayMs: 2 });
    const summary = summarizeStream(await stream(chatRequest()));
    expect(summary.text).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(summary.finish).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(summary.usage).toEqual({ inputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 0 });
    expect(mock.messageRequests[0]?.['stream']).toBe(true);
    expect(mock.requests[0]?.headers['accept']).toBe('text/event-stream');
  });

  it('streams tool calls with cache usage', async () => {
    mock.enqueue({
      content: [
        { type: 'text', text: 'Let me check the weather.' },
        { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: { city: 'Paris', unit: 'c' } },
      ],
      usage: { input_tokens: 20, output_tokens: 15, cache_read_input_tokens: 400, cache_creation_input_tokens: 60 },
    });
    const summary = summarizeStream(await stream(chatRequest({ tools: [{ name: 'get_weather', parameters: { type: 'object' } }] })));
    expect(summary.text).toBe('Let me check the weather.');
    expect(summary.toolCalls).toEqual([{ index: 0, id: 'toolu_w', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }]);
    expect(summary.finish).toEqual({ type: 'finish', finishReason: 'tool_calls' });
    expect(summary.usage).toEqual({ inputTokens: 480, cachedInputTokens: 400, cacheWriteTokens: 60, outputTokens: 15, reasoningTokens: 0 });
  });

  it('a JSON-schema answer round-trips through the forced answer tool as text', async () => {
    mock.setDefaultReply((request) => {
      const body = request.json as { tool_choice?: { name?: string } };
      return { content: [{ type: 'tool_use', id: 'toolu_j', name: body.tool_choice?.name ?? 'missing', input: { city: 'Paris' } }] };
    });
    const request = chatRequest({
      responseFormat: { type: 'json_schema', name: 'place', schema: { type: 'object', properties: { city: { type: 'string' } } } },
    });
    const response = await complete(request);
    expect(response.content).toEqual([{ type: 'text', text: '{"city":"Paris"}' }]);
    expect(response.finishReason).toBe('stop');
    const streamed = summarizeStream(await stream(request));
    expect(JSON.parse(streamed.text)).toEqual({ city: 'Paris' });
    expect(streamed.finish).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  const errorCases = [
    { name: '529 overloaded', status: 529, type: 'overloaded_error', retryAfter: undefined, kind: 'ServerError', retryAfterMs: undefined },
    {
      name: '429 rate limit with retry-after',
      status: 429,
      type: 'rate_limit_error',
      retryAfter: '3',
      kind: 'RateLimited',
      retryAfterMs: 3000,
    },
    {
      name: '400 invalid request',
      status: 400,
      type: 'invalid_request_error',
      retryAfter: undefined,
      kind: 'BadRequest',
      retryAfterMs: undefined,
    },
    { name: '500 api error', status: 500, type: 'api_error', retryAfter: undefined, kind: 'ServerError', retryAfterMs: undefined },
    { name: '404 unknown model', status: 404, type: 'not_found_error', retryAfter: undefined, kind: 'NotFound', retryAfterMs: undefined },
  ] as const;

  it.each(errorCases)('$name -> $kind', async ({ status, type, retryAfter, kind, retryAfterMs }) => {
    mock.enqueue(
      retryAfter === undefined
        ? { error: { status, type, message: `mock ${type}` } }
        : { error: { status, type, message: `mock ${type}` }, retryAfter },
    );
    const error = await failure(complete(chatRequest()));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`mock ${type}`);
    expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it('a wrong key is refused by the mock like the real API: AuthError, and the key is not in the message', async () => {
    const wrongKey = backendTarget({ baseURL: mock.url }, 1024, 'sk-ant-wrong-0123456789abcdefghij');
    const error = await failure(complete(chatRequest(), wrongKey));
    expect(error.kind).toBe('AuthError');
    expect(error.status).toBe(401);
    expect(error.message).toBe('invalid x-api-key');
  });

  it('a backend without an API key fails before sending, naming the backend', () => {
    let thrown: unknown;
    try {
      anthropicAdapter.encodeChatRequest(chatRequest(), backendTarget({ baseURL: mock.url }, 1024, null));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamFailure);
    expect((thrown as UpstreamFailure).message).toMatch(/backend claude-main has no Anthropic API key/);
    expect(mock.requests).toHaveLength(0);
  });

  it('a stream cut before message_stop -> StreamBroken, after the text that arrived', async () => {
    mock.enqueue({ capture: 'anthropic-text', cutAfterEvents: 5 });
    const response = await send({ ...chatRequest(), stream: true });
    const decoder = anthropicAdapter.createStreamDecoder(target);
    const events: UnifiedStreamEvent[] = [];
    for await (const chunk of response.body ?? []) events.push(...decoder.push(chunk));
    expect(summarizeStream(events).text).toBe('Hello! I');
    const error = (() => {
      try {
        decoder.end();
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UpstreamFailure);
    expect((error as UpstreamFailure).kind).toBe('StreamBroken');
  });

  it('a connection reset mid-stream fails the body read', async () => {
    mock.enqueue({ capture: 'anthropic-text', cutAfterEvents: 3, cutMode: 'destroy', frameDelayMs: 5 });
    await expect(stream(chatRequest())).rejects.toThrow();
  });

  it('event: error mid-stream -> UpstreamFailure classified by the error type', async () => {
    mock.enqueue({
      capture: 'anthropic-text',
      errorAfterEvents: { after: 4, type: 'overloaded_error', message: 'Overloaded' },
      frameDelayMs: 1,
    });
    const error = await failure(stream(chatRequest()));
    expect(error.kind).toBe('ServerError');
    expect(error.status).toBe(529);
    expect(error.message).toBe('Overloaded');
  });
});
