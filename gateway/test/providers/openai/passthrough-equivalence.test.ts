// The passthrough fast path (pipeline/passthrough.ts) against the normal path: the same requests,
// sent with the official OpenAI SDK through two gateways on the same manifests and the same mock
// upstream, one with the fast path (the default) and one forced onto the normal path
// (SWITCHYARD_PASSTHROUGH=off). What the client sees, and what each gateway recorded (usage,
// cost, status in the request's log line), must agree. A third pair of checks shows the fast
// path is the one taken: the caller's unknown fields reach the upstream only through it.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-passthroughEquivalence0123456789ab';

function manifests(mockUrl: string): string {
  const credentials = [{ secretRef: { name: 'openai', key: 'apiKey' } }];
  const pricing = { inputPerMillion: '2', outputPerMillion: '8', cachedInputPerMillion: '1' };
  const route = (name: string, backends: unknown[]): unknown => ({
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends, retry: { attempts: 1 }, outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' } },
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai', namespace: 'default' }, stringData: { apiKey: OPENAI_MOCK_API_KEY } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pt-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'pt', namespace: 'default' }, spec: { secretName: 'pt-key' } },
    route('gpt-4o', [
      { name: 'openai-main', provider: 'openai', model: 'gpt-4o-2024-08-06', baseURL: `${mockUrl}/v1`, credentials, pricing },
    ]),
    route('local', [
      { name: 'compatible', provider: 'openai-compatible', model: 'llama-3.1-8b', baseURL: `${mockUrl}/v1`, credentials, pricing },
    ]),
    // Two OpenAI tiers: a retry on the fast path re-sends the caller's body to the second.
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'retried', namespace: 'default' },
      spec: {
        model: 'retried',
        backends: [
          { name: 'openai-a', provider: 'openai', model: 'gpt-4o-2024-08-06', baseURL: `${mockUrl}/v1`, credentials, pricing },
          { name: 'openai-b', provider: 'openai', model: 'gpt-4o-mini', baseURL: `${mockUrl}/v1`, credentials, pricing, priority: 1 },
        ],
        retry: { attempts: 2, backoff: { initial: '1ms', max: '5ms' }, on: ['ServerError'] },
        outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
      },
    },
    // An OpenAI tier 0 and a Groq tier 1 (a dialect the passthrough leaves to the translation).
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'mixed', namespace: 'default' },
      spec: {
        model: 'mixed',
        backends: [
          { name: 'openai-first', provider: 'openai', model: 'gpt-4o-2024-08-06', baseURL: `${mockUrl}/v1`, credentials, pricing },
          { name: 'groq-second', provider: 'groq', model: 'llama-3.3-70b', baseURL: `${mockUrl}/v1`, credentials, pricing, priority: 1 },
        ],
        retry: { attempts: 2, backoff: { initial: '1ms', max: '5ms' }, on: ['ServerError'] },
        outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
      },
    },
  ];
  return `${objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n')}\n`;
}

let mock: OpenAIMockServer;
let fast: GatewayProcess;
let normal: GatewayProcess;

