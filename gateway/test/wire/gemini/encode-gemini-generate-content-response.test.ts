import { describe, expect, it } from '@jest/globals';
import { decodeGeminiGenerateContentResponse } from '../../../src/wire/gemini/decode-gemini-generate-content-response.js';
import { encodeGeminiGenerateContentResponse } from '../../../src/wire/gemini/encode-gemini-generate-content-response.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { loadGeminiCaptureJson } from '../../mocks/gemini-mock-server.js';

const usage = { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 20 };
const base = { id: 'resp-1', model: 'upstream-model', created: 1_700_000_000, usage };

describe('encodeGeminiGenerateContentResponse', () => {
  it.each<{ name: string; response: UnifiedChatResponse; expected: unknown }>([
    {
      name: 'text with reasoning and a signature',
      response: {
        ...base,
        content: [
          { type: 'reasoning', text: 'thinking', signature: 'T' },
          { type: 'reasoning', text: '', signature: 'S' },
          { type: 'text', text: 'Hello' },
        ],
        finishReason: 'stop',
      },
      expected: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'thinking', thought: true, thoughtSignature: 'T' },
                { text: 'Hello', thoughtSignature: 'S' },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, thoughtsTokenCount: 20, totalTokenCount: 40 },
        modelVersion: 'public-name',
        responseId: 'resp-1',
      },
    },
    {
      name: 'tool calls with ids and parsed args; bad args become {}',
      response: {
        ...base,
        content: [
          { type: 'tool_call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_2', name: 'weather', arguments: '{"city":' },
        ],
        finishReason: 'tool_calls',
      },
      expected: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { id: 'call_1', name: 'weather', args: { city: 'Paris' } } },
                { functionCall: { id: 'call_2', name: 'weather', args: {} } },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, thoughtsTokenCount: 20, totalTokenCount: 40 },
        modelVersion: 'public-name',
        responseId: 'resp-1',
      },
    },
    {
      name: 'a filtered answer has no content',
      response: { ...base, usage: { ...usage, outputTokens: 0, reasoningTokens: 0 }, content: [], finishReason: 'content_filter' },
      expected: {
        candidates: [{ finishReason: 'SAFETY', index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 0, totalTokenCount: 10 },
        modelVersion: 'public-name',
        responseId: 'resp-1',
      },
    },
  ])('$name', ({ response, expected }) => {
    expect(encodeGeminiGenerateContentResponse(response, 'public-name')).toEqual(expected);
  });

  it.each(['google-text', 'google-reasoning', 'google-tool-call'])('capture %s survives decode -> encode -> decode', (name) => {
    const capture = loadGeminiCaptureJson(name);
    const once = decodeGeminiGenerateContentResponse(capture, 'm', () => 0);
    const again = decodeGeminiGenerateContentResponse(encodeGeminiGenerateContentResponse(once, once.model), 'm', () => 0);
    expect(again).toEqual(once);
    // Parts come back with the same signatures on the same parts as Google sent them.
    const encoded = encodeGeminiGenerateContentResponse(once, once.model) as {
      candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }>;
    };
    const original = capture as { candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }> };
    expect(encoded.candidates[0]!.content.parts.map((p) => p['thoughtSignature'])).toEqual(
      original.candidates[0]!.content.parts.map((p) => p['thoughtSignature']),
    );
  });
});

describe('Gemini responseId', () => {
  const answer = (id: string): UnifiedChatResponse => ({ ...base, id, content: [{ type: 'text', text: 'hi' }], finishReason: 'stop' });

  it("keeps the upstream's id, so the answer stays traceable to the upstream call", () => {
    expect(encodeGeminiGenerateContentResponse(answer('chatcmpl-abc'), 'm').responseId).toBe('chatcmpl-abc');
  });

  it('gives a fresh, distinct id when the upstream gave none', () => {
    const first = encodeGeminiGenerateContentResponse(answer(''), 'm').responseId;
    const second = encodeGeminiGenerateContentResponse(answer(''), 'm').responseId;
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second).not.toBe(first);
  });
});
