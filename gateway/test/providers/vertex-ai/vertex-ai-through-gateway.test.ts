// The official `openai` SDK -> the running gateway (standalone, real process) -> `vertex-ai`
// backends served by the Vertex mock: a Gemini model (Google publisher) and a Claude model
// (Anthropic publisher), plain and streamed, with tools, and text embeddings; one access token
// serves them all; a vertex route and an openai route live in one table.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { collectChatStream } from '../../support/collect-chat-stream.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { deterministicEmbedding } from '../../mocks/gemini-mock-server.js';
import { startVertexAIMockServer, type VertexAIMockServer } from '../../mocks/vertex-ai-mock-server.js';
import { API_VERSION, documents, secret, vertexRoute, virtualKey } from './vertex-ai-manifests.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL, TEST_LOCATION, TEST_PROJECT } from './vertex-ai-test-support.js';

const VIRTUAL_KEY = 'sk-sy-VertexIntegration0123456789abcdefXYZ';
const account = createTestServiceAccount();

let vertex: VertexAIMockServer;
let openai: OpenAIMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'Current weather for a place',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false },
  },
};

beforeAll(async () => {
  vertex = await startVertexAIMockServer({
    publicKey: account.publicKeyPem,
    clientEmail: TEST_CLIENT_EMAIL,
    project: TEST_PROJECT,
    location: TEST_LOCATION,
  });
  openai = await startOpenAIMockServer();
  const where = { baseURL: vertex.url, project: TEST_PROJECT, location: TEST_LOCATION };
  const manifests = documents(
    secret('gcp', { 'sa.json': account.json(vertex.tokenUri) }),
    secret('openai', { apiKey: OPENAI_MOCK_API_KEY }),
    ...virtualKey('app', VIRTUAL_KEY),
    vertexRoute('vertex-gemini', 'gemini-2.5-flash', where),
    vertexRoute('vertex-gemini-3', 'gemini-3-pro-preview', where),
    vertexRoute('vertex-claude', 'claude-sonnet-4-5@20250929', where),
    vertexRoute('vertex-embed', 'text-embedding-005', where),
    {
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name: 'gpt-4o', namespace: 'default' },
      spec: {
        model: 'gpt-4o',
        backends: [
          {
            name: 'openai-main',
            provider: 'openai',
            model: 'gpt-4o',
            baseURL: `${openai.url}/v1`,
            credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
          },
        ],
      },
    },
  );
  gateway = await startGateway({ manifests: { 'vertex.yaml': manifests } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await vertex?.close();
  await openai?.close();
});

beforeEach(() => {
  vertex.reset();
  openai.reset();
});

describe('openai SDK -> gateway -> vertex-ai, Google publisher', () => {
  it('text: the Gemini answer and usage, sent to the project/location generateContent URL with a bearer token', async () => {
    vertex.gemini.enqueue({ capture: 'google-text' });
    const { data, response } = await client.chat.completions
      .create({
        model: 'vertex-gemini',
        messages: [
          { role: 'system', content: 'Be exact.' },
          { role: 'user', content: 'How many r in strawberry?' },
        ],
        max_tokens: 500,
      })
      .withResponse();
    expect(data.model).toBe('vertex-gemini');
    expect(data.choices[0]!.message.content).toBe("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281 });
    expect(response.headers.get('x-switchyard-backend')).toBe('vertex-gemini-backend');

    expect(vertex.calls).toHaveLength(1);
    expect(vertex.calls[0]).toMatchObject({
      publisher: 'google',
      project: TEST_PROJECT,
      location: TEST_LOCATION,
      model: 'gemini-2.5-flash',
      method: 'generateContent',
    });
    expect(vertex.issuedTokens).toContain(vertex.calls[0]!.token);
    expect(vertex.calls[0]!.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'How many r in strawberry?' }] }],
      systemInstruction: { parts: [{ text: 'Be exact.' }] },
      generationConfig: { maxOutputTokens: 500 },
    });
  });

  it('streaming: SSE from streamGenerateContent?alt=sse, deltas and exact usage', async () => {
    vertex.gemini.enqueue({ capture: 'google-text' });
    const stream = await client.chat.completions.create({
      model: 'vertex-gemini',
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await collectChatStream(stream);
    expect(text).toContain('strawberry');
    expect(finish).toBe('stop');
    expect(usage?.prompt_tokens).toBe(9);
    expect(vertex.calls[0]).toMatchObject({ publisher: 'google', method: 'streamGenerateContent', alt: 'sse' });
  });

  it('tools: a Gemini function call comes back as tool_calls; the declaration reached Google', async () => {
    vertex.gemini.enqueue({ capture: 'google-tool-call' });
    const result = await client.chat.completions.create({
      model: 'vertex-gemini-3',
      messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    const choice = result.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'San Francisco' });
    expect(vertex.calls[0]!.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            { name: 'weather', parameters: { type: 'OBJECT', properties: { location: { type: 'STRING' } }, required: ['location'] } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
  });

  it('streamed tools: both calls of the recorded stream arrive', async () => {
    vertex.gemini.enqueue({ capture: 'google-stream-tool-call-arguments' });
    const stream = await client.chat.completions.create({
      model: 'vertex-gemini-3',
      messages: [{ role: 'user', content: 'Weather in Boston and San Francisco?' }],
      tools: [weatherTool],
      stream: true,
    });
    const { toolCalls: calls, finish } = await collectChatStream(stream);
    expect(finish).toBe('tool_calls');
    expect(calls.map((c) => ({ name: c.name, args: JSON.parse(c.arguments) as unknown }))).toEqual([
      { name: 'getWeather', args: { location: 'Boston' } },
      { name: 'getWeather', args: { location: 'San Francisco' } },
    ]);
  });

  it('embeddings: :predict instances out, predictions back, token counts summed', async () => {
    const result = await client.embeddings.create({ model: 'vertex-embed', input: ['the quick brown fox', 'jumps'], dimensions: 16 });
    expect(result.data).toHaveLength(2);
    for (const [i, text] of ['the quick brown fox', 'jumps'].entries()) {
      const expected = deterministicEmbedding(text, 16);
      const got = result.data[i]!.embedding;
      expect(got).toHaveLength(16);
      got.forEach((value, j) => {
        expect(value).toBeCloseTo(expected[j] as number, 5);
      });
    }
    expect(result.usage.prompt_tokens).toBe(5);
    expect(vertex.calls[0]).toMatchObject({ publisher: 'google', model: 'text-embedding-005', method: 'predict' });
    expect(vertex.calls[0]!.body).toEqual({
      instances: [{ content: 'the quick brown fox' }, { content: 'jumps' }],
      parameters: { outputDimensionality: 16 },
    });
  });

  it('a Google error from Vertex passes through as a 400 with its message', async () => {
    vertex.gemini.enqueue({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Unable to submit request because it has an empty text parameter.' },
    });
    const error = await client.chat.completions
      .create({ model: 'vertex-gemini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('empty text parameter');
  });
});

describe('openai SDK -> gateway -> vertex-ai, Anthropic publisher', () => {
  it('text: Claude via rawPredict, body without model and with the Vertex anthropic_version', async () => {
    vertex.anthropic.enqueue({ capture: 'anthropic-text' });
    const { data, response } = await client.chat.completions
      .create({
        model: 'vertex-claude',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello, how are you?' },
        ],
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(
      "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 29 });
    expect(response.headers.get('x-switchyard-backend')).toBe('vertex-claude-backend');

    expect(vertex.calls[0]).toMatchObject({ publisher: 'anthropic', model: 'claude-sonnet-4-5@20250929', method: 'rawPredict' });
    const body = vertex.calls[0]!.body as Record<string, unknown>;
    expect(body['anthropic_version']).toBe('vertex-2023-10-16');
    expect(body).not.toHaveProperty('model');
    expect(body['max_tokens']).toBe(4096);
    expect(body['system']).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(body['messages']).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello, how are you?' }] }]);
  });

  it('streaming: Anthropic SSE from streamRawPredict becomes OpenAI chunks with usage', async () => {
    vertex.anthropic.enqueue({ capture: 'anthropic-text' });
    const stream = await client.chat.completions.create({
      model: 'vertex-claude',
      messages: [{ role: 'user', content: 'Hello, how are you?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, finish, usage } = await collectChatStream(stream);
    expect(text.length).toBeGreaterThan(10);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(vertex.calls[0]).toMatchObject({ publisher: 'anthropic', method: 'streamRawPredict' });
    expect((vertex.calls[0]!.body as Record<string, unknown>)['stream']).toBe(true);
  });

  it('tools: tool_use comes back as tool_calls, streamed and not', async () => {
    vertex.anthropic.enqueue({
      content: [{ type: 'tool_use', id: 'toolu_01', name: 'weather', input: { location: 'Paris' } }],
      usage: { input_tokens: 30, output_tokens: 12 },
    });
    const result = await client.chat.completions.create({
      model: 'vertex-claude',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(result.choices[0]!.finish_reason).toBe('tool_calls');
    expect(result.choices[0]!.message.tool_calls).toEqual([
      { id: 'toolu_01', type: 'function', function: { name: 'weather', arguments: '{"location":"Paris"}' } },
    ]);
    expect((vertex.calls[0]!.body as Record<string, unknown>)['tools']).toEqual([
      { name: 'weather', description: 'Current weather for a place', input_schema: weatherTool.function.parameters },
    ]);

    vertex.anthropic.enqueue({ content: [{ type: 'tool_use', id: 'toolu_02', name: 'weather', input: { location: 'Rome' } }] });
    const stream = await client.chat.completions.create({
      model: 'vertex-claude',
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
      tools: [weatherTool],
      stream: true,
    });
    const { toolCalls, finish } = await collectChatStream(stream);
    const { id, arguments: args } = toolCalls[0] ?? { id: '', arguments: '' };
    expect(id).toBe('toolu_02');
    expect(JSON.parse(args)).toEqual({ location: 'Rome' });
    expect(finish).toBe('tool_calls');
  });

  it("an Anthropic error from Claude on Vertex is classified by Anthropic's type (overloaded is retried)", async () => {
    vertex.anthropic.enqueue({ error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } }, { capture: 'anthropic-text' });
    const { response } = await client.chat.completions
      .create({ model: 'vertex-claude', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(vertex.calls).toHaveLength(2);
  });

  it('embeddings with a Claude model are refused as unsupported', async () => {
    const error = await client.embeddings.create({ model: 'vertex-claude', input: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('embeddings');
    expect(vertex.calls).toHaveLength(0);
  });
});

describe('one table, several providers; one token for all', () => {
  it('a vertex route and an openai route both serve', async () => {
    const [fromOpenAI, fromVertex] = await Promise.all([
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }] }),
      client.chat.completions.create({ model: 'vertex-gemini', messages: [{ role: 'user', content: 'ping' }] }),
    ]);
    expect(fromOpenAI.choices[0]!.message.content).toBe('mock:gpt-4o: ping');
    expect(fromVertex.choices[0]!.message.content).toContain('strawberry');
    expect(openai.chatRequests).toHaveLength(1);
    expect(vertex.calls).toHaveLength(1);
  });

  it('every request of this file used the one token issued for the service account', async () => {
    await client.chat.completions.create({ model: 'vertex-claude', messages: [{ role: 'user', content: 'again' }] });
    expect(vertex.issuedTokens).toHaveLength(1);
    expect(vertex.calls[0]!.token).toBe(vertex.issuedTokens[0]);
  });
});