beforeAll(async () => {
  mock = await startOpenAIMockServer();
  const files = { 'routes.yaml': manifests(mock.url) };
  [fast, normal] = await Promise.all([
    startGateway({ manifests: files }),
    startGateway({ manifests: files, env: { SWITCHYARD_PASSTHROUGH: 'off' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([fast?.stop(), normal?.stop()]);
  await mock?.close();
});

beforeEach(() => mock.reset());

function client(gateway: GatewayProcess): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}

/** The request's access-log line, found by the id the gateway answered with. */
async function requestLine(gateway: GatewayProcess, requestId: string | null): Promise<Record<string, unknown>> {
  for (let tries = 0; tries < 100; tries++) {
    for (const line of gateway.logs().split('\n')) {
      if (!line.startsWith('{') || !line.includes(`"${requestId ?? ''}"`)) continue;
      const record = JSON.parse(line) as Record<string, unknown>;
      if (record.msg === 'request' && record.requestId === requestId) return record;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
  throw new Error(`no request line for ${String(requestId)}`);
}

/** What the ledger and the metrics take from a request's line. */
function recorded(line: Record<string, unknown>): Record<string, unknown> {
  const { status, inputTokens, outputTokens, costUsd, backend, route, model, stream, attempts, error, streamFailure, failedAttempts } =
    line;
  return { status, inputTokens, outputTokens, costUsd, backend, route, model, stream, attempts, error, streamFailure, failedAttempts };
}

type Mock = Parameters<OpenAIMockServer['script']>[0];
type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;

/** The parts of a whole answer a client reads (the normal path adds `refusal`, `annotations` the upstream may not send). */
function seenWhole(answer: OpenAI.Chat.ChatCompletion): unknown {
  return {
    object: answer.object,
    model: answer.model,
    idPrefix: answer.id.slice(0, 9),
    choices: answer.choices.map((choice) => ({
      index: choice.index,
      finish_reason: choice.finish_reason,
      content: choice.message.content,
      role: choice.message.role,
      tool_calls: choice.message.tool_calls,
    })),
    usage: {
      prompt_tokens: answer.usage?.prompt_tokens,
      completion_tokens: answer.usage?.completion_tokens,
      total_tokens: answer.usage?.total_tokens,
      cached_tokens: answer.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
  };
}

const wholeCases: Array<[string, string, Mock, Body]> = [
  [
    'text',
    'gpt-4o',
    { content: 'hello there', usage: { prompt_tokens: 11, completion_tokens: 3 } },
    {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      temperature: 0.1,
      max_tokens: 20,
    },
  ],
  [
    'usage with cached tokens',
    'gpt-4o',
    { content: 'cached', usage: { prompt_tokens: 2000, completion_tokens: 5, cached_tokens: 1536 } },
    {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'long prompt' }],
    },
  ],
  [
    'a tool call',
    'gpt-4o',
    { toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }], finishReason: 'tool_calls' },
    {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'weather in Oslo?' }],
      tools: [
        { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ],
    },
  ],
  [
    'an upstream id without the chatcmpl- prefix, on an openai-compatible backend',
    'local',
    { content: 'x', id: 'abc123' },
    {
      model: 'local',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 9,
    },
  ],
];

describe('passthrough fast path and normal path agree', () => {
  it.each(wholeCases)('whole answer: %s', async (_label, _route, reply, body) => {
    const answers = [];
    const lines = [];
    const upstream = [];
    for (const gateway of [fast, normal]) {
      mock.reset();
      mock.script(reply);
      const { data, response } = await client(gateway).chat.completions.create(body).withResponse();
      answers.push(seenWhole(data));
      lines.push(recorded(await requestLine(gateway, response.headers.get('x-request-id'))));
      upstream.push(mock.chatRequests[0]);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(lines[0]).toEqual(lines[1]);
    expect((answers[0] as { model: string }).model).toBe(body.model);
    // The backend's model and the output cap under the dialect's name reach the upstream on both paths.
    expect(upstream[0]?.model).toBe(upstream[1]?.model);
    for (const field of ['max_tokens', 'max_completion_tokens'])
      expect((upstream[0] as Record<string, unknown>)[field]).toEqual((upstream[1] as Record<string, unknown>)[field]);
  });

  it.each([
    ['with include_usage', true],
    ['without include_usage', false],
  ])('stream %s: the same text, finish, usage chunk, and recorded usage', async (_label, includeUsage) => {
    const seen = [];
    const lines = [];
    for (const gateway of [fast, normal]) {
      mock.reset();
      mock.script({ content: 'one two three four', usage: { prompt_tokens: 7, completion_tokens: 4, cached_tokens: 2 } });
      const { data: stream, response } = await client(gateway)
        .chat.completions.create({
          model: 'gpt-4o',
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
          messages: [{ role: 'user', content: 'count' }],
        })
        .withResponse();
      let text = '';
      const finishes: unknown[] = [];
      const usages: unknown[] = [];
      const models = new Set<string>();
      for await (const chunk of stream) {
        models.add(chunk.model);
        for (const choice of chunk.choices) {
          text += choice.delta.content ?? '';
          if (choice.finish_reason) finishes.push(choice.finish_reason);
        }
        if (chunk.usage)
          usages.push({ ...chunk.usage, prompt_tokens_details: { cached_tokens: chunk.usage.prompt_tokens_details?.cached_tokens } });
      }
      seen.push({
        text,
        finishes,
        usages: usages.map((u) => ({ ...(u as object), completion_tokens_details: undefined })),
        models: [...models],
      });
      lines.push(recorded(await requestLine(gateway, response.headers.get('x-request-id'))));
      // The gateway asks for usage on every stream, whatever the caller asked: that is how it is charged.
      expect((mock.chatRequests[0]?.stream_options as { include_usage?: boolean } | undefined)?.include_usage).toBe(true);
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(lines[0]).toEqual(lines[1]);
    expect(seen[0]).toMatchObject({ text: 'one two three four', finishes: ['stop'], models: ['gpt-4o'] });
    expect((seen[0] as { usages: unknown[] }).usages).toHaveLength(includeUsage ? 1 : 0);
    // 2 of the 7 input tokens at the cached price: (5 * 2 + 2 * 1 + 4 * 8) / 1e6 dollars.
    expect(lines[0]).toMatchObject({ inputTokens: 7, outputTokens: 4, costUsd: '0.000044' });
  });

  it('stream of tool calls: the same calls', async () => {
    const seen = [];
    for (const gateway of [fast, normal]) {
      mock.reset();
      mock.script({ toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":"switchyard"}' }], finishReason: 'tool_calls' });
      const stream = await client(gateway).chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'look it up' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
      });
      const calls: Record<number, { id?: string; name?: string; arguments: string }> = {};
      let finish: unknown;
      for await (const chunk of stream) {
        for (const choice of chunk.choices) {
          for (const call of choice.delta.tool_calls ?? []) {
            const entry = (calls[call.index] ??= { arguments: '' });
            if (call.id) entry.id = call.id;
            if (call.function?.name) entry.name = call.function.name;
            entry.arguments += call.function?.arguments ?? '';
          }
          finish = choice.finish_reason ?? finish;
        }
      }
      seen.push({ calls, finish });
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toEqual({ calls: { 0: { id: 'call_9', name: 'lookup', arguments: '{"q":"switchyard"}' } }, finish: 'tool_calls' });
  });

  it.each([
    [
      '429 rate limited',
      false,
      { error: { status: 429, message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
    ],
    [
      '400 invalid request',
      false,
      { error: { status: 400, message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature' } },
    ],
    ['500 server error', false, { error: { status: 500, message: 'The server had an error', type: 'server_error' } }],
    [
      '429 on a stream',
      true,
      { error: { status: 429, message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
    ],
    [
      'an error event first on a stream',
      true,
      { content: 'x', errorAfterChunks: { after: 0, message: 'overloaded', type: 'server_error' } },
    ],
    [
      'a stream answered with a JSON body',
      true,
      { status: 200, rawBody: '{"id":"chatcmpl-1","choices":[]}', contentType: 'application/json' },
    ],
  ] as Array<[string, boolean, Mock]>)('upstream error %s: the same status and body', async (_label, stream, reply) => {
    const seen = [];
    const lines = [];
    for (const gateway of [fast, normal]) {
      mock.reset();
      mock.script(reply);
      const error = await client(gateway)
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      seen.push({ status: apiError.status, error: apiError.error, code: apiError.code, type: apiError.type });
      lines.push(recorded(await requestLine(gateway, apiError.headers?.get('x-request-id') ?? null)));
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(lines[0]).toEqual(lines[1]);
  });

  it('a stream that fails after it began ends with the same error event', async () => {
    const seen = [];
    const lines = [];
    for (const gateway of [fast, normal]) {
      mock.reset();
      // Paced, so the stream has begun when the error comes (an error in the first batch fails the attempt on both paths).
      mock.script({
        content: 'partial answer here',
        chunkDelayMs: 30,
        errorAfterChunks: { after: 2, message: 'overloaded', type: 'server_error' },
      });
      const { data: stream, response } = await client(gateway)
        .chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      let text = '';
      const failure = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      seen.push({ text, failed: failure instanceof Error });
      lines.push(recorded(await requestLine(gateway, response.headers.get('x-request-id'))));
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(lines[0]).toEqual(lines[1]);
    expect(seen[0]).toMatchObject({ failed: true });
  });
});

describe('what only the fast path does', () => {
  it('forwards fields the caller sent that the gateway does not know, unchanged; metadata, service_tier and store stay behind', async () => {
    const extra = { verbosity: 'low', some_new_field: { nested: [1, 'two', null] } };
    // service_tier would change the upstream's price (the gateway charges the standard rate), store
    // would keep the exchange at the provider: neither is the caller's to set on either path.
    const withheld = { metadata: { team: 'a' }, service_tier: 'priority', store: true };
    const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }], ...withheld, ...extra };
    mock.script({ content: 'ok' });
    await client(fast).chat.completions.create(body as Body);
    const sent = mock.chatRequests[0] as Record<string, unknown>;
    expect(sent).toMatchObject({ ...extra, model: 'gpt-4o-2024-08-06', messages: body.messages });
    for (const name of Object.keys(withheld)) expect(sent[name]).toBeUndefined();
    // The normal path knows none of them (docs/providers/openai.md): proof the fast path was taken above.
    mock.reset();
    mock.script({ content: 'ok' });
    await client(normal).chat.completions.create(body as Body);
    expect(mock.chatRequests[0]?.some_new_field).toBeUndefined();
  });

  it('falls back across dialects: the failed OpenAI attempt went up as sent, the Groq attempt translated', async () => {
    mock.script({ error: { status: 500, message: 'The server had an error', type: 'server_error' } }, { content: 'from groq' });
    const body = { model: 'mixed', messages: [{ role: 'user' as const, content: 'hi' }], some_new_field: 1 };
    const { data, response } = await client(fast)
      .chat.completions.create(body as Body)
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from groq');
    expect(data.model).toBe('mixed');
    expect(response.headers.get('x-switchyard-backend')).toBe('groq-second');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(mock.chatRequests.map((sent) => [sent.model, sent.some_new_field])).toEqual([
      ['gpt-4o-2024-08-06', 1],
      ['llama-3.3-70b', undefined],
    ]);
  });

  // The caller's body outlives the first attempt's serialization: whatever the gateway releases
  // early to keep less alive while it waits, a retry must still send what the caller sent.
  it.each([false, true])('a retry on the fast path sends the caller body again, unchanged (stream: %s)', async (stream) => {
    const failed = { error: { status: 500, message: 'The server had an error', type: 'server_error' } };
    // The second answer is the mock's default (a stream when asked for one).
    mock.script(failed);
    const body = {
      model: 'retried',
      messages: [
        { role: 'system' as const, content: 'be brief' },
        { role: 'user' as const, content: 'hi' },
      ],
      some_new_field: { nested: [1, 'two'] },
      max_completion_tokens: 7,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    };
    const { data, response } = await client(fast)
      .chat.completions.create(body as Body)
      .withResponse();
    const chunks: unknown[] = [];
    if (stream) for await (const chunk of data as unknown as AsyncIterable<unknown>) chunks.push(chunk);
    expect(chunks.length > 0).toBe(stream);
    expect(response.headers.get('x-switchyard-backend')).toBe('openai-b');
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    const [first, second] = mock.chatRequests as Record<string, unknown>[];
    expect(first).toMatchObject({ model: 'gpt-4o-2024-08-06', some_new_field: body.some_new_field, messages: body.messages });
    expect({ ...second, model: undefined }).toEqual({ ...first, model: undefined });
    expect(second?.model).toBe('gpt-4o-mini');
  });

  it('streams the upstream chunks with the public model name and the upstream fields the normal path drops', async () => {
    mock.script({
      chunks: [
        {
          id: 'chatcmpl-1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-2024-08-06',
          system_fingerprint: 'fp_1',
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        },
        {
          id: 'chatcmpl-1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-2024-08-06',
          system_fingerprint: 'fp_1',
          choices: [{ index: 0, delta: { content: 'hé' }, finish_reason: 'stop' }],
        },
        {
          id: 'chatcmpl-1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-2024-08-06',
          choices: [],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        },
      ],
    });
    const { data: stream, response } = await client(fast)
      .chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.model)).toEqual(['gpt-4o', 'gpt-4o']);
    expect(chunks.map((c) => (c as { system_fingerprint?: string }).system_fingerprint)).toEqual(['fp_1', 'fp_1']);
    expect(chunks.map((c) => c.choices[0]?.delta.content).join('')).toBe('hé');
    // The usage chunk the caller did not ask for is not forwarded, and is still what is charged.
    expect(await requestLine(fast, response.headers.get('x-request-id'))).toMatchObject({ inputTokens: 3, outputTokens: 1, status: 200 });
  });
});
