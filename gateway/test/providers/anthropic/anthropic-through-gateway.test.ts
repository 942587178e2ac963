// The official OpenAI SDK -> the running gateway (OpenAI front door) -> an `anthropic` backend
// served by the Anthropic mock. Checks what callers see and what Anthropic receives.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-anthropicIntegration0123456789abcdefXYZ';
const CAPTURED_TEXT = "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?";
const STREAMED_TEXT = "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?";

function manifests(mockUrl: string): string {
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'anthropic', namespace: 'default' },
      stringData: { apiKey: ANTHROPIC_MOCK_API_KEY },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'wrong-anthropic', namespace: 'default' },
      stringData: { apiKey: 'sk-ant-not-the-right-key-0123456789' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'integration-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'integration', namespace: 'default' },
      spec: { secretName: 'integration-key' },
    },
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'claude', namespace: 'default' },
      spec: {
        model: 'claude',
        backends: [
          {
            name: 'claude-main',
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: mockUrl,
            credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
          },
        ],
        retry: { attempts: 3, backoff: { initial: '10ms', max: '2s' }, on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] },
        outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
      },
    },
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'claude-bad-key', namespace: 'default' },
      spec: {
        model: 'claude-bad-key',
        backends: [
          {
            name: 'claude-revoked',
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: mockUrl,
            credentials: [{ secretRef: { name: 'wrong-anthropic', key: 'apiKey' } }],
          },
        ],
        retry: { attempts: 1 },
      },
    },
  ];
  return `${objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n')}\n`;
}

let mock: AnthropicMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

