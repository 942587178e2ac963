// Errors from the running gateway's Anthropic front door, as the official Anthropic SDK sees
// them: Anthropic's body `{type: "error", error: {type, message}}`, Anthropic's error type names,
// the gateway's statuses, and `event: error` for a stream that fails after it began.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from '../../mocks/anthropic-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  anthropicClient,
  documents,
  FRONT_DOOR_KEY,
  postAnthropic,
  postForEvents,
  route,
  secret,
  virtualKey,
} from './anthropic-sdk-support.js';

const CELL = 'anthropic front door x mock provider';
const ANTHROPIC_CELL = 'anthropic front door x anthropic provider';
const LIMITED_KEY = 'sk-sy-AnthropicFrontDoorLimited0123456789abc';
const MAX_BODY_BYTES = 64 * 1024;

let anthropicMock: AnthropicMockServer;
let gateway: GatewayProcess;
let client: Anthropic;

beforeAll(async () => {
  anthropicMock = await startAnthropicMockServer();
  gateway = await startGateway({
    args: ['--max-body-bytes', String(MAX_BODY_BYTES)],
    manifests: {
      'errors.yaml': documents(
        ...virtualKey(),
        ...virtualKey('limited', LIMITED_KEY, ['claude-mock']),
        secret('anthropic', { apiKey: ANTHROPIC_MOCK_API_KEY }),
        route('claude-mock', [{ name: 'mock-main', provider: 'mock', model: 'mock-model' }]),
        route('claude-other', [{ name: 'mock-other', provider: 'mock', model: 'mock-model' }]),
        route('claude-broken', [{ name: 'mock-broken', provider: 'mock', model: 'mock-model', mock: { failureRate: '1' } }], {
          retry: { attempts: 1 },
        }),
        route(
          'claude',
          [
            {
              name: 'claude-main',
              provider: 'anthropic',
              model: 'claude-sonnet-4-5',
              baseURL: anthropicMock.url,
              credentials: [{ secretRef: { name: 'anthropic', key: 'apiKey' } }],
            },
          ],
          {
            retry: { attempts: 1 },
          },
        ),
      ),
    },
  });
  client = anthropicClient(gateway);
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await anthropicMock?.close();
});
beforeEach(() => anthropicMock.reset());

const hello = { max_tokens: 50, messages: [{ role: 'user' as const, content: 'hello' }] };

async function caught(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Anthropic.APIError)) throw new Error(`expected an Anthropic APIError, got ${String(error)}`);
  return error;
}

describe("anthropic front door: errors in Anthropic's shape", () => {
  it(`${CELL}: 401 for a missing key: authentication_error`, async () => {
    const response = await postAnthropic(
      gateway,
      '/anthropic/v1/messages',
      { model: 'claude-mock', ...hello },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('missing API key') },
    });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it(`${CELL}: 401 for a wrong key through the SDK: AuthenticationError, no key echoed`, async () => {
    const wrongKey = 'sk-sy-NotAKeyTheGatewayKnows0123456789abcdef';
    const error = await caught(anthropicClient(gateway, wrongKey).messages.create({ model: 'claude-mock', ...hello }));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.error).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid API key' } });
    expect(JSON.stringify(error.error)).not.toContain(wrongKey);
  });

  it(`${CELL}: the key is accepted as Authorization: Bearer as well as x-api-key`, async () => {
    const bearer = await postAnthropic(
      gateway,
      '/anthropic/v1/messages',
      { model: 'claude-mock', ...hello },
      { authorization: `Bearer ${FRONT_DOOR_KEY}` },
    );
    expect(bearer.status).toBe(200);
    const apiKey = await postAnthropic(
      gateway,
      '/anthropic/v1/messages',
      { model: 'claude-mock', ...hello },
      { 'x-api-key': FRONT_DOOR_KEY },
    );
    expect(apiKey.status).toBe(200);
    expect(apiKey.json).toMatchObject({ type: 'message', model: 'claude-mock' });
  });

  it(`${CELL}: 404 for an unknown model: NotFoundError, not_found_error`, async () => {
    const error = await caught(client.messages.create({ model: 'claude-nonexistent', ...hello }));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.error).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: expect.stringContaining('claude-nonexistent') },
    });
  });

  it(`${CELL}: 403 for a model the key may not use: PermissionDeniedError, permission_error`, async () => {
    const error = await caught(anthropicClient(gateway, LIMITED_KEY).messages.create({ model: 'claude-other', ...hello }));
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });

  it(`${CELL}: 400 when max_tokens is missing, named as Anthropic names it`, async () => {
    const body = { model: 'claude-mock', messages: [{ role: 'user', content: 'hello' }] };
    const error = await caught(client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });

  it(`${CELL}: 400 naming the block path for a bad content block`, async () => {
    const error = await caught(
      client.messages.create({
        model: 'claude-mock',
        max_tokens: 50,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } as unknown as Anthropic.Base64ImageSource }],
          },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('messages.2.content.0.source.data: Field required');
  });

  it(`${CELL}: 400 naming the tool type for a server tool`, async () => {
    const error = await caught(
      client.messages.create({
        model: 'claude-mock',
        ...hello,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }] as Anthropic.ToolUnion[],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining("tools.0.type: tool type 'web_search_20250305' is not supported"),
      },
    });
  });

  it(`${CELL}: 400 for a body that is not JSON`, async () => {
    const response = await fetch(`${gateway.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': FRONT_DOOR_KEY },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') },
    });
  });

  it(`${CELL}: 413 for a body over --max-body-bytes: request_too_large`, async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const error = await caught(
      client.messages.create({ model: 'claude-mock', max_tokens: 50, messages: [{ role: 'user', content: big }] }),
    );
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it(`${CELL}: 502 when every upstream attempt failed: api_error`, async () => {
    const error = await caught(client.messages.create({ model: 'claude-broken', ...hello }));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });

  it(`${ANTHROPIC_CELL}: an upstream 429 that outlives the route's retries is a 502 api_error naming the attempt`, async () => {
    anthropicMock.enqueue({
      error: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
      retryAfter: '7',
    });
    const error = await caught(client.messages.create({ model: 'claude', ...hello }));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('claude-main') } });
    expect(JSON.stringify(error.error)).not.toContain(ANTHROPIC_MOCK_API_KEY);
  });

  it(`${ANTHROPIC_CELL}: a stream that fails after it began ends with event: error and no message_stop`, async () => {
    anthropicMock.enqueue({
      content: [{ type: 'text', text: 'The beginning of an answer' }],
      errorAfterEvents: { after: 5, type: 'overloaded_error', message: 'Overloaded' },
    });
    const { status, events } = await postForEvents(gateway, {
      model: 'claude',
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    expect(status).toBe(200);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names).toContain('content_block_delta');
    expect(names).not.toContain('message_stop');
    const last = events[events.length - 1];
    expect(last?.event).toBe('error');
    expect(last?.data).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('Overloaded') } });
  });
});
