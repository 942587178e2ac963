// The adapter end to end over real HTTP: encode -> fetch against the Gemini mock -> decode.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { geminiAdapter, geminiMethodUrl } from '../../../src/providers/gemini/index.js';
import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest, UnifiedEmbeddingsRequest } from '../../../src/unified/chat-request.js';
import type { UnifiedChatResponse, UnifiedEmbeddingsResponse } from '../../../src/unified/chat-response.js';
import type { UnifiedStreamEvent } from '../../../src/unified/stream-events.js';
import {
  blockedPromptReply,
  deterministicEmbedding,
  rateLimitedReply,
  startGeminiMockServer,
  textReply,
  type GeminiMockServer,
} from '../../mocks/gemini-mock-server.js';
import { chatRequest, GEMINI_TEST_KEY, geminiTarget, headersOf } from './gemini-test-support.js';

let mock: GeminiMockServer;
let target: BackendTarget;

beforeAll(async () => {
  mock = await startGeminiMockServer({ apiKey: GEMINI_TEST_KEY });
  target = geminiTarget(mock.url);
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

async function send(upstream: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}): Promise<Response> {
  const init: RequestInit = { method: upstream.method, headers: upstream.headers };
  if (upstream.body !== undefined) init.body = upstream.body;
  const response = await fetch(upstream.url, init);
  if (!response.ok) throw geminiAdapter.decodeError(response.status, headersOf(response), await response.text());
  return response;
}

async function complete(request: UnifiedChatRequest, to: BackendTarget = target): Promise<UnifiedChatResponse> {
  const response = await send(geminiAdapter.encodeChatRequest(request, to));
  return geminiAdapter.decodeChatResponse(await response.json(), to);
}

async function stream(request: UnifiedChatRequest): Promise<UnifiedStreamEvent[]> {
  const response = await send(geminiAdapter.encodeChatRequest({ ...request, stream: true }, target));
  const decoder = geminiAdapter.createStreamDecoder(target);
  const events: UnifiedStreamEvent[] = [];
  if (response.body === null) throw new Error('no body');
  try {
    for await (const chunk of response.body) events.push(...decoder.push(chunk));
  } catch (error) {
    if (error instanceof UpstreamFailure) throw error;
    // The connection dropped: what the decoder holds decides how to report it.
  }
  events.push(...decoder.end());
  return events;
}

async function embed(request: UnifiedEmbeddingsRequest): Promise<UnifiedEmbeddingsResponse> {
  const response = await send(geminiAdapter.encodeEmbeddingsRequest!(request, target));
  return geminiAdapter.decodeEmbeddingsResponse!(await response.json(), target);
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

describe('geminiMethodUrl', () => {
  it.each([
    [
      'https://generativelanguage.googleapis.com',
      'gemini-2.5-flash',
      'generateContent',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    ],
    [
      'https://generativelanguage.googleapis.com/',
      'models/gemini-2.5-flash',
      'streamGenerateContent?alt=sse',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ],
    [
      'https://generativelanguage.googleapis.com/v1beta',
      'gemini-2.5-flash',
      'embedContent',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:embedContent',
    ],
    [
      'https://proxy.internal/google/v1alpha',
      'gemini-3-pro-preview',
      'generateContent',
      'https://proxy.internal/google/v1alpha/models/gemini-3-pro-preview:generateContent',
    ],
    ['http://127.0.0.1:9', 'tunedModels/my-tuned-1', 'generateContent', 'http://127.0.0.1:9/v1beta/tunedModels/my-tuned-1:generateContent'],
  ])('%s + %s + %s', (baseURL, model, method, expected) => {
    expect(geminiMethodUrl(baseURL, model, method)).toBe(expected);
  });
});

describe('Gemini adapter against the mock', () => {
  it('posts generateContent with x-goog-api-key and the translated body', async () => {
    mock.enqueue({ capture: 'google-text' });
    const response = await complete(
      chatRequest({
        maxOutputTokens: 64,
        temperature: 0.3,
        messages: [{ role: 'system', content: [{ type: 'text', text: 'Be exact.' }] }, ...chatRequest().messages],
      }),
    );
    expect(response.content.find((p) => p.type === 'text')).toEqual({
      type: 'text',
      text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
    });
    expect(response.usage).toEqual({ inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 272, reasoningTokens: 244 });
    const request = mock.requests[0]!;
    expect(request.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.headers['x-goog-api-key']).toBe(GEMINI_TEST_KEY);
    expect(request.headers['authorization']).toBeUndefined();
    expect(mock.calls[0]!.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'How many r in strawberry?' }] }],
      systemInstruction: { parts: [{ text: 'Be exact.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.3 },
    });
  });

  it('sends the backend static headers and never puts the key in the URL', async () => {
    mock.enqueue({ capture: 'google-text' });
    await complete(chatRequest(), geminiTarget(mock.url, { headers: { 'x-team': 'payments' } }));
    expect(mock.requests[0]!.headers['x-team']).toBe('payments');
    expect(mock.requests[0]!.url).not.toContain(GEMINI_TEST_KEY);
  });

  it.each(['google-text', 'google-reasoning', 'google-tool-call', 'google-stream-tool-call-arguments'])(
    'streams capture %s over SSE',
    async (name) => {
      mock.enqueue({ capture: name });
      const events = await stream(chatRequest());
      expect(mock.requests[0]!.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
      expect(events[0]!.type).toBe('response_start');
      expect(events.filter((e) => e.type === 'finish')).toHaveLength(1);
      expect(events.at(-1)!.type).toBe('usage');
    },
  );

  it('a tool round trip: the call comes back with an id, the result goes back by name', async () => {
    mock.enqueue({ capture: 'google-tool-call' });
    const tools = [
      {
        name: 'weather',
        description: 'Weather',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      },
    ];
    const first = await complete(chatRequest({ tools, toolChoice: { type: 'auto' } }));
    const call = first.content.find((p) => p.type === 'tool_call');
    expect(call).toMatchObject({ type: 'tool_call', name: 'weather', arguments: '{"location":"San Francisco"}' });
    expect(first.finishReason).toBe('tool_calls');

    mock.enqueue(textReply('It is 18C and foggy.', { promptTokenCount: 40, candidatesTokenCount: 8 }));
    const second = await complete(
      chatRequest({
        tools,
        messages: [
          ...chatRequest().messages,
          { role: 'assistant', content: first.content },
          {
            role: 'tool',
            content: [
              {
                type: 'tool_result',
                toolCallId: (call as { id: string }).id,
                content: [{ type: 'text', text: '{"tempC":18,"sky":"fog"}' }],
              },
            ],
          },
        ],
      }),
    );
    expect(second.content).toEqual([{ type: 'text', text: 'It is 18C and foggy.' }]);
    const sent = mock.calls[1]!.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
    const capturedSignature = (first.content[0] as { signature?: string }).signature;
    expect(sent.contents[1]).toEqual({
      role: 'model',
      parts: [{ functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: capturedSignature }],
    });
    expect(sent.contents[2]).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'weather', response: { tempC: 18, sky: 'fog' } } }],
    });
  });

  it('a blocked prompt is an empty content_filter answer', async () => {
    mock.enqueue(blockedPromptReply());
    const response = await complete(chatRequest());
    expect(response.finishReason).toBe('content_filter');
    expect(response.content).toEqual([]);
  });

  it('a 429 with RetryInfo is RateLimited with retryAfterMs', async () => {
    mock.enqueue(rateLimitedReply('34.4s'));
    const error = await failure(complete(chatRequest()));
    expect(error.kind).toBe('RateLimited');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(34400);
  });

  it('a wrong API key is the gateway credential problem (AuthError), not a bad request', async () => {
    const error = await failure(complete(chatRequest(), geminiTarget(mock.url, { apiKey: 'wrong-key' })));
    expect(error.kind).toBe('AuthError');
    expect(error.status).toBe(400);
    expect(error.message).not.toContain('wrong-key');
  });

  it('an unknown model is NotFound', async () => {
    mock.enqueue({ error: { code: 404, status: 'NOT_FOUND', message: 'models/gemini-9 is not found for API version v1beta' } });
    expect((await failure(complete(chatRequest()))).kind).toBe('NotFound');
  });

  it('503 UNAVAILABLE is ServerError', async () => {
    mock.enqueue({ error: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' } });
    expect((await failure(complete(chatRequest()))).kind).toBe('ServerError');
  });

  it.each(['end', 'reset', 'mid-event'] as const)('a stream cut (%s) before any finishReason is StreamBroken', async (how) => {
    mock.enqueue({
      chunks: [
        { candidates: [{ content: { parts: [{ text: 'Once upon' }] } }] },
        { candidates: [{ content: { parts: [{ text: ' a time' }] } }] },
      ],
      cut: { afterChunks: 1, how },
    });
    const error = await failure(stream(chatRequest()));
    expect(error.kind).toBe('StreamBroken');
  });

  it('a missing credential fails before any request is sent', () => {
    const noKey: BackendTarget = { ...target, credential: undefined };
    expect(() => geminiAdapter.encodeChatRequest(chatRequest(), noKey)).toThrow(UpstreamFailure);
  });

  it('embeds one input with embedContent and several with batchEmbedContents', async () => {
    const one = await embed({ model: 'emb', input: ['alpha'] });
    expect(mock.requests[0]!.url).toBe('/v1beta/models/gemini-2.5-flash:embedContent');
    expect(one.embeddings).toEqual([deterministicEmbedding('alpha', 8)]);

    const many = await embed({ model: 'emb', input: ['alpha', 'beta'], dimensions: 4 });
    expect(mock.requests[1]!.url).toBe('/v1beta/models/gemini-2.5-flash:batchEmbedContents');
    expect(mock.calls[1]!.body).toEqual({
      requests: [
        { model: 'models/gemini-2.5-flash', content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 4 },
        { model: 'models/gemini-2.5-flash', content: { parts: [{ text: 'beta' }] }, outputDimensionality: 4 },
      ],
    });
    expect(many.embeddings).toEqual([deterministicEmbedding('alpha', 4), deterministicEmbedding('beta', 4)]);
  });
});
