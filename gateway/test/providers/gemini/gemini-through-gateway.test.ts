// The official `openai` SDK -> the running gateway (standalone, real process) -> a `gemini`
// backend served by the Gemini mock. What a caller sees end to end.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  blockedPromptReply,
  deterministicEmbedding,
  loadGeminiCaptureJson,
  rateLimitedReply,
  safetyStopReply,
  startGeminiMockServer,
  textReply,
  type GeminiMockServer,
} from '../../mocks/gemini-mock-server.js';
import { GEMINI_TEST_KEY } from './gemini-test-support.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-GeminiIntegration0123456789abcdefXYZ';

let gemini: GeminiMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

function geminiRoute(name: string, model: string, options: { secret?: string; retry?: Record<string, unknown> } = {}): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      model: name,
      backends: [
        {
          name: `${name}-backend`,
          provider: 'gemini',
          model,
          baseURL: gemini.url,
          credentials: [{ secretRef: { name: options.secret ?? 'gemini', key: 'apiKey' } }],
          pricing: { inputPerMillion: '0.30', outputPerMillion: '2.50' },
        },
      ],
      retry: options.retry ?? { attempts: 2, backoff: { initial: '10ms', max: '2s' }, on: ['RateLimited', 'ServerError'] },
    },
  };
}

function manifests(): string {
  return documents(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gemini', namespace: 'default' }, stringData: { apiKey: GEMINI_TEST_KEY } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gemini-revoked', namespace: 'default' },
      stringData: { apiKey: 'a-revoked-key' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'app', namespace: 'default' }, spec: { secretName: 'app-key' } },
    geminiRoute('gemini-flash', 'gemini-2.5-flash'),
    geminiRoute('gemini-pro', 'gemini-3-pro-preview'),
    geminiRoute('gemini-embed', 'gemini-embedding-001'),
    geminiRoute('gemini-revoked', 'gemini-2.5-flash', { secret: 'gemini-revoked' }),
  );
}

beforeAll(async () => {
  gemini = await startGeminiMockServer({ apiKey: GEMINI_TEST_KEY });
  gateway = await startGateway({ manifests: { 'gemini.yaml': manifests() } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await gemini?.close();
});

beforeEach(() => gemini.reset());

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'Current weather for a place',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false },
  },
};

