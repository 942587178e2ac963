import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { bedrockAdapter, createBedrockAdapter } from '../../../src/providers/bedrock/index.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { startBedrockMockServer, type BedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { CAPTURES, foldStream, usage } from './bedrock-capture-support.js';
import { completeThroughAdapter, failureOf, streamThroughAdapter } from './bedrock-round-trip-support.js';
import { bedrockTarget, chatRequest, CLAUDE_MODEL_ID, TEST_AWS_IDENTITY } from './bedrock-test-target.js';

const SESSION_IDENTITY = {
  accessKeyId: 'ASIASWITCHYARDTEMP01',
  secretAccessKey: 'temporary-secret-value',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
};

let bedrock: BedrockMockServer;
beforeAll(async () => {
  bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY, SESSION_IDENTITY] });
});
afterAll(async () => {
  await bedrock.close();
});
beforeEach(() => {
  bedrock.setDefaultReply({ capture: 'amazon-bedrock-text' });
});

const target = (overrides: Parameters<typeof bedrockTarget>[0] = {}) =>
  bedrockTarget({ ...overrides, backend: { baseURL: bedrock.url, ...overrides.backend } });

describe('Converse through the adapter and the mock', () => {
  it('answers a text request, with the model id percent-encoded in the path and a verified signature', async () => {
    const response = await completeThroughAdapter(bedrockAdapter, chatRequest({ maxOutputTokens: 100 }), target());
    expect(response.content).toEqual([{ type: 'text', text: expect.stringContaining('There are **3** "r"s') }]);
    expect(response.usage).toEqual(usage(22, 57));
    expect(response.model).toBe(CLAUDE_MODEL_ID);
    const call = bedrock.calls[bedrock.calls.length - 1];
    expect(call).toMatchObject({ operation: 'converse', modelId: CLAUDE_MODEL_ID, status: 200 });
    expect(call?.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hello' }] }], inferenceConfig: { maxTokens: 100 } });
  });

  it.each(CAPTURES)('streams the %s capture as binary event-stream frames', async (name) => {
    bedrock.enqueue({ capture: name, chunkSize: 7 });
    const outcome = await streamThroughAdapter(bedrockAdapter, chatRequest(), target());
    expect(outcome.failure).toBeUndefined();
    const folded = foldStream(outcome.events);
    expect(folded.finish).toHaveLength(1);
    expect(folded.usage).toHaveLength(1);
    expect(bedrock.calls[bedrock.calls.length - 1]).toMatchObject({ operation: 'converse-stream', status: 200 });
  });

  it('carries tools both ways, streamed and not, with exact usage', async () => {
    const scripted: UnifiedChatResponse = {
      id: 'x',
      model: CLAUDE_MODEL_ID,
      created: 0,
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: 'tooluse_abc', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      ],
      finishReason: 'tool_calls',
      usage: usage(1250, 40, 1000, 200),
    };
    const request = chatRequest({
      tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } } }],
      toolChoice: { type: 'auto' },
    });
    bedrock.enqueue({ response: scripted }, { response: scripted });

    const response = await completeThroughAdapter(bedrockAdapter, request, target());
    expect(response.content).toEqual(scripted.content);
    expect(response.finishReason).toBe('tool_calls');
    expect(response.usage).toEqual(scripted.usage);
    expect(bedrock.calls[bedrock.calls.length - 1]?.body).toMatchObject({
      toolConfig: { toolChoice: { auto: {} }, tools: [{ toolSpec: { name: 'get_weather' } }] },
    });

    const streamed = foldStream((await streamThroughAdapter(bedrockAdapter, request, target())).events);
    expect(streamed.text).toBe('Let me check.');
    expect(streamed.toolCalls).toEqual([
      { index: 0, id: 'tooluse_abc', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    ]);
    expect(streamed.finish).toEqual([{ finishReason: 'tool_calls' }]);
    expect(streamed.usage).toEqual([scripted.usage]);
  });

  it('sends a follow-up turn with tool results that the mock accepts', async () => {
    const response = await completeThroughAdapter(
      bedrockAdapter,
      chatRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
          { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
          {
            role: 'tool',
            content: [{ type: 'tool_result', toolCallId: 't1', toolName: 'get_weather', content: [{ type: 'text', text: '' }] }],
          },
        ],
      }),
      target(),
    );
    expect(response.finishReason).toBe('stop');
  });

  it('signs session credentials with x-amz-security-token', async () => {
    const response = await completeThroughAdapter(
      bedrockAdapter,
      chatRequest(),
      target({ credential: { ref: 'ai/aws-temp', weight: 1, aws: SESSION_IDENTITY } }),
    );
    expect(response.finishReason).toBe('stop');
    expect(bedrock.calls[bedrock.calls.length - 1]?.headers['x-amz-security-token']).toBe(SESSION_IDENTITY.sessionToken);
  });

  it('signs with ambient environment credentials when the backend opts in', async () => {
    const adapter = createBedrockAdapter({
      env: {
        AWS_ACCESS_KEY_ID: SESSION_IDENTITY.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SESSION_IDENTITY.secretAccessKey,
        AWS_SESSION_TOKEN: SESSION_IDENTITY.sessionToken,
      },
    });
    const response = await completeThroughAdapter(
      adapter,
      chatRequest(),
      target({ credential: null, backend: { bedrock: { region: 'us-east-1', useAmbientCredentials: true } } }),
    );
    expect(response.finishReason).toBe('stop');
  });

  it('encodes an inference-profile ARN (with / and :) into one path segment that still verifies', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0';
    await completeThroughAdapter(bedrockAdapter, chatRequest(), target({ backend: { model: arn } }));
    expect(bedrock.calls[bedrock.calls.length - 1]).toMatchObject({ modelId: arn, status: 200 });
  });
});

