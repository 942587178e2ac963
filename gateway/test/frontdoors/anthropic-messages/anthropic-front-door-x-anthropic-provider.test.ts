// The official Anthropic SDK -> the running gateway's Anthropic front door -> an `anthropic`
// backend served by the Anthropic mock (recorded captures and built answers). Anthropic in,
// Anthropic out: what the caller sends must reach Anthropic intact, and what Anthropic answers
// must reach the caller intact (content, thinking signatures, stop reasons, usage).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { anthropicClient, documents, PNG_1X1, route, secret, virtualKey, WEATHER_TOOL } from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x anthropic provider';
const CAPTURED_TEXT = "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?";
const STREAMED_TEXT = "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?";

let mock: AnthropicMockServer;
let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  mock = await startAnthropicMockServer();
  const backend = {
    name: 'claude-main',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    baseURL: mock.url,
    credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
  };
  gateway = await startGateway({
    manifests: {
      'anthropic.yaml': documents(
        secret('anthropic', { apiKey: ANTHROPIC_MOCK_API_KEY }),
        ...virtualKey(),
        route('claude', [backend], { retry: { attempts: 1 } }),
      ),
    },
  });
  client = anthropicClient(gateway);
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});
beforeEach(() => mock.reset());

function upstreamBody(): Record<string, unknown> {
  const body = mock.messageRequests[mock.messageRequests.length - 1];
  if (body === undefined) throw new Error('Anthropic received no request');
  return body;
}

