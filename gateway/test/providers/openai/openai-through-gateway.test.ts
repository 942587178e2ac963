// The official OpenAI SDK -> the running gateway (OpenAI front door) -> OpenAI-format backends
// (openai, azure-openai, groq) served by the OpenAI mock. Checks what callers see, what the
// upstream receives, and that the gateway's replies match OpenAI's published schemas.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { type APIError } from 'openai';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { openAISchemaErrors } from '../../frontdoors/openai-chat/openai-schema-validator.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-openaiIntegration0123456789abcdefXYZ';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function manifests(mockUrl: string): string {
  const route = (name: string, backend: Record<string, unknown>, retry: Record<string, unknown> = { attempts: 1 }): unknown => ({
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends: [backend], retry, outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' } },
  });
  const credentials = [{ secretRef: { name: 'openai', key: 'apiKey' } }];
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai', namespace: 'default' }, stringData: { apiKey: OPENAI_MOCK_API_KEY } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'revoked', namespace: 'default' },
      stringData: { apiKey: 'sk-revoked-0123456789abcdefghijklmnop' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'integration-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'integration', namespace: 'default' },
      spec: { secretName: 'integration-key' },
    },
    route(
      'gpt-4o',
      // The catalog says gpt-4o takes no reasoning options; the spec overrides it so the text test
      // can show reasoning_effort forwarded as sent.
      {
        name: 'openai-main',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        baseURL: `${mockUrl}/v1`,
        credentials,
        capabilities: { reasoning: true },
      },
      { attempts: 3, backoff: { initial: '10ms', max: '2s' }, on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] },
    ),
    route('embed', { name: 'openai-embed', provider: 'openai', model: 'text-embedding-3-small', baseURL: `${mockUrl}/v1`, credentials }),
    route('gpt-azure', {
      name: 'azure-east',
      provider: 'azure-openai',
      model: 'gpt-4o',
      baseURL: mockUrl,
      azure: { deployment: 'gpt4o-east', apiVersion: '2024-10-21' },
      credentials,
    }),
    route('llama', { name: 'groq-main', provider: 'groq', model: 'llama-3.3-70b-versatile', baseURL: `${mockUrl}/openai/v1`, credentials }),
    route('gpt-revoked', {
      name: 'openai-revoked',
      provider: 'openai',
      model: 'gpt-4o',
      baseURL: `${mockUrl}/v1`,
      credentials: [{ secretRef: { name: 'revoked', key: 'apiKey' } }],
    }),
  ];
  return `${objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n')}\n`;
}

let mock: OpenAIMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

beforeAll(async () => {
  mock = await startOpenAIMockServer();
  gateway = await startGateway({ manifests: { 'openai.yaml': manifests(mock.url) } });
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
  const body = mock.chatRequests[mock.chatRequests.length - 1];
  if (body === undefined) throw new Error('the mock received no chat request');
  return body;
}

async function rawPost(path: string, body: unknown, key = VIRTUAL_KEY): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Splits an SSE body into its data payloads. */
function ssePayloads(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return frame.slice('data: '.length);
    });
}

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];

