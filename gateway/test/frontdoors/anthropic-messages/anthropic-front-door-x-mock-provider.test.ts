// The official Anthropic SDK -> the running gateway's Anthropic front door -> the in-process
// `mock` provider. The mock answers deterministically ("Mock reply to: <last user text>", usage
// = ceil(characters / 4)), so every answer and counter is known exactly.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Anthropic from '@anthropic-ai/sdk';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  anthropicClient,
  documents,
  eventNames,
  PNG_1X1,
  postForEvents,
  route,
  virtualKey,
  WEATHER_TOOL,
} from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x mock provider';
const tokens = (text: string): number => Math.ceil(text.length / 4);

let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  gateway = await startGateway({
    manifests: {
      'mock.yaml': documents(...virtualKey(), route('claude-mock', [{ name: 'mock-main', provider: 'mock', model: 'mock-model' }])),
    },
  });
  client = anthropicClient(gateway);
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
});

describe(CELL, () => {
  it(`${CELL}: text answer, public model name, stop reason and exact usage`, async () => {
    const { data, response } = await client.messages
      .create({ model: 'claude-mock', max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.model).toBe('claude-mock');
    expect(data.content).toEqual([{ type: 'text', text: 'Mock reply to: hello' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.stop_sequence).toBeNull();
    expect(data.usage).toEqual({
      input_tokens: tokens('Be brief.hello'),
      output_tokens: tokens('Mock reply to: hello'),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(response.headers.get('x-switchyard-backend')).toBe('mock-main');
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it(`${CELL}: streaming with client.messages.stream: text events and the final message`, async () => {
    const stream = client.messages.stream({
      model: 'claude-mock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'tell me a story' }],
    });
    let streamed = '';
    stream.on('text', (delta) => {
      streamed += delta;
    });
    const final = await stream.finalMessage();
    expect(streamed).toBe('Mock reply to: tell me a story');
    expect(final.content).toEqual([{ type: 'text', text: 'Mock reply to: tell me a story' }]);
    expect(final.model).toBe('claude-mock');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.input_tokens).toBe(tokens('tell me a story'));
    expect(final.usage.output_tokens).toBe(tokens('Mock reply to: tell me a story'));
  });

  it(`${CELL}: streaming with create({stream: true}): Anthropic's event sequence`, async () => {
    const stream = await client.messages.create({
      model: 'claude-mock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'one two' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let stopReason: string | null | undefined;
    let outputTokens: number | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') {
        stopReason = event.delta.stop_reason;
        outputTokens = event.usage.output_tokens;
      }
    }
    expect(types[0]).toBe('message_start');
    expect(types.filter((t) => t !== 'ping' && t !== 'content_block_delta')).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
    expect(text).toBe('Mock reply to: one two');
    expect(stopReason).toBe('end_turn');
    expect(outputTokens).toBe(tokens('Mock reply to: one two'));
  });

  it(`${CELL}: raw SSE framing: event names match data types, message_start first, message_stop last`, async () => {
    const { status, events } = await postForEvents(gateway, {
      model: 'claude-mock',
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(status).toBe(200);
    for (const event of events) expect((event.data as { type: string }).type).toBe(event.event);
    // "Mock reply to: hi" streams as one delta per word.
    const deltas = ['content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_delta'];
    expect(eventNames(events)).toEqual([
      'message_start',
      'content_block_start',
      ...deltas,
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.data as { message: { model: string; role: string; content: unknown[] } };
    expect(start.message).toMatchObject({ model: 'claude-mock', role: 'assistant', content: [] });
  });

  it(`${CELL}: tool use, not streamed: a forced tool comes back as a tool_use block`, async () => {
    const message = await client.messages.create({
      model: 'claude-mock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    expect((message.content[0] as { id: string }).id).toMatch(/^call_/);
  });

  it(`${CELL}: tool use, streamed: tool_use block with input_json_delta, assembled by the SDK`, async () => {
    const stream = client.messages.stream({
      model: 'claude-mock',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any' },
    });
    const jsonDeltas: string[] = [];
    stream.on('inputJson', (delta) => {
      jsonDeltas.push(delta);
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    expect(jsonDeltas.join('')).toBe('{}');
  });

  it(`${CELL}: tool results go back in: a tool_result turn is answered`, async () => {
    const message = await client.messages.create({
      model: 'claude-mock',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }] },
      ],
    });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toEqual([{ type: 'text', text: 'Mock reply to: Weather in Paris?' }]);
  });

  it(`${CELL}: images are accepted`, async () => {
    const message = await client.messages.create({
      model: 'claude-mock',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'text', text: 'what is this' },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Mock reply to: what is this' }]);
  });

  it(`${CELL}: an answer cut by max_tokens reports stop_reason max_tokens`, async () => {
    const message = await client.messages.create({
      model: 'claude-mock',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'a long question indeed' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: 'Mock rep' }]);
  });
});
