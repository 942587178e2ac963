// POST /anthropic/v1/messages/count_tokens: the gateway's documented estimate (table-driven) and
// the endpoint as the official SDK's `client.messages.countTokens` sees it.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import {
  BYTES_PER_TOKEN,
  estimateInputTokens,
  IMAGE_TOKENS,
  PDF_PAGE_TOKENS,
  pdfPageCount,
} from '../../../src/unified/estimate-input-tokens.js';
import { decodeAnthropicMessagesRequest } from '../../../src/wire/anthropic-messages/decode-anthropic-messages-request.js';
import { startAnthropicExtrasServer, type AnthropicExtrasServer } from './anthropic-extras-server.js';
import { documents, FRONT_DOOR_KEY, PNG_1X1, route, virtualKey, WEATHER_TOOL } from './anthropic-sdk-support.js';

/** The texts' UTF-8 bytes together, one token per BYTES_PER_TOKEN, rounded up once. */
const text = (...texts: string[]): number => Math.ceil(texts.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0) / BYTES_PER_TOKEN);
const pdf = (pages: number): string =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Pages /Count ${pages} >> endobj\n${'2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n'.repeat(pages)}%%EOF`,
  ).toString('base64');

function estimate(body: Record<string, unknown>): number {
  return estimateInputTokens(decodeAnthropicMessagesRequest({ model: 'm', ...body }, { countTokens: true }));
}

describe('anthropic count_tokens: the estimate', () => {
  const user = (content: unknown): Record<string, unknown> => ({ role: 'user', content });
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['one short message', { messages: [user('hello')] }, text('hello')],
    [
      'the system prompt counts like a message, with no framing',
      { system: 'Be brief.', messages: [user('hello')] },
      text('Be brief.', 'hello'),
    ],
    ['multi-byte text counts its UTF-8 bytes', { messages: [user('日本語のテキスト')] }, 6],
    [
      'an image counts the shared image charge',
      {
        messages: [
          user([
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
            { type: 'text', text: 'what?' },
          ]),
        ],
      },
      IMAGE_TOKENS + text('what?'),
    ],
    [
      'a base64 PDF counts per page',
      { messages: [user([{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf(3) } }])] },
      3 * PDF_PAGE_TOKENS,
    ],
    [
      'a PDF by URL counts one page',
      { messages: [user([{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } }])] },
      PDF_PAGE_TOKENS,
    ],
    [
      'a text document counts its text',
      { messages: [user([{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'abcdef' } }])] },
      2,
    ],
    [
      'tools count their definitions as JSON',
      { messages: [user('hi')], tools: [WEATHER_TOOL] },
      text('hi', JSON.stringify({ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.input_schema })),
    ],
    [
      'tool calls and results count their text',
      {
        messages: [
          user('go'),
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'calc', input: { x: 1 } }] },
          user([{ type: 'tool_result', tool_use_id: 't1', content: 'two' }]),
        ],
      },
      text('go', 'calc', '{"x":1}', 'two'),
    ],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(estimate(body)).toBe(expected);
  });

  it('counts PDF pages from page objects, not the page tree', () => {
    expect(pdfPageCount(pdf(1))).toBe(1);
    expect(pdfPageCount(pdf(5))).toBe(5);
    expect(pdfPageCount(Buffer.from('not a pdf').toString('base64'))).toBe(1);
  });
});

describe('anthropic count_tokens: the endpoint through the official SDK', () => {
  let server: AnthropicExtrasServer;
  let client: Anthropic;
  const LIMITED_KEY = 'sk-sy-AnthropicCountTokensLimited0123456789ab';

  beforeAll(async () => {
    server = await startAnthropicExtrasServer(
      documents(
        ...virtualKey(),
        ...virtualKey('limited', LIMITED_KEY, ['claude']),
        route('claude', [{ name: 'm1', provider: 'mock', model: 'x' }]),
        route('secret-model', [{ name: 'm2', provider: 'mock', model: 'x' }]),
      ),
    );
    client = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: FRONT_DOOR_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('returns {input_tokens} for a request without max_tokens', async () => {
    const counted = await client.messages.countTokens({
      model: 'claude',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(counted).toEqual({ input_tokens: text('Be brief.', 'hello') });
  });

  it("401 without a valid key, in Anthropic's error shape", async () => {
    const error = await new Anthropic({
      baseURL: `${server.url}/anthropic`,
      apiKey: 'sk-sy-wrong0123456789abcdefghijklmnopqrstu',
      maxRetries: 0,
    }).messages
      .countTokens({ model: 'claude', messages: [{ role: 'user', content: 'hello' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });

  it('404 for an unknown model and 403 for a model the key may not use', async () => {
    const missing = await client.messages
      .countTokens({ model: 'nope', messages: [{ role: 'user', content: 'hello' }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    const limited = new Anthropic({ baseURL: `${server.url}/anthropic`, apiKey: LIMITED_KEY, maxRetries: 0 });
    const denied = await limited.messages
      .countTokens({ model: 'secret-model', messages: [{ role: 'user', content: 'hello' }] })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });

  it('400 naming the field for a bad body', async () => {
    const error = await client.messages.countTokens({ model: 'claude', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('messages: List should have at least 1 item');
  });

  it('GET on the count_tokens path is refused', async () => {
    const response = await fetch(`${server.url}/anthropic/v1/messages/count_tokens`, { headers: { 'x-api-key': FRONT_DOOR_KEY } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});
