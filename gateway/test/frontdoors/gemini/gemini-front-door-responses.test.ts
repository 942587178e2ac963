// What the Gemini front door object writes back: GenerateContentResponse with the public model
// name as modelVersion, and errors in Google's envelope.
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { geminiFrontDoor } from '../../../src/frontdoors/gemini/gemini-front-door.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';

const context = { requestId: 'r', pathModel: 'public-model' };

describe('Gemini front door: responses', () => {
  it('a tool-calling answer with reasoning, in GenerateContentResponse form', () => {
    const response: UnifiedChatResponse = {
      id: 'resp-1',
      model: 'claude-sonnet-4-5',
      created: 1,
      content: [
        { type: 'reasoning', text: 'Need the weather.', signature: 'anthropic-sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 20, cachedInputTokens: 5, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 12 },
    };
    expect(JSON.parse(geminiFrontDoor.encodeChatResponse(response, 'public-model', context))).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Need the weather.', thought: true, thoughtSignature: 'anthropic-sig' },
              { text: 'Checking.' },
              { functionCall: { id: 'toolu_1', name: 'weather', args: { city: 'Paris' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 20,
        cachedContentTokenCount: 5,
        candidatesTokenCount: 18,
        thoughtsTokenCount: 12,
        totalTokenCount: 50,
      },
      modelVersion: 'public-model',
      responseId: 'resp-1',
    });
  });

  it.each([
    [new GatewayError('authentication', 'invalid API key', { code: 'invalid_api_key' }), 401, 'UNAUTHENTICATED'],
    [new GatewayError('permission', 'not allowed'), 403, 'PERMISSION_DENIED'],
    [new GatewayError('not_found', 'no such model'), 404, 'NOT_FOUND'],
    [new GatewayError('invalid_request', 'contents is required', { param: 'contents' }), 400, 'INVALID_ARGUMENT'],
    [new GatewayError('rate_limited', 'slow down', { retryAfterSeconds: 3 }), 429, 'RESOURCE_EXHAUSTED'],
  ])("errors in Google's envelope: %s", (error, code, status) => {
    const encoded = geminiFrontDoor.encodeError(error);
    expect(encoded.status).toBe(code);
    expect(JSON.parse(encoded.body)).toMatchObject({ error: { code, status, message: error.message } });
  });
});
