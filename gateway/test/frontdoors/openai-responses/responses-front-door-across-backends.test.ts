// The official OpenAI SDK's Responses API (`client.responses.create`, `client.responses.stream`)
// -> the running gateway's `POST /v1/responses` -> every backend family in the tree. One table:
// each cell is named `responses front door x <backend>: <behaviour>`. What the caller sees is
// checked against OpenAI's published schemas; what the upstream received is checked in the
// provider's own request body.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { APP_KEY, BACKENDS, startResponsesTestBed, type BackendDriver, type ResponsesTestBed } from './responses-backend-drivers.js';
import { responsesSchemaErrors } from './responses-schema-validator.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const TOOL_OUTPUT = '18 degrees and sunny';

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};
const forceWeather: OpenAI.Responses.ToolChoiceFunction = { type: 'function', name: 'get_weather' };

let bed: ResponsesTestBed;
let client: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  client = new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey: APP_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

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

function expectConforms(response: unknown): void {
  expect(responsesSchemaErrors('Response', response)).toEqual([]);
}

function expectEventsConform(events: Array<{ type: string; sequence_number: number }>): void {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
  for (const event of events) expect(responsesSchemaErrors('ResponseStreamEvent', event)).toEqual([]);
  expect(events.slice(0, 2).map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
}

function functionCalls(response: OpenAI.Responses.Response): OpenAI.Responses.ResponseFunctionToolCall[] {
  return response.output.filter((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
}

describe.each(BACKENDS)('responses front door x %s:', (label) => {
  let driver: BackendDriver;
  beforeEach(() => {
    driver = bed.driver(label);
    driver.reset();
  });
  const lastUpstream = (): string | undefined => driver.upstreamBodies().at(-1);
  const hasUpstream = label !== 'mock provider';

  it('text', async () => {
    const question = 'What is the capital of France?';
    const script = driver.replyText(question, ['Answer in one word.', question]);
    const { data, response } = await client.responses
      .create({
        model: driver.model,
        instructions: 'Answer in one word.',
        input: question,
        metadata: { cell: 'text' },
        max_output_tokens: 300,
      })
      .withResponse();
    expect(data.output_text).toBe(script.text);
    expect(data).toMatchObject({
      object: 'response',
      status: 'completed',
      model: driver.model,
      instructions: 'Answer in one word.',
      metadata: { cell: 'text' },
      max_output_tokens: 300,
      error: null,
    });
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(data.usage).toEqual(script.usage);
    expect(response.headers.get('x-switchyard-backend')).toBe(`${driver.model}-backend`);
    expectConforms(data);
    if (hasUpstream) {
      expectInOrder(lastUpstream(), ['Answer in one word.']);
      expectInOrder(lastUpstream(), [question]);
    }
  });

  it('streaming text (stream: true)', async () => {
    const question = 'Tell me a short story about a lighthouse.';
    const script = driver.replyText(question, [question]);
    const stream = await client.responses.create({ model: driver.model, input: question, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expectEventsConform(events);
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.join('')).toBe(script.text);
    const last = events.at(-1);
    expect(last?.type).toBe('response.completed');
    if (last?.type !== 'response.completed') return;
    expect(last.response.usage).toEqual(script.usage);
    expect(last.response.model).toBe(driver.model);
    expect(last.response.output).toMatchObject([
      { type: 'message', status: 'completed', content: [{ type: 'output_text', text: script.text }] },
    ]);
  });

  it('function call', async () => {
    const call = driver.replyToolCall('get_weather');
    const data = await client.responses.create({
      model: driver.model,
      input: 'Weather in Paris?',
      tools: [weatherTool],
      tool_choice: forceWeather,
    });
    expectConforms(data);
    expect(data.status).toBe('completed');
    const [fc, ...more] = functionCalls(data);
    expect(more).toEqual([]);
    expect(fc).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: call.arguments, status: 'completed' });
    expect(fc?.id).toMatch(/^fc_/);
    if (call.callId !== undefined) expect(fc?.call_id).toBe(call.callId);
    else expect(fc?.call_id).not.toBe('');
    expect(data.tools).toEqual([weatherTool]);
    expect(data.tool_choice).toEqual(forceWeather);
    if (hasUpstream) {
      expectInOrder(lastUpstream(), ['Weather in Paris?']);
      expectInOrder(lastUpstream(), ['get_weather', 'city']);
    }
  });

  it('streaming function call (responses.stream)', async () => {
    const call = driver.replyToolCall('get_weather');
    const stream = client.responses.stream({
      model: driver.model,
      input: 'Weather in Paris?',
      tools: [weatherTool],
      tool_choice: forceWeather,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expectEventsConform(events);
    const done = events.find((event) => event.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ name: 'get_weather', arguments: call.arguments });
    const [fc] = functionCalls(final);
    expect(fc).toMatchObject({ name: 'get_weather', arguments: call.arguments, status: 'completed' });
    if (call.callId !== undefined) expect(fc?.call_id).toBe(call.callId);
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it('function call output sent back as history', async () => {
    const question = 'Weather in Paris?';
    const script = driver.replyText(question, [question, 'get_weather{"city":"Paris"}', TOOL_OUTPUT]);
    const data = await client.responses.create({
      model: driver.model,
      tools: [weatherTool],
      input: [
        { role: 'user', content: question },
        { type: 'function_call', call_id: 'call_history_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_history_1', output: TOOL_OUTPUT },
      ],
    });
    expect(data.output_text).toBe(script.text);
    expect(data.usage).toEqual(script.usage);
    if (hasUpstream) expectInOrder(lastUpstream(), [question, 'get_weather', 'Paris', TOOL_OUTPUT]);
  });

  it('image input', async () => {
    const prompt = 'Describe this image.';
    const script = driver.replyText(prompt, [prompt]);
    const data = await client.responses.create({
      model: driver.model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: prompt },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' },
          ],
        },
      ],
    });
    expect(data.output_text).toBe(script.text);
    if (hasUpstream) expectInOrder(lastUpstream(), [prompt, PNG]);
  });

  it('previous_response_id continues the conversation upstream', async () => {
    const first = driver.replyText('My name is Ada.', ['Be brief.', 'My name is Ada.']);
    const one = await client.responses.create({ model: driver.model, instructions: 'Be brief.', input: 'My name is Ada.' });
    expect(one.output_text).toBe(first.text);
    const second = driver.replyText('What is my name?', ['Be formal.', 'My name is Ada.', first.text, 'What is my name?']);
    const two = await client.responses.create({
      model: driver.model,
      instructions: 'Be formal.',
      input: 'What is my name?',
      previous_response_id: one.id,
    });
    expect(two.output_text).toBe(second.text);
    expect(two.previous_response_id).toBe(one.id);
    // The mock provider counts every prompt character: the history reached it.
    expect(two.usage).toEqual(second.usage);
    expectConforms(two);
    if (hasUpstream) {
      expectInOrder(lastUpstream(), ['My name is Ada.', first.text, 'What is my name?']);
      expectInOrder(lastUpstream(), ['Be formal.']);
      expect(lastUpstream()).not.toContain('Be brief.');
    }
  });

  it('previous_response_id after a streamed function call carries the call to the tool answer', async () => {
    const call = driver.replyToolCall('get_weather');
    const stream = client.responses.stream({
      model: driver.model,
      input: 'Weather in Paris?',
      tools: [weatherTool],
      tool_choice: forceWeather,
    });
    const first = await stream.finalResponse();
    const [fc] = functionCalls(first);
    if (fc === undefined) throw new Error('no function call in the first response');
    const script = driver.replyText('Weather in Paris?', ['Weather in Paris?', `get_weather${call.arguments}`, TOOL_OUTPUT]);
    const second = await client.responses.create({
      model: driver.model,
      tools: [weatherTool],
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: fc.call_id, output: TOOL_OUTPUT }],
    });
    expect(second.output_text).toBe(script.text);
    expect(second.usage).toEqual(script.usage);
    if (hasUpstream) expectInOrder(lastUpstream(), ['Weather in Paris?', 'get_weather', 'Paris', TOOL_OUTPUT]);
  });
});