describe('failures through the adapter and the mock', () => {
  it('a wrong secret is refused as InvalidSignatureException -> AuthError, without echoing the canonical request', async () => {
    const failure = await failureOf(
      completeThroughAdapter(
        bedrockAdapter,
        chatRequest(),
        target({ credential: { ref: 'ai/aws', weight: 1, aws: { ...SESSION_IDENTITY, secretAccessKey: 'wrong' } } }),
      ),
    );
    expect(failure).toMatchObject({ kind: 'AuthError', status: 403 });
    expect(failure.message).toMatch(/^InvalidSignatureException: The request signature we calculated does not match/);
    expect(failure.message).not.toContain(SESSION_IDENTITY.sessionToken);
    expect(bedrock.calls[bedrock.calls.length - 1]?.errorMessage).toContain(SESSION_IDENTITY.sessionToken);
  });

  it('an unknown access key and a wrong session token are UnrecognizedClientException -> AuthError', async () => {
    const unknown = await failureOf(
      completeThroughAdapter(
        bedrockAdapter,
        chatRequest(),
        target({ credential: { ref: 'a', weight: 1, aws: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 's' } } }),
      ),
    );
    expect(unknown).toMatchObject({
      kind: 'AuthError',
      status: 403,
      message: 'UnrecognizedClientException: The security token included in the request is invalid.',
    });
    const badToken = await failureOf(
      completeThroughAdapter(
        bedrockAdapter,
        chatRequest(),
        target({ credential: { ref: 'a', weight: 1, aws: { ...SESSION_IDENTITY, sessionToken: 'other' } } }),
      ),
    );
    expect(badToken.kind).toBe('AuthError');
  });

  it('a clock far off the server is refused as an expired signature', async () => {
    const skewed = createBedrockAdapter({ now: () => new Date(Date.now() - 20 * 60 * 1000) });
    const failure = await failureOf(completeThroughAdapter(skewed, chatRequest(), target()));
    expect(failure).toMatchObject({ kind: 'AuthError', message: expect.stringContaining('Signature expired') });
  });

  it('throttling is RateLimited with retry-after', async () => {
    bedrock.enqueue({
      error: {
        status: 429,
        type: 'ThrottlingException',
        message: 'Too many requests, please wait before trying again.',
        retryAfterSeconds: 2,
      },
    });
    const failure = await failureOf(completeThroughAdapter(bedrockAdapter, chatRequest(), target()));
    expect(failure).toMatchObject({
      kind: 'RateLimited',
      status: 429,
      retryAfterMs: 2000,
      message: 'ThrottlingException: Too many requests, please wait before trying again.',
    });
  });

  it.each([
    ['ValidationException', 400, 'Malformed input request', 'BadRequest'],
    ['AccessDeniedException', 403, "You don't have access to the model with the specified model ID.", 'AuthError'],
    ['ResourceNotFoundException', 404, 'Could not resolve the foundation model from the provided model identifier.', 'NotFound'],
    ['ModelNotReadyException', 429, 'Model is not ready', 'ServerError'],
    ['ServiceUnavailableException', 503, 'Service unavailable', 'ServerError'],
    ['InternalServerException', 500, 'Internal error', 'ServerError'],
    ['ModelTimeoutException', 408, 'Model timed out', 'Timeout'],
  ])('%s (%i, %s) -> %s', async (type, status, message, kind) => {
    const error = { type, status, message };
    bedrock.enqueue({ error });
    const failure = await failureOf(completeThroughAdapter(bedrockAdapter, chatRequest(), target()));
    expect(failure).toMatchObject({ kind, status: error.status, message: `${error.type}: ${error.message}` });
  });

  it('a request Bedrock would reject is a ValidationException passed through as BadRequest', async () => {
    const failure = await failureOf(
      completeThroughAdapter(
        bedrockAdapter,
        chatRequest({ messages: [{ role: 'assistant', content: [{ type: 'text', text: 'I start' }] }] }),
        target(),
      ),
    );
    expect(failure).toMatchObject({ kind: 'BadRequest', status: 400, message: expect.stringContaining('must start with a user message') });
  });

  it('an exception event mid-stream fails the stream after the events before it', async () => {
    bedrock.enqueue({
      capture: 'amazon-bedrock-text',
      exceptionAfter: { events: 4, type: 'modelStreamErrorException', message: 'The model stopped unexpectedly.' },
    });
    const outcome = await streamThroughAdapter(bedrockAdapter, chatRequest(), target());
    expect(foldStream(outcome.events).text).toBe('Let me count the "r"s in "');
    expect(outcome.failure).toMatchObject({ kind: 'ServerError', message: 'modelStreamErrorException: The model stopped unexpectedly.' });
  });

  it('a throttling exception right after messageStart is RateLimited before any event (still retryable)', async () => {
    bedrock.enqueue({
      capture: 'amazon-bedrock-text',
      exceptionAfter: { events: 1, type: 'throttlingException', message: 'Too many tokens.' },
    });
    const outcome = await streamThroughAdapter(bedrockAdapter, chatRequest(), target());
    expect(outcome.events).toEqual([]);
    expect(outcome.failure?.kind).toBe('RateLimited');
  });

  it.each([
    ['between frames', false],
    ['inside a frame', true],
  ])('a connection cut %s is StreamBroken', async (_where, midFrame) => {
    bedrock.enqueue({ capture: 'amazon-bedrock-reasoning', cutAfter: { events: 6, midFrame } });
    const outcome = await streamThroughAdapter(bedrockAdapter, chatRequest(), target());
    expect(foldStream(outcome.events).reasoning.length).toBeGreaterThan(0);
    expect(outcome.failure?.kind).toBe('StreamBroken');
  });

  it('a delayed reply still arrives, padded payloads decode', async () => {
    bedrock.enqueue({ capture: 'amazon-bedrock-tool-call.1', delayMs: 100, padding: true, writeDelayMs: 5 });
    const started = Date.now();
    const outcome = await streamThroughAdapter(bedrockAdapter, chatRequest(), target());
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(foldStream(outcome.events).toolCalls).toEqual([
      { index: 0, id: 'tool-use-id', name: 'test-tool', arguments: '{"value":"Sparkle Day"}' },
    ]);
  });
});

describe('the mock refuses requests without a signature', () => {
  it('403 MissingAuthenticationTokenException', async () => {
    const response = await fetch(`${bedrock.url}/model/${encodeURIComponent(CLAUDE_MODEL_ID)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
  });

  it('403 InvalidSignatureException when the body is changed after signing', async () => {
    const upstream = bedrockAdapter.encodeChatRequest(chatRequest(), target());
    const response = await fetch(upstream.url, {
      method: 'POST',
      headers: upstream.headers,
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'tampered' }] }] }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
  });
});