beforeAll(async () => {
  mock = await startAnthropicMockServer();
  gateway = await startGateway({ manifests: { 'anthropic.yaml': manifests(mock.url) } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});
beforeEach(() => {
  mock.reset();
});

function lastUpstreamBody(): Record<string, unknown> {
  const body = mock.messageRequests[mock.messageRequests.length - 1];
  if (body === undefined) throw new Error('Anthropic received no request');
  return body;
}

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI SDK -> gateway -> anthropic backend', () => {
  it('text: answer, finish reason, usage and the request Anthropic received', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    const { data, response } = await client.chat.completions
      .create({
        model: 'claude',
        messages: [
          { role: 'system', content: 'Be friendly.' },
          { role: 'user', content: 'Hello, how are you?' },
        ],
        max_tokens: 200,
        temperature: 0.4,
        stop: ['###'],
        user: 'end-user-7',
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(CAPTURED_TEXT);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe('claude');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 29, total_tokens: 41 });
    expect(response.headers.get('x-switchyard-backend')).toBe('claude-main');

    const upstream = mock.requests[0];
    expect(upstream?.headers['x-api-key']).toBe(ANTHROPIC_MOCK_API_KEY);
    expect(upstream?.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream?.headers['authorization']).toBeUndefined();
    expect(lastUpstreamBody()).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      system: [{ type: 'text', text: 'Be friendly.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello, how are you?' }] }],
      temperature: 0.4,
      stop_sequences: ['###'],
      metadata: { user_id: 'end-user-7' },
    });
  });

  it('the route default max_tokens is sent when the caller gives none', async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(lastUpstreamBody()['max_tokens']).toBe(4096);
  });

  it('streaming: text deltas, finish reason and the usage chunk', async () => {
    mock.enqueue({ capture: 'anthropic-text', frameDelayMs: 2 });
    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(STREAMED_TEXT);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 });
    expect(lastUpstreamBody()['stream']).toBe(true);
  });

  it('tools, not streamed: tool_use comes back as tool_calls; the tool definition and choice reach Anthropic', async () => {
    mock.enqueue({
      content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
      usage: { input_tokens: 30, output_tokens: 12 },
    });
    const completion = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([
      { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    const upstream = lastUpstreamBody();
    expect(upstream['tools']).toEqual([
      { name: 'get_weather', description: 'Weather for a city', input_schema: weatherTool.function.parameters },
    ]);
    expect(upstream['tool_choice']).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('tools, streamed: text then a tool call without arguments (recorded stream)', async () => {
    mock.enqueue({ capture: 'anthropic-tool-no-args' });
    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Update the issues' }],
      tools: [{ type: 'function', function: { name: 'updateIssueList', parameters: { type: 'object', properties: {} } } }],
      stream: true,
    });
    let text = '';
    let finish: string | null | undefined;
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? '';
      for (const call of choice?.delta.tool_calls ?? []) {
        const existing = calls[call.index] ?? { arguments: '' };
        if (call.id) existing.id = call.id;
        if (call.function?.name) existing.name = call.function.name;
        existing.arguments += call.function?.arguments ?? '';
        calls[call.index] = existing;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(text).toBe("I'll update the issue list for you.");
    expect(calls).toEqual([{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '{}' }]);
    expect(finish).toBe('tool_calls');
  });

  it('a tool-call conversation is sent as tool_use and tool_result blocks', async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'It is 18C in Paris.' }] });
    const completion = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: '18C and sunny' },
      ],
      tools: [weatherTool],
    });
    expect(completion.choices[0]?.message.content).toBe('It is 18C in Paris.');
    const messages = lastUpstreamBody()['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    expect(messages).toHaveLength(3);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
    });
    expect(messages[2]?.role).toBe('user');
    expect(messages[2]?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_01' });
    expect(JSON.stringify(messages[2]?.content[0])).toContain('18C and sunny');
  });

  it('images: data URLs become base64 sources, http URLs url sources', async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'Two cats.' }] });
    const pngBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await client.chat.completions.create({
      model: 'claude',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${pngBase64}`, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    const messages = lastUpstreamBody()['messages'] as Array<{ content: unknown[] }>;
    expect(messages[0]?.content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pngBase64 } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('cache usage is carried over exactly: prompt_tokens = input + cache read + cache write', async () => {
    const usage = { input_tokens: 20, output_tokens: 15, cache_read_input_tokens: 400, cache_creation_input_tokens: 60 };
    mock.enqueue({ content: [{ type: 'text', text: 'Cached.' }], usage }, { content: [{ type: 'text', text: 'Cached.' }], usage });
    const completion = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 480, completion_tokens: 15, total_tokens: 495 });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(400);

    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamedUsage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) streamedUsage = chunk.usage;
    expect(streamedUsage).toMatchObject({ prompt_tokens: 480, completion_tokens: 15, total_tokens: 495 });
    expect(streamedUsage?.prompt_tokens_details?.cached_tokens).toBe(400);
  });

  it('an upstream 529 overloaded is retried', async () => {
    mock.enqueue({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } }, { capture: 'anthropic-text' });
    const { data, response } = await client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(CAPTURED_TEXT);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(mock.messageRequests).toHaveLength(2);
  });

  it('an upstream 429 is retried after its retry-after', async () => {
    mock.enqueue(
      { error: { status: 429, type: 'rate_limit_error', message: 'Rate limited' }, retryAfter: '1' },
      { capture: 'anthropic-text' },
    );
    const started = Date.now();
    const { response } = await client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a stream that fails with overloaded right after message_start is retried', async () => {
    mock.enqueue(
      { capture: 'anthropic-text', errorAfterEvents: { after: 2, type: 'overloaded_error', message: 'Overloaded' } },
      { capture: 'anthropic-text' },
    );
    const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(STREAMED_TEXT);
    expect(mock.messageRequests).toHaveLength(2);
  });

  it('an upstream 400 passes through with its message and is not retried', async () => {
    mock.enqueue({
      error: { status: 400, type: 'invalid_request_error', message: 'messages.0.content: text content blocks must be non-empty' },
    });
    const error = await client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((error as Error).message).toContain('text content blocks must be non-empty');
    expect(mock.messageRequests).toHaveLength(1);
  });

  it('tool call arguments that are not JSON are refused with 400 before reaching Anthropic', async () => {
    const error = await client.chat.completions
      .create({
        model: 'claude',
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'toolu_x', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Par' } }],
          },
          { role: 'tool', tool_call_id: 'toolu_x', content: 'error' },
        ],
        tools: [weatherTool],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/messages\[1\].*not valid JSON/);
    expect(mock.messageRequests).toHaveLength(0);
  });

  it("an Anthropic key that is refused upstream is the gateway's problem: 502, no key in the answer", async () => {
    const error = await client.chat.completions
      .create({ model: 'claude-bad-key', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('sk-ant-not-the-right-key');
  });
});