describe(CELL, () => {
  it(`${CELL}: text: the answer, id and usage come back; the request reaches Anthropic intact`, async () => {
    mock.enqueue({ capture: 'anthropic-text' });
    // temperature is not in the current SDK's types but older clients send it; it must still work.
    const params = {
      model: 'claude',
      max_tokens: 300,
      system: [{ type: 'text' as const, text: 'Be friendly.', cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: 'Hello, how are you?' }],
      stop_sequences: ['###'],
      metadata: { user_id: 'end-user-7' },
      temperature: 0.4,
    };
    const { data, response } = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming).withResponse();
    expect(data.id).toBe('msg_01VdEjxAP5ahtHKrrRdNBteQ');
    expect(data.model).toBe('claude');
    expect(data.content).toEqual([{ type: 'text', text: CAPTURED_TEXT }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage).toEqual({ input_tokens: 12, output_tokens: 29, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(response.headers.get('x-switchyard-backend')).toBe('claude-main');
    expect(upstreamBody()).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: [{ type: 'text', text: 'Be friendly.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello, how are you?' }] }],
      temperature: 0.4,
      stop_sequences: ['###'],
      metadata: { user_id: 'end-user-7' },
    });
    // The gateway's key goes upstream, never the caller's virtual key.
    expect(mock.requests[0]?.headers['x-api-key']).toBe(ANTHROPIC_MOCK_API_KEY);
  });

  it(`${CELL}: streaming with client.messages.stream (recorded stream): text and usage`, async () => {
    mock.enqueue({ capture: 'anthropic-text', frameDelayMs: 1 });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 300, messages: [{ role: 'user', content: 'Hello' }] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe(STREAMED_TEXT);
    expect(final.content).toEqual([{ type: 'text', text: STREAMED_TEXT }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 30 });
    expect(upstreamBody()['stream']).toBe(true);
  });

  it(`${CELL}: streaming with create({stream: true}): message_delta carries the stop reason and usage`, async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'Short answer.' }], usage: { input_tokens: 21, output_tokens: 4 } });
    const stream = await client.messages.create({
      model: 'claude',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'q' }],
      stream: true,
    });
    const types: string[] = [];
    let delta: Anthropic.MessageDeltaEvent | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_delta') delta = event;
    }
    expect(types.filter((t) => t !== 'ping' && t !== 'content_block_delta')).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(delta?.delta.stop_reason).toBe('end_turn');
    expect(delta?.usage).toMatchObject({ input_tokens: 21, output_tokens: 4, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it(`${CELL}: tool use, not streamed: tool_use comes back; tools and tool_choice reach Anthropic`, async () => {
    mock.enqueue({
      content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }],
      usage: { input_tokens: 30, output_tokens: 12 },
    });
    const message = await client.messages.create({
      model: 'claude',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(upstreamBody()['tools']).toEqual([WEATHER_TOOL]);
    expect(upstreamBody()['tool_choice']).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it(`${CELL}: tool use, streamed: text then tool_use with input_json_delta pieces`, async () => {
    mock.enqueue({
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    const stream = client.messages.stream({
      model: 'claude',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
    const jsonPieces: string[] = [];
    stream.on('inputJson', (piece) => {
      jsonPieces.push(piece);
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(jsonPieces.length).toBeGreaterThan(1);
    expect(jsonPieces.join('')).toBe('{"city":"Paris"}');
  });

  it(`${CELL}: a tool conversation reaches Anthropic as tool_use and tool_result blocks`, async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'It is 18C.' }] });
    const message = await client.messages.create({
      model: 'claude',
      max_tokens: 300,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: '18C' },
            { type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: 'station offline' }], is_error: true },
            { type: 'text', text: 'Summarize.' },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'It is 18C.' }]);
    expect(upstreamBody()['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_a', content: [{ type: 'text', text: '18C' }] },
          { type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: 'station offline' }], is_error: true },
          { type: 'text', text: 'Summarize.' },
        ],
      },
    ]);
  });

  it(`${CELL}: images and PDF documents reach Anthropic unchanged`, async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'A pixel and a PDF.' }] });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF').toString('base64');
    await client.messages.create({
      model: 'claude',
      max_tokens: 300,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'Spec' },
            { type: 'text', text: 'Describe.' },
          ],
        },
      ],
    });
    expect(upstreamBody()['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, title: 'Spec' },
          { type: 'text', text: 'Describe.' },
        ],
      },
    ]);
  });

  it(`${CELL}: top-level cache_control lands on the last cacheable block`, async () => {
    mock.enqueue({ content: [{ type: 'text', text: 'ok' }] });
    await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      cache_control: { type: 'ephemeral', ttl: '1h' },
      system: 'Long instructions.',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'reply' },
        { role: 'user', content: 'second' },
      ],
    });
    expect(upstreamBody()['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
      { role: 'user', content: [{ type: 'text', text: 'second', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
    ]);
  });

  it(`${CELL}: thinking, not streamed: budget goes up, thinking and its signature come back`, async () => {
    mock.enqueue({ capture: 'anthropic-clear-thinking.1' });
    const message = await client.messages.create({
      model: 'claude',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'What is 925 / 5?' }],
    });
    expect(upstreamBody()['thinking']).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(upstreamBody()['max_tokens']).toBe(4000);
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: '925 divided by 5 = 185' });
    expect((message.content[0] as Anthropic.ThinkingBlock).signature).toMatch(/^Er4BCkYICxgCKkCoxq/);
    expect(message.content[1]).toEqual({ type: 'text', text: '925 ÷ 5 = 185' });
    expect(message.usage).toMatchObject({ input_tokens: 69, output_tokens: 33 });
  });

  it(`${CELL}: thinking, streamed: thinking_delta and signature_delta, then the signed block goes back next turn`, async () => {
    mock.enqueue({
      content: [
        { type: 'thinking', thinking: 'Add the numbers carefully.', signature: 'sig-round-trip-1' },
        { type: 'text', text: '4' },
      ],
    });
    const stream = client.messages.stream({
      model: 'claude',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: '2+2?' }],
    });
    let thinking = '';
    let signature = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    stream.on('signature', (value) => {
      signature = value;
    });
    const final = await stream.finalMessage();
    expect(thinking).toBe('Add the numbers carefully.');
    expect(signature).toBe('sig-round-trip-1');
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Add the numbers carefully.', signature: 'sig-round-trip-1' },
      { type: 'text', text: '4' },
    ]);

    mock.enqueue({ content: [{ type: 'text', text: 'Because 2 and 2 make 4.' }] });
    await client.messages.create({
      model: 'claude',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: final.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: 'Why?' },
      ],
    });
    const sent = upstreamBody()['messages'] as Array<{ role: string; content: unknown[] }>;
    expect(sent[1]?.content).toEqual([
      { type: 'thinking', thinking: 'Add the numbers carefully.', signature: 'sig-round-trip-1' },
      { type: 'text', text: '4' },
    ]);
  });

  it(`${CELL}: usage with prompt-cache counters is carried over exactly, streamed and not`, async () => {
    const usage = { input_tokens: 20, output_tokens: 15, cache_read_input_tokens: 400, cache_creation_input_tokens: 60 };
    mock.enqueue({ content: [{ type: 'text', text: 'Cached.' }], usage }, { content: [{ type: 'text', text: 'Cached.' }], usage });
    const message = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.usage).toEqual(usage);
    const final = await client.messages
      .stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(final.usage).toMatchObject(usage);
  });

  it(`${CELL}: stop sequences and refusals keep their stop reasons`, async () => {
    mock.enqueue(
      { content: [{ type: 'text', text: 'Up to here' }], stopReason: 'stop_sequence', stopSequence: '###' },
      { capture: 'anthropic-refusal' },
    );
    const stopped = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      stop_sequences: ['###'],
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe('###');
    const refused = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'bad' }] });
    expect(refused.stop_reason).toBe('refusal');
    expect(refused.content).toEqual([]);
  });

  it(`${CELL}: an upstream 400 comes back as Anthropic's invalid_request_error with its message`, async () => {
    mock.enqueue({
      error: { status: 400, type: 'invalid_request_error', message: 'messages.0.content.0.text: text content blocks must be non-empty' },
    });
    const error = await client.messages
      .create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const api = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(api.status).toBe(400);
    expect(api.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(api.message).toContain('text content blocks must be non-empty');
  });

  it(`${CELL}: a stream that fails after it began ends with event: error, which the SDK raises`, async () => {
    mock.enqueue({
      content: [{ type: 'text', text: 'The beginning of a long answer' }],
      errorAfterEvents: { after: 5, type: 'overloaded_error', message: 'Overloaded' },
    });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'go' }] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect((error as Error).message).toContain('Overloaded');
  });
});
