// The official Anthropic SDK -> the running gateway's Anthropic front door -> an `openai`
// backend served by the OpenAI mock. Anthropic in, Chat Completions upstream, Anthropic out.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type Anthropic from '@anthropic-ai/sdk';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { anthropicClient, documents, PNG_1X1, route, secret, virtualKey, WEATHER_TOOL } from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x openai provider';
const TIME_TOOL = {
  name: 'get_time',
  description: 'Local time',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
};

let mock: OpenAIMockServer;
let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  mock = await startOpenAIMockServer();
  const backend = {
    name: 'openai-main',
    provider: 'openai',
    model: 'gpt-upstream',
    baseURL: `${mock.url}/v1`,
    credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
  };
  gateway = await startGateway({
    manifests: {
      'openai.yaml': documents(
        secret('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        ...virtualKey(),
        route('gpt', [backend], { retry: { attempts: 1 } }),
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
  const body = mock.chatRequests[mock.chatRequests.length - 1];
  if (body === undefined) throw new Error('OpenAI received no request');
  return body;
}

describe(CELL, () => {
  it(`${CELL}: text: system, parameters and user reach OpenAI; the answer and usage come back in Anthropic's shape`, async () => {
    const message = await client.messages.create({
      model: 'gpt',
      max_tokens: 300,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello' }],
      stop_sequences: ['###'],
      metadata: { user_id: 'end-user-7' },
    });
    expect(message.model).toBe('gpt');
    expect(message.id).toMatch(/^msg_chatcmpl-mock/);
    expect(message.content).toEqual([{ type: 'text', text: 'mock:gpt-upstream: hello' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toEqual({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(upstreamBody()).toMatchObject({
      model: 'gpt-upstream',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
      max_completion_tokens: 300,
      stop: ['###'],
      user: 'end-user-7',
    });
  });

  it(`${CELL}: usage: OpenAI's cached prompt tokens become cache_read_input_tokens, input_tokens the rest`, async () => {
    mock.script({ content: 'cached answer', usage: { prompt_tokens: 1000, completion_tokens: 20, cached_tokens: 600 } });
    const message = await client.messages.create({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.usage).toEqual({ input_tokens: 400, output_tokens: 20, cache_read_input_tokens: 600, cache_creation_input_tokens: 0 });
  });

  it(`${CELL}: streaming with client.messages.stream: text and exact usage`, async () => {
    mock.script({ content: 'streamed words here', usage: { prompt_tokens: 33, completion_tokens: 7 } });
    const stream = client.messages.stream({ model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('streamed words here');
    expect(final.content).toEqual([{ type: 'text', text: 'streamed words here' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 33, output_tokens: 7 });
    expect(upstreamBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it(`${CELL}: streaming with create({stream: true}): the event sequence`, async () => {
    const stream = await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello there' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(types.filter((t) => t !== 'ping' && t !== 'content_block_delta')).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toBe('mock:gpt-upstream: hello there');
  });

  it(`${CELL}: tool use, not streamed: OpenAI tool_calls become tool_use blocks; tools and choice reach OpenAI`, async () => {
    const message = await client.messages.create({
      model: 'gpt',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Paris' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'tool_use', id: expect.stringMatching(/^call_mock_/), name: 'get_weather', input: { input: 'Paris' } },
    ]);
    expect(upstreamBody()).toMatchObject({
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_TOOL.input_schema } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it(`${CELL}: tool use, streamed: two parallel calls become two tool_use blocks`, async () => {
    const stream = client.messages.stream({
      model: 'gpt',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Oslo' }],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'tool_use', id: expect.stringMatching(/^call_mock_/), name: 'get_weather', input: { input: 'Oslo' } },
      { type: 'tool_use', id: expect.stringMatching(/^call_mock_/), name: 'get_time', input: { input: 'Oslo' } },
    ]);
  });

  it(`${CELL}: a tool conversation reaches OpenAI as tool_calls and tool messages`, async () => {
    const message = await client.messages.create({
      model: 'gpt',
      max_tokens: 300,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C and sunny' }] },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'mock:gpt-upstream: 18C and sunny' }]);
    const messages = upstreamBody()['messages'] as Array<Record<string, unknown>>;
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'toolu_1', content: '18C and sunny' });
  });

  it(`${CELL}: images become image_url parts (base64 as a data URL)`, async () => {
    await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'Describe.' },
          ],
        },
      ],
    });
    const messages = upstreamBody()['messages'] as Array<{ content: unknown }>;
    expect(messages[0]?.content).toEqual([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1X1}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'Describe.' },
    ]);
  });

  it(`${CELL}: thinking: the budget becomes reasoning_effort; reasoning comes back as thinking blocks`, async () => {
    mock.script(
      {
        content: 'The answer is 4.',
        reasoning: 'Two plus two.',
        usage: { prompt_tokens: 12, completion_tokens: 40, reasoning_tokens: 30 },
      },
      { content: 'Four.', reasoning: 'Adding up again.', usage: { prompt_tokens: 12, completion_tokens: 40, reasoning_tokens: 30 } },
    );
    const message = await client.messages.create({
      model: 'gpt',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: '2+2?' }],
    });
    expect(upstreamBody()['reasoning_effort']).toBe('low');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two plus two.', signature: '' },
      { type: 'text', text: 'The answer is 4.' },
    ]);
    expect(message.usage.output_tokens).toBe(40);

    const stream = client.messages.stream({
      model: 'gpt',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: '2+2?' }],
    });
    let thinking = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    const final = await stream.finalMessage();
    expect(thinking).toBe('Adding up again.');
    expect(final.content.map((block) => block.type)).toEqual(['thinking', 'text']);
  });

  it(`${CELL}: output_config: a JSON schema format becomes response_format, adaptive thinking an effort`, async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const params = {
      model: 'gpt',
      max_tokens: 300,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high', format: { type: 'json_schema', schema } },
      messages: [{ role: 'user', content: 'Answer in JSON.' }],
    };
    const message = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming);
    expect(upstreamBody()).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema } },
      reasoning_effort: 'high',
    });
    expect(message.content).toEqual([{ type: 'text', text: JSON.stringify({ reply: 'mock:gpt-upstream: Answer in JSON.' }) }]);
  });

  it(`${CELL}: an unsigned thinking block sent back is not forwarded as a signature`, async () => {
    await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      messages: [
        { role: 'user', content: '2+2?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two plus two.', signature: '' },
            { type: 'text', text: '4' },
          ],
        },
        { role: 'user', content: 'Sure?' },
      ],
    });
    const messages = upstreamBody()['messages'] as Array<Record<string, unknown>>;
    expect(messages[1]).toMatchObject({ role: 'assistant', content: '4' });
    expect(JSON.stringify(messages)).not.toContain('signature');
  });
});
