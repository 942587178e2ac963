// How the Responses front door refuses, fails and ends short, through the running gateway:
// every error in OpenAI's error shape with the right status and the field named; answers cut by
// max_output_tokens or a content filter are `incomplete`; a refusal is a refusal part; a stream
// that breaks after it began ends with an `error` event and `response.failed`.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { APIError } from 'openai';
import { APP_KEY, startResponsesTestBed, type ResponsesTestBed } from './responses-backend-drivers.js';
import { parseResponsesSse, responsesSchemaErrors, streamSchemaErrors } from './responses-schema-validator.js';

let bed: ResponsesTestBed;
let client: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  client = new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey: APP_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});
beforeEach(() => {
  bed.openai.reset();
  bed.anthropic.reset();
});

async function post(body: unknown, key = APP_KEY): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const response = await fetch(`${bed.gateway.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

describe('responses front door: requests refused in OpenAI error shape, naming the field', () => {
  const cases: Array<[string, Record<string, unknown>, number, string | null, RegExp]> = [
    ['a missing model', { input: 'x' }, 400, 'model', /Missing required parameter: 'model'/],
    [
      'a built-in tool',
      { model: 'resp-mock', input: 'x', tools: [{ type: 'web_search' }] },
      400,
      'tools[0].type',
      /built-in tool "web_search"/,
    ],
    ['background mode', { model: 'resp-mock', input: 'x', background: true }, 400, 'background', /background responses are not supported/],
    [
      'an image by file id',
      { model: 'resp-mock', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-abc', detail: 'auto' }] }] },
      400,
      'input[0].content[0].file_id',
      /file stored at OpenAI/,
    ],
    [
      'an item reference',
      { model: 'resp-mock', input: [{ type: 'item_reference', id: 'msg_1' }] },
      400,
      'input[0].type',
      /item_reference is not supported/,
    ],
    [
      "OpenAI's encrypted reasoning",
      { model: 'resp-mock', input: [{ type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAAB' }] },
      400,
      'input[0].encrypted_content',
      /not issued by this gateway/,
    ],
    ['an unknown model', { model: 'no-such-model', input: 'x' }, 404, 'model', /no-such-model/],
  ];
  it.each(cases)('%s', async (_name, body, status, param, message) => {
    const answer = await post(body);
    expect(answer.status).toBe(status);
    expect(responsesSchemaErrors('ErrorResponse', answer.body)).toEqual([]);
    const error = (answer.body as { error: { message: string; param: string | null } }).error;
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('an unknown virtual key: 401', async () => {
    const answer = await post({ model: 'resp-mock', input: 'x' }, 'sk-sy-notAKnownKey0123456789abcdefghijklmn');
    expect(answer.status).toBe(401);
    expect(responsesSchemaErrors('ErrorResponse', answer.body)).toEqual([]);
  });

  it('an upstream 400 passes through with its message and param, through the SDK', async () => {
    bed.openai.script({
      error: { status: 400, message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature' },
    });
    const error = await client.responses.create({ model: 'resp-openai', input: 'hi', temperature: 1.9 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as APIError).message).toContain("Invalid value for 'temperature'");
  });
});

describe('responses front door: answers that end short', () => {
  it('max_output_tokens reached: incomplete, with the reason', async () => {
    bed.openai.script({ content: 'Once upon a time', finishReason: 'length' });
    const response = await client.responses.create({ model: 'resp-openai', input: 'A long story please', max_output_tokens: 16 });
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      completed_at: null,
      output_text: 'Once upon a time',
    });
    expect(response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(responsesSchemaErrors('Response', response)).toEqual([]);
  });

  it('max_output_tokens reached while streaming: response.incomplete ends the stream', async () => {
    bed.openai.script({ content: 'Once upon a time', finishReason: 'length' });
    const answer = await post({ model: 'resp-openai', input: 'A long story please', stream: true });
    const frames = parseResponsesSse(answer.text);
    expect(streamSchemaErrors(frames)).toEqual([]);
    expect(frames.at(-1)?.data).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  it('a content filter: incomplete, with the reason', async () => {
    bed.openai.script({ content: '', finishReason: 'content_filter' });
    const response = await client.responses.create({ model: 'resp-openai', input: 'x' });
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } });
  });

  it("a model's refusal is a refusal part, streamed or not", async () => {
    bed.anthropic.enqueue({ content: [], stopReason: 'refusal' }, { content: [], stopReason: 'refusal' });
    const response = await client.responses.create({ model: 'resp-anthropic', input: 'something harmful' });
    expect(response.status).toBe('completed');
    expect(response.output).toMatchObject([{ type: 'message', content: [{ type: 'refusal', refusal: 'The model declined to respond.' }] }]);
    const stream = client.responses.stream({ model: 'resp-anthropic', input: 'something harmful' });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.refusal.done');
    expect((await stream.finalResponse()).output).toMatchObject([{ type: 'message', content: [{ type: 'refusal' }] }]);
  });
});

describe('responses front door: a stream that breaks after it began', () => {
  // Paced chunks, so the first ones reach the caller before the failure (before that, the
  // gateway may still retry, and would answer with an ordinary error status).
  const breakingReply = { chunkDelayMs: 60, errorAfterChunks: { after: 3, message: 'The server had an error', type: 'server_error' } };

  it('ends with an error event, then response.failed with the partial output', async () => {
    bed.openai.script(breakingReply);
    const answer = await post({ model: 'resp-openai', input: 'a longer message to stream', stream: true });
    expect(answer.status).toBe(200);
    const frames = parseResponsesSse(answer.text);
    expect(streamSchemaErrors(frames)).toEqual([]);
    const types = frames.map((frame) => frame.data.type);
    expect(types.slice(-2)).toEqual(['error', 'response.failed']);
    expect(types).toContain('response.output_text.delta');
    expect(types).not.toContain('response.completed');
    expect(frames.at(-2)?.data).toMatchObject({
      type: 'error',
      code: 'upstream_stream_failed',
      message: expect.stringContaining('The server had an error') as unknown,
    });
    expect(frames.at(-1)?.data).toMatchObject({
      response: { status: 'failed', error: { code: 'server_error' }, output: [{ type: 'message', status: 'incomplete' }] },
    });
    expect(bed.openai.chatRequests).toHaveLength(1);
  });

  it('the SDK throws an APIError carrying the message', async () => {
    bed.openai.script(breakingReply);
    const stream = await client.responses.create({ model: 'resp-openai', input: 'a longer message to stream', stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('The server had an error');
    expect(seen).toContain('response.output_text.delta');
  });
});
