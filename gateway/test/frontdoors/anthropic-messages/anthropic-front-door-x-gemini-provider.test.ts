// The official Anthropic SDK -> the running gateway's Anthropic front door -> a `gemini` backend
// served by the Gemini mock (recorded captures and built answers).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type Anthropic from '@anthropic-ai/sdk';
import { functionCallReply, startGeminiMockServer, textReply, type GeminiMockServer } from '../../mocks/gemini-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { anthropicClient, documents, PNG_1X1, route, secret, virtualKey, WEATHER_TOOL } from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x gemini provider';
const GEMINI_KEY = 'test-gemini-key';
const ANSWER = "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.";

let gemini: GeminiMockServer;
let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  gemini = await startGeminiMockServer({ apiKey: GEMINI_KEY });
  const backend = (model: string): Record<string, unknown> => ({
    name: `gemini-${model.replaceAll('.', '-')}`,
    provider: 'gemini',
    model,
    baseURL: gemini.url,
    credentials: [{ secretRef: { name: 'gemini', key: 'apiKey' } }],
  });
  gateway = await startGateway({
    manifests: {
      'gemini.yaml': documents(
        secret('gemini', { apiKey: GEMINI_KEY }),
        ...virtualKey(),
        route('gemini-flash', [backend('gemini-2.5-flash')], { retry: { attempts: 1 } }),
        route('gemini-pro', [backend('gemini-3-pro-preview')], { retry: { attempts: 1 } }),
      ),
    },
  });
  client = anthropicClient(gateway);
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await gemini?.close();
});
beforeEach(() => gemini.reset());

function callBody(index: number): Record<string, unknown> {
  const call = gemini.calls[index];
  if (call === undefined) throw new Error(`Gemini received no call #${index}`);
  return call.body as Record<string, unknown>;
}

describe(CELL, () => {
  it(`${CELL}: text: system and user reach Gemini; the answer and exact usage come back`, async () => {
    gemini.enqueue({ capture: 'google-text' });
    const message = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      system: 'Be exact.',
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
      stop_sequences: ['###'],
    });
    expect(message.model).toBe('gemini-flash');
    // Gemini's thought signature travels in a thinking block with no text, so it can go back next turn.
    expect(message.content).toEqual([
      { type: 'thinking', thinking: '', signature: expect.stringMatching(/^EtoFCtcFAb4/) },
      { type: 'text', text: ANSWER },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    // Gemini's candidates (28) + thoughts (244) are all output tokens.
    expect(message.usage).toEqual({ input_tokens: 9, output_tokens: 272, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(gemini.calls[0]).toMatchObject({ model: 'gemini-2.5-flash', method: 'generateContent' });
    expect(callBody(0)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'How many r in strawberry?' }] }],
      systemInstruction: { parts: [{ text: 'Be exact.' }] },
      generationConfig: { maxOutputTokens: 500, stopSequences: ['###'] },
    });
  });

  it(`${CELL}: a Gemini thought signature sent back in the thinking block reaches Gemini on its part`, async () => {
    gemini.enqueue({ capture: 'google-text' }, textReply('Yes.', { promptTokenCount: 30, candidatesTokenCount: 1 }));
    const first = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    const signature = (first.content[0] as Anthropic.ThinkingBlock).signature;
    await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      messages: [
        { role: 'user', content: 'How many r in strawberry?' },
        { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: 'Sure?' },
      ],
    });
    expect(callBody(1)['contents']).toEqual([
      { role: 'user', parts: [{ text: 'How many r in strawberry?' }] },
      { role: 'model', parts: [{ text: ANSWER, thoughtSignature: signature }] },
      { role: 'user', parts: [{ text: 'Sure?' }] },
    ]);
  });

  it(`${CELL}: streaming with client.messages.stream: text and exact usage`, async () => {
    gemini.enqueue({ capture: 'google-text' });
    const stream = client.messages.stream({
      model: 'gemini-flash',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 208 });
    expect(gemini.calls[0]).toMatchObject({ method: 'streamGenerateContent', alt: 'sse' });
  });

  it(`${CELL}: streaming with create({stream: true}): the event sequence`, async () => {
    gemini.enqueue({ capture: 'google-text' });
    const stream = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'q' }],
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    // A signature-only thinking block (Gemini's thought signature), then the text block.
    expect(types.filter((t) => t !== 'ping' && t !== 'content_block_delta')).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it(`${CELL}: tool use, not streamed: a functionCall becomes tool_use; its result goes back to Gemini by name`, async () => {
    gemini.enqueue(functionCallReply('get_weather', { city: 'Paris' }));
    const first = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any' },
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(call.id.length).toBeGreaterThan(0);
    expect(callBody(0)).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    gemini.enqueue(textReply('18C in Paris.', { promptTokenCount: 40, candidatesTokenCount: 5 }));
    const second = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 500,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"tempC":18}' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: '18C in Paris.' }]);
    const contents = callBody(1)['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents[1]?.role).toBe('model');
    expect(contents[1]?.parts[0]).toMatchObject({ functionCall: { name: 'get_weather', args: { city: 'Paris' } } });
    // Anthropic's tool_result carries only the id; the gateway found the name in the earlier tool_use.
    expect(contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { tempC: 18 } } }] });
  });

  it(`${CELL}: tool use, streamed: both streamed calls arrive as tool_use blocks`, async () => {
    gemini.enqueue({ capture: 'google-stream-tool-call-arguments' });
    const stream = client.messages.stream({
      model: 'gemini-pro',
      max_tokens: 500,
      messages: [{ role: 'user', content: 'Weather in Boston and San Francisco?' }],
      tools: [{ ...WEATHER_TOOL, name: 'getWeather' }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const calls = final.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(calls.map((c) => ({ name: c.name, input: c.input }))).toEqual([
      { name: 'getWeather', input: { location: 'Boston' } },
      { name: 'getWeather', input: { location: 'San Francisco' } },
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it(`${CELL}: images: base64 goes inline, a URL as fileData`, async () => {
    gemini.enqueue({ capture: 'google-text' });
    await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/photo.jpg' } },
          ],
        },
      ],
    });
    expect(callBody(0)['contents']).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Compare these.' },
          { inlineData: { mimeType: 'image/png', data: PNG_1X1 } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo.jpg' } },
        ],
      },
    ]);
  });

  it(`${CELL}: thinking: the budget becomes thinkingBudget; thoughts come back as thinking blocks`, async () => {
    gemini.enqueue({
      response: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'Count the letters one by one.', thought: true },
                { text: 'Three.', thoughtSignature: 'gemini-sig-1' },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 3, thoughtsTokenCount: 50, totalTokenCount: 62 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'thinking01',
      },
    });
    const message = await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'How many r in strawberry?' }],
    });
    expect(callBody(0)['generationConfig']).toMatchObject({
      maxOutputTokens: 4000,
      thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
    });
    const thinking = message.content.filter((block) => block.type === 'thinking') as Anthropic.ThinkingBlock[];
    expect(thinking.map((block) => block.thinking).join('')).toBe('Count the letters one by one.');
    expect(message.content.filter((block) => block.type === 'text')).toEqual([{ type: 'text', text: 'Three.' }]);
    expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 53 });
  });

  it(`${CELL}: thinking disabled sends a zero thinking budget`, async () => {
    gemini.enqueue({ capture: 'google-text' });
    await client.messages.create({
      model: 'gemini-flash',
      max_tokens: 100,
      thinking: { type: 'disabled' },
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(callBody(0)['generationConfig']).toEqual({ maxOutputTokens: 100, thinkingConfig: { thinkingBudget: 0 } });
  });
});
