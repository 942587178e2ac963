import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { openaiAdapter } from '../../../src/providers/openai/index.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { deterministicVector, OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { completeOverHttp, embedOverHttp, streamOverHttp } from './call-adapter-over-http.js';
import { backendTarget, summarize } from './openai-test-support.js';

let mock: OpenAIMockServer;
const request: UnifiedChatRequest = {
  model: 'public',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};
const target = () => backendTarget({ baseURL: `${mock.url}/v1` }, OPENAI_MOCK_API_KEY);

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error('expected an UpstreamFailure');
}

beforeAll(async () => {
  mock = await startOpenAIMockServer();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

describe('OpenAI adapter against the mock OpenAI server', () => {
  it('sends the provider model with a Bearer key to {baseURL}/chat/completions and decodes the answer', async () => {
    const response = await completeOverHttp(openaiAdapter, { ...request, maxOutputTokens: 20 }, target());
    expect(response.content).toEqual([{ type: 'text', text: 'mock:gpt-4o-2024-08-06: hi' }]);
    expect(response.usage).toEqual({ inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 });
    const sent = mock.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_MOCK_API_KEY}`);
    expect(mock.chatRequests[0]).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 20,
    });
  });

  it('streams with usage always requested', async () => {
    const events = await streamOverHttp(openaiAdapter, request, target());
    expect(mock.chatRequests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const summary = summarize(events);
    expect(summary.text).toBe('mock:gpt-4o-2024-08-06: hi');
    expect(summary.finishReasons).toEqual(['stop']);
    expect(summary.usages).toEqual([{ inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 0 }]);
  });

  it('streams parallel tool calls', async () => {
    const tools = [
      { name: 'get_weather', parameters: { type: 'object' } },
      { name: 'get_time', parameters: { type: 'object' } },
    ];
    const summary = summarize(await streamOverHttp(openaiAdapter, { ...request, tools }, target()));
    expect(summary.toolCalls.map((c) => [c.index, c.name, c.arguments])).toEqual([
      [0, 'get_weather', '{"input":"hi"}'],
      [1, 'get_time', '{"input":"hi"}'],
    ]);
    expect(summary.finishReasons).toEqual(['tool_calls']);
  });

  it('replays the recorded OpenAI capture, whole and streamed', async () => {
    mock.script({ capture: 'openai-text' }, { capture: 'openai-text' });
    const whole = await completeOverHttp(openaiAdapter, request, target());
    expect(whole.usage.outputTokens).toBe(363);
    const streamed = summarize(await streamOverHttp(openaiAdapter, request, target()));
    expect(streamed.text).toHaveLength(1724);
    expect(streamed.usages[0]!.outputTokens).toBe(300);
  });

  it('a slow first chunk still arrives', async () => {
    mock.script({ firstChunkDelayMs: 150 });
    const started = Date.now();
    const summary = summarize(await streamOverHttp(openaiAdapter, request, target()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(summary.text).toBe('mock:gpt-4o-2024-08-06: hi');
  });

  it('429 with retry-after is RateLimited with the wait', async () => {
    mock.script({
      error: { status: 429, message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
      retryAfter: '2',
    });
    const failure = await failureOf(completeOverHttp(openaiAdapter, request, target()));
    expect(failure.kind).toBe('RateLimited');
    expect(failure.retryAfterMs).toBe(2000);
    expect(failure.status).toBe(429);
  });

  it('500 is a ServerError; 400 passes its param', async () => {
    mock.script(
      { error: { status: 500, message: 'The server had an error processing your request.', type: 'server_error' } },
      {
        error: {
          status: 400,
          message: "Invalid type for 'messages[0].content'",
          type: 'invalid_request_error',
          param: 'messages[0].content',
        },
      },
    );
    expect((await failureOf(completeOverHttp(openaiAdapter, request, target()))).kind).toBe('ServerError');
    const bad = await failureOf(completeOverHttp(openaiAdapter, request, target()));
    expect(bad.kind).toBe('BadRequest');
    expect(bad.param).toBe('messages[0].content');
  });

  it('a wrong key is an AuthError whose message does not repeat the key', async () => {
    const failure = await failureOf(
      completeOverHttp(openaiAdapter, request, backendTarget({ baseURL: `${mock.url}/v1` }, 'sk-wrong-key-abcdefghijklmnopqrstuvwxyz')),
    );
    expect(failure.kind).toBe('AuthError');
    expect(failure.message).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('a stream cut before its finish is StreamBroken', async () => {
    mock.script({ cutAfterChunks: 2 });
    const failure = await failureOf(streamOverHttp(openaiAdapter, request, target()));
    expect(failure.kind).toBe('StreamBroken');
  });

  it('an error event inside the stream is an UpstreamFailure', async () => {
    mock.script({ errorAfterChunks: { after: 2, message: 'The server had an error while processing your request', type: 'server_error' } });
    const failure = await failureOf(streamOverHttp(openaiAdapter, request, target()));
    expect(failure.kind).toBe('ServerError');
    expect(failure.message).toContain('The server had an error');
  });

  it('embeddings: floats requested, vectors decoded in input order', async () => {
    const response = await embedOverHttp(
      openaiAdapter,
      { model: 'e', input: ['one', 'two'], dimensions: 4, encodingFormat: 'base64' },
      backendTarget({ baseURL: `${mock.url}/v1`, model: 'text-embedding-3-small' }, OPENAI_MOCK_API_KEY),
    );
    expect(mock.embeddingRequests[0]).toEqual({
      model: 'text-embedding-3-small',
      input: ['one', 'two'],
      encoding_format: 'float',
      dimensions: 4,
    });
    expect(mock.requests[0]!.url).toBe('/v1/embeddings');
    expect(response.embeddings).toEqual([deterministicVector('one', 4), deterministicVector('two', 4)]);
    expect(response.usage.inputTokens).toBe(2);
  });

  it('embeddings: the recorded capture decodes', async () => {
    mock.script({ capture: 'openai-embedding' });
    const response = await embedOverHttp(openaiAdapter, { model: 'e', input: ['a', 'b'] }, target());
    expect(response.embeddings).toHaveLength(2);
    expect(response.embeddings[0]![0]).toBeCloseTo(0.0057293195, 9);
    expect(response.usage.inputTokens).toBe(12);
  });
});