describe('OpenAI SDK -> gateway -> openai backend', () => {
  it('text: answer, usage, public model name, and the request OpenAI received', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-4o',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'hello' },
        ],
        max_completion_tokens: 50,
        temperature: 0.2,
        seed: 3,
        stop: 'END',
        user: 'u-9',
        reasoning_effort: 'low',
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('mock:gpt-4o-2024-08-06: hello');
    expect(data.model).toBe('gpt-4o');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(response.headers.get('x-switchyard-backend')).toBe('openai-main');
    expect(mock.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_MOCK_API_KEY}`);
    // OpenAI's own dialect: the passthrough fast path (pipeline/passthrough.ts) forwards the
    // caller's body as sent, with the backend's model.
    expect(lastUpstreamBody()).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
      max_completion_tokens: 50,
      temperature: 0.2,
      seed: 3,
      stop: 'END',
      user: 'u-9',
      reasoning_effort: 'low',
    });
  });

  it('streaming: deltas, finish reason, the usage chunk; usage asked upstream', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
      expect(chunk.model).toBe('gpt-4o');
    }
    expect(text).toBe('mock:gpt-4o-2024-08-06: stream me');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
    expect(lastUpstreamBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('streaming without include_usage still asks upstream for usage, but sends the caller none', async () => {
    const response = await rawPost('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
    const payloads = ssePayloads(await response.text());
    expect(payloads.at(-1)).toBe('[DONE]');
    const chunks = payloads.slice(0, -1).map((p) => JSON.parse(p) as Record<string, unknown>);
    expect(chunks.every((c) => !('usage' in c) || c.usage === null)).toBe(true);
    expect(lastUpstreamBody()).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('tools, not streamed: parallel tool calls come back; tools and choice reach OpenAI', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Paris' }],
      tools,
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? [c.function.name, c.function.arguments] : []))).toEqual([
      ['get_weather', '{"input":"Paris"}'],
      ['get_time', '{"input":"Paris"}'],
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(lastUpstreamBody()).toMatchObject({ tools, tool_choice: 'auto', parallel_tool_calls: true });
  });

  it('tools, streamed: the SDK reassembles both calls', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Rome' }], tools });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual(['get_weather', 'get_time']);
    expect(calls.map((c) => (c.type === 'function' ? JSON.parse(c.function.arguments) : null))).toEqual([
      { input: 'Rome' },
      { input: 'Rome' },
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('a tool round trip: the tool answer reaches OpenAI with its call id', async () => {
    await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_77', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_77', content: '-3C' },
      ],
    });
    const messages = lastUpstreamBody().messages as unknown[];
    expect(messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_77', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_77', content: '-3C' },
    ]);
  });

  it('image parts: URL and data URL reach OpenAI unchanged', async () => {
    await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect((lastUpstreamBody().messages as unknown[])[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'describe' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      ],
    });
  });

  it('JSON mode and structured outputs', async () => {
    const json = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'json please' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(json.choices[0]?.message.content ?? '')).toEqual({ reply: 'mock:gpt-4o-2024-08-06: json please' });
    const schema = { type: 'object', properties: { reply: { type: 'string' } }, required: ['reply'], additionalProperties: false };
    const parsed = await client.chat.completions.parse({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'structured' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
    });
    expect(parsed.choices[0]?.message.parsed).toEqual({ reply: 'mock:gpt-4o-2024-08-06: structured' });
    expect(lastUpstreamBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
  });

  it('embeddings: the SDK default (base64) and floats', async () => {
    const viaSdk = await client.embeddings.create({ model: 'embed', input: ['alpha', 'beta'] });
    expect(viaSdk.model).toBe('embed');
    expect(viaSdk.data.map((d) => d.index)).toEqual([0, 1]);
    const floats = await client.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'float' });
    expect(viaSdk.data[0]?.embedding).toEqual(floats.data[0]?.embedding);
    expect(floats.data[0]?.embedding).toHaveLength(8);
    expect(mock.embeddingRequests.every((r) => r.encoding_format === 'float' && r.model === 'text-embedding-3-small')).toBe(true);
  });

  it('an upstream 400 passes through with its message and param, not retried', async () => {
    mock.script({
      error: { status: 400, message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature' },
    });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).message).toContain("Invalid value for 'temperature'");
    expect(mock.chatRequests).toHaveLength(1);
  });

  it('an upstream 429 is retried after its retry-after, a 500 too', async () => {
    mock.script(
      { error: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, retryAfterMs: '100' },
      { error: { status: 500, message: 'oops', type: 'server_error' } },
    );
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('mock:gpt-4o-2024-08-06: again');
    expect(response.headers.get('x-switchyard-attempts')).toBe('3');
  });

  it("an upstream 401 is the gateway's credential problem: 502, never the key", async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-revoked', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as APIError).status).toBe(502);
    expect(JSON.stringify((error as APIError).error)).not.toContain('sk-revoked');
  });

  it('a stream that breaks after its first bytes ends with an error event and no [DONE]', async () => {
    // Paced chunks, so the first ones reach the caller before the error does (before that, the
    // gateway may still retry).
    mock.script({ chunkDelayMs: 60, errorAfterChunks: { after: 3, message: 'The server had an error', type: 'server_error' } });
    const response = await rawPost('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'a longer message to stream' }],
      stream: true,
    });
    const payloads = ssePayloads(await response.text());
    expect(payloads).not.toContain('[DONE]');
    expect(JSON.parse(payloads[1]!)).toMatchObject({ choices: [{ delta: { content: expect.any(String) } }] });
    const last = JSON.parse(payloads.at(-1)!) as unknown;
    expect(openAISchemaErrors('ErrorResponse', last)).toEqual([]);
    expect(mock.chatRequests).toHaveLength(1);
  });
});

describe('OpenAI SDK -> gateway -> azure-openai and a compatible preset', () => {
  it('azure: the deployment URL, api-key header, streaming', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-azure',
      messages: [{ role: 'user', content: 'hi azure' }],
      max_tokens: 9,
    });
    expect(completion.choices[0]?.message.content).toBe('mock:mock-model: hi azure');
    expect(mock.requests[0]?.url).toBe('/openai/deployments/gpt4o-east/chat/completions?api-version=2024-10-21');
    expect(mock.requests[0]?.headers['api-key']).toBe(OPENAI_MOCK_API_KEY);
    expect(lastUpstreamBody()).toEqual({ messages: [{ role: 'user', content: 'hi azure' }], max_completion_tokens: 9 });

    let text = '';
    for await (const chunk of await client.chat.completions.create({
      model: 'gpt-azure',
      messages: [{ role: 'user', content: 'stream' }],
      stream: true,
    })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('mock:mock-model: stream');
  });

  it('azure: a content-filtered completion is reported as content_filter', async () => {
    mock.script({ content: '', finishReason: 'content_filter' });
    const completion = await client.chat.completions.create({ model: 'gpt-azure', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.finish_reason).toBe('content_filter');
  });

  it("groq: the recorded tool-call stream, with Groq's dialect upstream", async () => {
    mock.script({ capture: 'groq-tool-call' });
    const stream = client.chat.completions.stream({
      model: 'llama',
      messages: [{ role: 'user', name: 'alice', content: 'weather?' }],
      tools,
      max_tokens: 30,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? [call.id, call.function.name, call.function.arguments] : []).toEqual(['tk85n1k4m', 'weather', '{}']);
    expect(final.usage).toMatchObject({ prompt_tokens: 210, completion_tokens: 15 });
    expect(mock.requests[0]?.url).toBe('/openai/v1/chat/completions');
    const upstream = lastUpstreamBody();
    expect(upstream.max_completion_tokens).toBe(30);
    expect((upstream.messages as Array<Record<string, unknown>>)[0]).toEqual({ role: 'user', content: 'weather?' });
  });
});

describe("the gateway's OpenAI-format replies conform to OpenAI's OpenAPI schemas", () => {
  it('chat completion, tool calls included', async () => {
    for (const body of [
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], tools },
    ]) {
      const response = await rawPost('/v1/chat/completions', body);
      expect(response.status).toBe(200);
      expect(openAISchemaErrors('CreateChatCompletionResponse', await response.json())).toEqual([]);
    }
  });

  it('every stream chunk, usage chunk included', async () => {
    for (const extra of [{}, { tools }]) {
      const response = await rawPost('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi there' }],
        stream: true,
        stream_options: { include_usage: true },
        ...extra,
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const payloads = ssePayloads(await response.text());
      expect(payloads.at(-1)).toBe('[DONE]');
      for (const payload of payloads.slice(0, -1))
        expect(openAISchemaErrors('CreateChatCompletionStreamResponse', JSON.parse(payload))).toEqual([]);
    }
  });

  it('embeddings', async () => {
    const response = await rawPost('/v1/embeddings', { model: 'embed', input: ['a', 'b'] });
    expect(openAISchemaErrors('CreateEmbeddingResponse', await response.json())).toEqual([]);
  });

  it('errors: bad request naming the field, bad key, unknown model', async () => {
    const bad = await rawPost('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }],
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { param: string } };
    expect(openAISchemaErrors('ErrorResponse', badBody)).toEqual([]);
    expect(badBody.error.param).toBe('messages[0].content[0].image_url.url');

    const unauthorized = await rawPost(
      '/v1/chat/completions',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] },
      'sk-sy-notAKnownKey0123456789abcdefghijklmn',
    );
    expect(unauthorized.status).toBe(401);
    expect(openAISchemaErrors('ErrorResponse', await unauthorized.json())).toEqual([]);

    const unknown = await rawPost('/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(openAISchemaErrors('ErrorResponse', await unknown.json())).toEqual([]);
  });

  it('the model list', async () => {
    const response = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${VIRTUAL_KEY}` } });
    expect(openAISchemaErrors('ListModelsResponse', await response.json())).toEqual([]);
  });
});
