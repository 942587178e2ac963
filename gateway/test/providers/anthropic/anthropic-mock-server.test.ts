// The mock must behave like the real API, or the adapter tests prove nothing: checked here with
// raw fetch (exact framing, refusals) and with the official Anthropic SDK.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { captureAsSse } from './anthropic-test-support.js';

let mock: AnthropicMockServer;
const goodHeaders = { 'x-api-key': ANTHROPIC_MOCK_API_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const goodBody = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

beforeAll(async () => {
  mock = await startAnthropicMockServer();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
});

async function post(body: unknown, headers: Record<string, string> = goodHeaders, path = '/v1/messages'): Promise<Response> {
  return fetch(`${mock.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('Anthropic mock server', () => {
  const refusals: Array<{
    name: string;
    headers: Record<string, string>;
    body: unknown;
    path: string;
    status: number;
    type: string;
    message: string;
  }> = [
    {
      name: 'missing x-api-key',
      headers: { 'anthropic-version': '2023-06-01' },
      body: goodBody,
      path: '/v1/messages',
      status: 401,
      type: 'authentication_error',
      message: 'x-api-key header is required',
    },
    {
      name: 'wrong x-api-key',
      headers: { ...goodHeaders, 'x-api-key': 'nope' },
      body: goodBody,
      path: '/v1/messages',
      status: 401,
      type: 'authentication_error',
      message: 'invalid x-api-key',
    },
    {
      name: 'missing anthropic-version',
      headers: { 'x-api-key': ANTHROPIC_MOCK_API_KEY },
      body: goodBody,
      path: '/v1/messages',
      status: 400,
      type: 'invalid_request_error',
      message: 'anthropic-version: header is required',
    },
    {
      name: 'missing max_tokens',
      headers: goodHeaders,
      body: { model: 'claude-x', messages: [] },
      path: '/v1/messages',
      status: 400,
      type: 'invalid_request_error',
      message: 'max_tokens: Field required',
    },
    {
      name: 'fractional max_tokens',
      headers: goodHeaders,
      body: { ...goodBody, max_tokens: 1.5 },
      path: '/v1/messages',
      status: 400,
      type: 'invalid_request_error',
      message: 'max_tokens: Input should be a valid integer greater than or equal to 1',
    },
    {
      name: 'wrong path',
      headers: goodHeaders,
      body: goodBody,
      path: '/v1/chat/completions',
      status: 404,
      type: 'not_found_error',
      message: 'Not found: POST /v1/chat/completions',
    },
  ];

  it.each(refusals)('refuses $name with $status $type', async ({ headers, body, path, status, type, message }) => {
    const response = await post(body, headers, path);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ type: 'error', error: { type, message }, request_id: expect.stringMatching(/^req_mock_/) });
    expect(mock.messageRequests).toHaveLength(0);
  });

  it('accepts the key as a bearer token too, as the real API does', async () => {
    const response = await post(goodBody, { authorization: `Bearer ${ANTHROPIC_MOCK_API_KEY}`, 'anthropic-version': '2023-06-01' });
    expect(response.status).toBe(200);
  });

  it('streams a capture byte for byte in Anthropic framing', async () => {
    mock.enqueue({ capture: 'anthropic-tool-no-args' });
    const response = await post({ ...goodBody, stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await response.text()).toBe(captureAsSse('anthropic-tool-no-args.chunks.txt'));
  });

  it('replies in queue order, then with the default', async () => {
    mock.enqueue(
      { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' }, retryAfter: '1' },
      { capture: 'anthropic-refusal' },
    );
    const first = await post(goodBody);
    expect(first.status).toBe(529);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(((await (await post(goodBody)).json()) as { stop_reason: string }).stop_reason).toBe('refusal');
    expect(((await (await post(goodBody)).json()) as { id: string }).id).toBe('msg_01VdEjxAP5ahtHKrrRdNBteQ');
  });

  it('delays the answer', async () => {
    mock.enqueue({ capture: 'anthropic-text', delayMs: 150 });
    const started = Date.now();
    await (await post(goodBody)).text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('injects event: error after the given number of events', async () => {
    mock.enqueue({ capture: 'anthropic-text', errorAfterEvents: { after: 2, type: 'overloaded_error', message: 'Overloaded' } });
    const text = await (await post({ ...goodBody, stream: true })).text();
    const frames = text.trim().split('\n\n');
    expect(frames).toHaveLength(3);
    expect(frames[2]).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
  });

  it('serves the official SDK, streamed and not, from built content', async () => {
    const client = new Anthropic({ apiKey: ANTHROPIC_MOCK_API_KEY, baseURL: mock.url, maxRetries: 0 });
    const content = [
      { type: 'thinking', thinking: 'Hmm, weather.', signature: 'sig' },
      { type: 'text', text: 'Checking the weather now.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
    ];
    const usage = { input_tokens: 7, output_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 3 };
    mock.enqueue({ content, usage }, { content, usage });
    const plain = await client.messages.create({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const streamed = await client.messages
      .stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    for (const message of [plain, streamed]) {
      expect(message.stop_reason).toBe('tool_use');
      expect(message.usage).toMatchObject(usage);
      expect(message.content).toEqual([
        { type: 'thinking', thinking: 'Hmm, weather.', signature: 'sig' },
        expect.objectContaining({ type: 'text', text: 'Checking the weather now.' }),
        expect.objectContaining({ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }),
      ]);
    }
  });

  it('the SDK sees a scripted error as Anthropic would send it', async () => {
    const client = new Anthropic({ apiKey: ANTHROPIC_MOCK_API_KEY, baseURL: mock.url, maxRetries: 0 });
    mock.enqueue({ error: { status: 400, type: 'invalid_request_error', message: 'messages: text content blocks must be non-empty' } });
    await expect(
      client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: text content blocks must be non-empty' } },
    });
  });
});
