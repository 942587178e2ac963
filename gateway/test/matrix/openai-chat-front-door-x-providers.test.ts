// The official OpenAI SDK's Chat Completions (`client.chat.completions`) -> the running gateway's
// `POST /v1/chat/completions` -> every provider family in the tree, on one gateway with one route
// per family (the Responses front door's test bed, reused). Each test is one cell of the
// compatibility matrix, named `openai-chat front door x <provider> provider: <feature>`, so a
// failure names the cell that broke and scripts/compatibility-reporter.mjs can file it.
//
// Each provider's next answer is scripted in its own wire format by the test bed's driver; the
// test checks what the caller sees (against OpenAI's published schemas) and, where the provider
// is a real HTTP upstream, what the upstream received.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { isRecord } from '@switchyard/compiler';
import {
  APP_KEY,
  startResponsesTestBed,
  type BackendDriver,
  type BackendLabel,
  type ResponsesTestBed,
  type ResponsesUsage,
} from '../frontdoors/openai-responses/responses-backend-drivers.js';
import { openAISchemaErrors } from '../frontdoors/openai-chat/openai-schema-validator.js';

type ProviderId = 'mock' | 'openai' | 'anthropic' | 'gemini' | 'bedrock';
const PROVIDERS: readonly ProviderId[] = ['mock', 'openai', 'anthropic', 'gemini', 'bedrock'];

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const TOOL_OUTPUT = '18 degrees and sunny';
const CALL_ID = 'call_matrix_weather_1';
const CALL_ARGUMENTS = '{"city":"Paris"}';

const weatherTool: OpenAI.Chat.Completions.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const forceWeather: OpenAI.Chat.Completions.ChatCompletionNamedToolChoice = { type: 'function', function: { name: 'get_weather' } };

/** The Chat Completions usage a caller must see for a scripted answer (the same counts the Responses bed states). */
function chatUsage(usage: ResponsesUsage): OpenAI.CompletionUsage {
  const promptDetails: NonNullable<OpenAI.CompletionUsage['prompt_tokens_details']> & { cache_write_tokens?: number } = {
    cached_tokens: usage.input_tokens_details.cached_tokens,
  };
  // Cache writes have no OpenAI field; the gateway adds one only when there were any.
  if (usage.input_tokens_details.cache_write_tokens > 0) promptDetails.cache_write_tokens = usage.input_tokens_details.cache_write_tokens;
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.output_tokens_details.reasoning_tokens },
  };
}

/**
 * Each text appears in the upstream request, after the one before it. For conversation order
 * only: where a provider puts system text and tools in its body is its own business.
 */
function expectInOrder(body: string | undefined, texts: string[]): void {
  if (body === undefined) throw new Error('the upstream received no request');
  let from = 0;
  for (const text of texts) {
    const at = body.indexOf(text, from);
    if (at < 0) throw new Error(`${JSON.stringify(text)} not found after position ${from} of the upstream request: ${body}`);
    from = at + text.length;
  }
}

/** Whether any object nested in `value` satisfies `predicate`. */
function containsObject(value: unknown, predicate: (candidate: Record<string, unknown>) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => containsObject(item, predicate));
  if (!isRecord(value)) return false;
  return predicate(value) || Object.values(value).some((item) => containsObject(item, predicate));
}

/**
 * How each upstream ties a tool result to the call it answers: by the call id where the wire
 * format has one, by the function name on Gemini's, which has none.
 */
const toolResultLinkedToCall: Record<Exclude<ProviderId, 'mock'>, (candidate: Record<string, unknown>) => boolean> = {
  openai: (m) => m['role'] === 'tool' && m['tool_call_id'] === CALL_ID && m['content'] === TOOL_OUTPUT,
  anthropic: (b) => b['type'] === 'tool_result' && b['tool_use_id'] === CALL_ID && JSON.stringify(b['content']).includes(TOOL_OUTPUT),
  gemini: (p) =>
    isRecord(p['functionResponse']) &&
    p['functionResponse']['name'] === 'get_weather' &&
    JSON.stringify(p['functionResponse']).includes(TOOL_OUTPUT),
  bedrock: (b) =>
    isRecord(b['toolResult']) && b['toolResult']['toolUseId'] === CALL_ID && JSON.stringify(b['toolResult']).includes(TOOL_OUTPUT),
};