describe('openai SDK -> gateway -> gemini', () => {
  it('text: the answer, finish reason and exact usage, with the backend named', async () => {
    gemini.enqueue({ capture: 'google-text' });
    const { data, response } = await client.chat.completions
      .create({
        model: 'gemini-flash',
        messages: [
          { role: 'system', content: 'Be exact.' },
          { role: 'user', content: 'How many r in strawberry?' },
        ],
        max_tokens: 500,
      })
      .withResponse();
    expect(data.model).toBe('gemini-flash');
    expect(data.choices[0]!.message.content).toBe("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281 });
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(244);
    expect(response.headers.get('x-switchyard-backend')).toBe('gemini-flash-backend');

    expect(gemini.calls[0]).toMatchObject({ model: 'gemini-2.5-flash', method: 'generateContent', apiKey: GEMINI_TEST_KEY });
    expect(gemini.calls[0]!.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'How many r in strawberry?' }] }],
      systemInstruction: { parts: [{ text: 'Be exact.' }] },
      generationConfig: { maxOutputTokens: 500 },
    });
  });

  it('streaming text: the deltas add up and the usage chunk has exact numbers', async () => {
    gemini.enqueue({ capture: 'google-text' });
    const stream = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 });
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBe(185);
    expect(gemini.calls[0]).toMatchObject({ method: 'streamGenerateContent', alt: 'sse' });
  });

  it('tools, not streamed: a tool call out, its result back to Gemini by name', async () => {
    gemini.enqueue({ capture: 'google-tool-call' });
    const first = await client.chat.completions.create({
      model: 'gemini-pro',
      messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'San Francisco' });
    expect(call.id).toMatch(/^call_/);
    expect(gemini.calls[0]!.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'weather',
              description: 'Current weather for a place',
              parameters: { type: 'OBJECT', properties: { location: { type: 'STRING' } }, required: ['location'] },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    gemini.enqueue(textReply('It is foggy and 18C in San Francisco.', { promptTokenCount: 60, candidatesTokenCount: 11 }));
    const second = await client.chat.completions.create({
      model: 'gemini-pro',
      messages: [
        { role: 'user', content: 'Weather in San Francisco?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"tempC":18,"sky":"fog"}' },
      ],
      tools: [weatherTool],
    });
    expect(second.choices[0]!.message.content).toBe('It is foggy and 18C in San Francisco.');
    const replay = gemini.calls[1]!.body as { contents: unknown[] };
    expect(replay.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
      // The OpenAI format has nowhere to keep Gemini 3's thought signature, so the gateway sends Google's documented skip value.
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: 'skip_thought_signature_validator' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { tempC: 18, sky: 'fog' } } }] },
    ]);
  });

  it('tools, streamed: both calls of the streamed-arguments capture arrive with ids and arguments', async () => {
    gemini.enqueue({ capture: 'google-stream-tool-call-arguments' });
    const stream = await client.chat.completions.create({
      model: 'gemini-pro',
      messages: [{ role: 'user', content: 'Weather in Boston and San Francisco?' }],
      tools: [weatherTool],
      stream: true,
    });
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
        call.id += delta.id ?? '';
        call.name += delta.function?.name ?? '';
        call.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect([...calls.values()].map((c) => ({ name: c.name, args: JSON.parse(c.arguments) as unknown }))).toEqual([
      { name: 'getWeather', args: { location: 'Boston' } },
      { name: 'getWeather', args: { location: 'San Francisco' } },
    ]);
    const ids = [...calls.values()].map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('image: a data URL goes inline, an https URL as fileData', async () => {
    gemini.enqueue({ capture: 'google-text' });
    await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' } },
            { type: 'image_url', image_url: { url: 'https://example.com/photo.jpg' } },
          ],
        },
      ],
    });
    expect((gemini.calls[0]!.body as { contents: unknown[] }).contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Compare these.' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo.jpg' } },
        ],
      },
    ]);
  });

  it('a blocked prompt answers with finish_reason content_filter, not an error', async () => {
    gemini.enqueue(blockedPromptReply('SAFETY'));
    const completion = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'something unsafe' }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('content_filter');
    expect(completion.choices[0]!.message.content ?? '').toBe('');
    expect(completion.usage?.prompt_tokens).toBe(12);
  });

  it('a SAFETY stop while streaming ends with finish_reason content_filter', async () => {
    gemini.enqueue(safetyStopReply('SAFETY'));
    const stream = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let finish: string | null = null;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe('content_filter');
  });

  it('a stream Gemini cuts before any finishReason ends with an error event, not a clean finish', async () => {
    gemini.enqueue({
      chunks: [{ candidates: [{ content: { parts: [{ text: 'Once upon' }], role: 'model' } }], responseId: 'cut1' }],
      cut: { afterChunks: 1, how: 'reset' },
    });
    const stream = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'story' }],
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    let thrown: unknown;
    try {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
    } catch (error) {
      thrown = error;
    }
    expect(text).toBe('Once upon');
    expect(finish).toBeNull();
    expect(thrown).toBeInstanceOf(Error);
  });

  it('a 429 with RetryInfo is retried after the delay Google asked for', async () => {
    gemini.enqueue(rateLimitedReply('0.8s'), { capture: 'google-text' });
    const started = Date.now();
    const { data, response } = await client.chat.completions
      .create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const elapsed = Date.now() - started;
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(gemini.calls).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(800);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('an upstream key Google rejects is the gateway credential problem: 502, never 401 or 400', async () => {
    let thrown: unknown;
    try {
      await client.chat.completions.create({ model: 'gemini-revoked', messages: [{ role: 'user', content: 'hi' }] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    expect((thrown as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(String((thrown as Error).message)).not.toContain('a-revoked-key');
  });

  it('an upstream 400 passes through with Google message', async () => {
    gemini.enqueue({ error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Invalid value at generation_config.top_k' } });
    let thrown: unknown;
    try {
      await client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'hi' }] });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(String((thrown as Error).message)).toContain('Invalid value at generation_config.top_k');
    expect(gemini.calls).toHaveLength(1);
  });

  it('embeddings: one and several inputs', async () => {
    // The SDK asks for base64 by default and decodes float32, so compare to float32 precision.
    const single = await client.embeddings.create({ model: 'gemini-embed', input: 'alpha' });
    expect(single.data).toHaveLength(1);
    expect(single.data[0]!.embedding).toEqual(Array.from(Float32Array.from(deterministicEmbedding('alpha', 8))));
    expect(gemini.calls[0]).toMatchObject({ model: 'gemini-embedding-001', method: 'embedContent' });

    const batch = await client.embeddings.create({
      model: 'gemini-embed',
      input: ['alpha', 'beta', 'gamma'],
      dimensions: 4,
      encoding_format: 'float',
    });
    expect(batch.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(batch.data.map((d) => d.embedding)).toEqual(['alpha', 'beta', 'gamma'].map((t) => deterministicEmbedding(t, 4)));
    expect(gemini.calls[1]).toMatchObject({ method: 'batchEmbedContents' });
  });

  it('the replayed capture is what Google recorded', () => {
    // Guards the fixtures the tests above rely on.
    expect(loadGeminiCaptureJson('google-text')).toHaveProperty('usageMetadata.totalTokenCount', 281);
  });
});
