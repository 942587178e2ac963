import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { OpenAICompatibleProvider } from '@switchyard/compiler';
import { openAICompatibleAdapters } from '../../../src/providers/openai-compatible/index.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { completeOverHttp, streamOverHttp } from '../openai/call-adapter-over-http.js';
import { backendTarget, summarize } from '../openai/openai-test-support.js';

let mock: OpenAIMockServer;
const request: UnifiedChatRequest = {
  model: 'public',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};

beforeAll(async () => {
  mock = await startOpenAIMockServer();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

// Each provider's recorded streams, replayed over HTTP through that provider's adapter.
const streams: Array<
  [
    OpenAICompatibleProvider,
    string,
    { text: number; reasoning: number; tools: string[]; finish: string; input: number; output: number; cached: number },
  ]
> = [
  ['deepseek', 'deepseek-reasoning', { text: 42, reasoning: 606, tools: [], finish: 'stop', input: 18, output: 219, cached: 0 }],
  ['deepseek', 'deepseek-text', { text: 1855, reasoning: 0, tools: [], finish: 'length', input: 13, output: 400, cached: 0 }],
  [
    'deepseek',
    'deepseek-tool-call',
    { text: 0, reasoning: 191, tools: ['weather'], finish: 'tool_calls', input: 339, output: 83, cached: 320 },
  ],
  ['groq', 'groq-text', { text: 3189, reasoning: 0, tools: [], finish: 'stop', input: 45, output: 662, cached: 0 }],
  ['groq', 'groq-tool-call', { text: 0, reasoning: 0, tools: ['weather'], finish: 'tool_calls', input: 210, output: 15, cached: 0 }],
  ['mistral', 'mistral-text', { text: 38, reasoning: 0, tools: [], finish: 'stop', input: 13, output: 8, cached: 0 }],
  [
    'mistral',
    'mistral-incremental-tool-call',
    { text: 0, reasoning: 0, tools: ['webSearchTool'], finish: 'tool_calls', input: 171, output: 14, cached: 128 },
  ],
];

describe('OpenAI-compatible adapters replaying recorded provider streams over HTTP', () => {
  it.each(streams)('%s %s', async (provider, capture, expected) => {
    mock.script({ capture, chunkDelayMs: 0 });
    const summary = summarize(
      await streamOverHttp(
        openAICompatibleAdapters[provider],
        request,
        backendTarget({ provider, baseURL: `${mock.url}/v1` }, OPENAI_MOCK_API_KEY),
      ),
    );
    expect(summary.text).toHaveLength(expected.text);
    expect(summary.reasoning).toHaveLength(expected.reasoning);
    expect(summary.toolCalls.map((c) => c.name)).toEqual(expected.tools);
    for (const call of summary.toolCalls) expect(() => JSON.parse(call.arguments) as unknown).not.toThrow();
    expect(summary.finishReasons).toEqual([expected.finish]);
    expect(summary.usages).toHaveLength(1);
    expect(summary.usages[0]).toMatchObject({
      inputTokens: expected.input,
      outputTokens: expected.output,
      cachedInputTokens: expected.cached,
    });
  });

  const bodies: Array<[OpenAICompatibleProvider, string, string]> = [
    ['deepseek', 'deepseek-reasoning', 'stop'],
    ['deepseek', 'deepseek-tool-call', 'tool_calls'],
    ['groq', 'groq-text', 'stop'],
    ['groq', 'groq-tool-call', 'tool_calls'],
    ['mistral', 'mistral-text', 'stop'],
  ];
  it.each(bodies)('%s %s (non-streaming)', async (provider, capture, finish) => {
    mock.script({ capture });
    const response = await completeOverHttp(
      openAICompatibleAdapters[provider],
      request,
      backendTarget({ provider, baseURL: `${mock.url}/v1` }, OPENAI_MOCK_API_KEY),
    );
    expect(response.finishReason).toBe(finish);
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.content.length).toBeGreaterThan(0);
  });
});