function expectChunkConforms(chunk: unknown): void {
  expect(openAISchemaErrors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
}

interface AssembledToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What a streaming caller puts together from the chunks. */
interface AssembledStream {
  text: string;
  finishReason: string | null;
  toolCalls: AssembledToolCall[];
  usage: OpenAI.CompletionUsage | undefined;
  ids: Set<string>;
  models: Set<string>;
}

async function assemble(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<AssembledStream> {
  const assembled: AssembledStream = { text: '', finishReason: null, toolCalls: [], usage: undefined, ids: new Set(), models: new Set() };
  for await (const chunk of stream) {
    expectChunkConforms(chunk);
    assembled.ids.add(chunk.id);
    assembled.models.add(chunk.model);
    if (chunk.usage) assembled.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    assembled.text += choice.delta.content ?? '';
    if (choice.finish_reason !== null) assembled.finishReason = choice.finish_reason;
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (assembled.toolCalls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
    }
  }
  return assembled;
}

let bed: ResponsesTestBed;
let client: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  client = new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey: APP_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

describe.each(PROVIDERS)('openai-chat front door x %s provider', (provider) => {
  const cell = (feature: string): string => `openai-chat front door x ${provider} provider: ${feature}`;
  let driver: BackendDriver;
  beforeEach(() => {
    driver = bed.driver(`${provider} provider` as BackendLabel);
    driver.reset();
  });
  const lastUpstream = (): string | undefined => driver.upstreamBodies().at(-1);
  const hasUpstream = provider !== 'mock';

  it(cell('text'), async () => {
    const question = 'What is the capital of France?';
    const script = driver.replyText(question, ['Answer in one word.', question]);
    const { data, response } = await client.chat.completions
      .create({
        model: driver.model,
        messages: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: question },
        ],
        max_completion_tokens: 300,
      })
      .withResponse();
    expect(openAISchemaErrors('CreateChatCompletionResponse', data)).toEqual([]);
    expect(data).toMatchObject({ object: 'chat.completion', model: driver.model });
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: script.text } });
    expect(data.choices[0]?.message.tool_calls ?? []).toEqual([]);
    expect(response.headers.get('x-switchyard-backend')).toBe(`${driver.model}-backend`);
    if (hasUpstream) {
      expectInOrder(lastUpstream(), ['Answer in one word.']);
      expectInOrder(lastUpstream(), [question]);
    }
  });

  it(cell('streaming'), async () => {
    const question = 'Tell me a short story about a lighthouse.';
    const script = driver.replyText(question, [question]);
    const stream = await client.chat.completions.create({
      model: driver.model,
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    const assembled = await assemble(stream);
    expect(assembled.text).toBe(script.text);
    expect(assembled.finishReason).toBe('stop');
    expect(assembled.toolCalls).toEqual([]);
    // Without stream_options.include_usage the caller gets no usage chunk.
    expect(assembled.usage).toBeUndefined();
    expect(assembled.ids.size).toBe(1);
    expect([...assembled.models]).toEqual([driver.model]);
    if (hasUpstream) expectInOrder(lastUpstream(), [question]);
  });

  it(cell('tool call'), async () => {
    const call = driver.replyToolCall('get_weather');
    const data = await client.chat.completions.create({
      model: driver.model,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: forceWeather,
    });
    expect(openAISchemaErrors('CreateChatCompletionResponse', data)).toEqual([]);
    const choice = data.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: call.arguments } });
    if (call.callId !== undefined) expect(calls[0]?.id).toBe(call.callId);
    else expect(calls[0]?.id).toMatch(/\S/);
    if (hasUpstream) {
      expectInOrder(lastUpstream(), ['Weather in Paris?']);
      expectInOrder(lastUpstream(), ['get_weather', 'city']);
    }
  });

  it(cell('streaming tool call'), async () => {
    const call = driver.replyToolCall('get_weather');
    const stream = await client.chat.completions.create({
      model: driver.model,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: forceWeather,
      stream: true,
    });
    const assembled = await assemble(stream);
    expect(assembled.finishReason).toBe('tool_calls');
    expect(assembled.toolCalls).toHaveLength(1);
    expect(assembled.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: call.arguments });
    if (call.callId !== undefined) expect(assembled.toolCalls[0]?.id).toBe(call.callId);
    else expect(assembled.toolCalls[0]?.id).toMatch(/\S/);
    if (hasUpstream) expectInOrder(lastUpstream(), ['Weather in Paris?']);
  });

  it(cell('tool result round trip'), async () => {
    const question = 'Weather in Paris?';
    const script = driver.replyText(question, [question, `get_weather${CALL_ARGUMENTS}`, TOOL_OUTPUT]);
    const data = await client.chat.completions.create({
      model: driver.model,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: question },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: CALL_ID, type: 'function', function: { name: 'get_weather', arguments: CALL_ARGUMENTS } }],
        },
        { role: 'tool', tool_call_id: CALL_ID, content: TOOL_OUTPUT },
      ],
    });
    expect(data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: script.text } });
    // The mock provider counts every prompt character, the call and its result included.
    // toMatchObject: an openai backend's answer is the upstream's own (the passthrough fast path), usage details included.
    expect(data.usage).toMatchObject(chatUsage(script.usage));
    if (provider !== 'mock') {
      const body = lastUpstream();
      expectInOrder(body, [question, 'get_weather', 'Paris', TOOL_OUTPUT]);
      expect(containsObject(JSON.parse(body ?? 'null') as unknown, toolResultLinkedToCall[provider])).toBe(true);
    }
  });

  it(cell('image input'), async () => {
    const prompt = 'Describe this image.';
    const script = driver.replyText(prompt, [prompt]);
    const data = await client.chat.completions.create({
      model: driver.model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: prompt },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(data.choices[0]?.message.content).toBe(script.text);
    if (hasUpstream) expectInOrder(lastUpstream(), [prompt, PNG]);
  });

  it(cell('usage carried exactly'), async () => {
    const question = 'Count my tokens.';
    const plain = driver.replyText(question, [question]);
    const data = await client.chat.completions.create({ model: driver.model, messages: [{ role: 'user', content: question }] });
    expect(data.usage).toMatchObject(chatUsage(plain.usage));

    const streamed = driver.replyText(question, [question]);
    const stream = await client.chat.completions.create({
      model: driver.model,
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const assembled = await assemble(stream);
    expect(assembled.text).toBe(streamed.text);
    expect(assembled.usage).toMatchObject(chatUsage(streamed.usage));
  });
});
