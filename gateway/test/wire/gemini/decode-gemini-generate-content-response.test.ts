import { describe, expect, it } from '@jest/globals';
import { decodeGeminiGenerateContentResponse } from '../../../src/wire/gemini/decode-gemini-generate-content-response.js';
import { UpstreamFailure } from '../../../src/errors/upstream-failure.js';
import type { UnifiedChatResponse } from '../../../src/unified/chat-response.js';
import { loadGeminiCaptureJson } from '../../mocks/gemini-mock-server.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const now = () => NOW;

function firstPartSignature(name: string): string {
  const body = loadGeminiCaptureJson(name) as { candidates: Array<{ content: { parts: Array<{ thoughtSignature: string }> } }> };
  return body.candidates[0]!.content.parts[0]!.thoughtSignature;
}

describe('decodeGeminiGenerateContentResponse: captures', () => {
  const captures: Array<{ name: string; expected: () => UnifiedChatResponse }> = [
    {
      name: 'google-text',
      expected: () => ({
        id: 'Un6LacrVMcjUxs0PmJfWoQc',
        model: 'gemini-3-pro-preview',
        created: Math.floor(NOW / 1000),
        content: [
          { type: 'reasoning', text: '', signature: firstPartSignature('google-text') },
          { type: 'text', text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y." },
        ],
        finishReason: 'stop',
        usage: { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 272, reasoningTokens: 244 },
      }),
    },
    {
      name: 'google-reasoning',
      expected: () => ({
        id: 'YH6LaZT7ENmPxN8P-r2J8Aw',
        model: 'gemini-3-pro-preview',
        created: Math.floor(NOW / 1000),
        content: [
          { type: 'reasoning', text: '', signature: firstPartSignature('google-reasoning') },
          { type: 'text', text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.' },
        ],
        finishReason: 'stop',
        usage: { inputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 311, reasoningTokens: 282 },
      }),
    },
    {
      name: 'google-tool-call',
      expected: () => ({
        id: 'm36LaZGyCLz1xs0PtNSB-QU',
        model: 'gemini-3-pro-preview',
        created: Math.floor(NOW / 1000),
        content: [
          { type: 'reasoning', text: '', signature: firstPartSignature('google-tool-call') },
          { type: 'tool_call', id: 'call_m36LaZGyCLz1xs0PtNSB-QU_0', name: 'weather', arguments: '{"location":"San Francisco"}' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 29, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 908, reasoningTokens: 893 },
      }),
    },
  ];

  it.each(captures)('$name.json', ({ name, expected }) => {
    expect(decodeGeminiGenerateContentResponse(loadGeminiCaptureJson(name), 'fallback-model', now)).toEqual(expected());
  });
});

describe('decodeGeminiGenerateContentResponse: shapes', () => {
  const usage = { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 };

  it('a blocked prompt is an empty content_filter answer, not an error', () => {
    const response = decodeGeminiGenerateContentResponse(
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } },
      'gemini-2.5-flash',
      now,
    );
    expect(response.content).toEqual([]);
    expect(response.finishReason).toBe('content_filter');
    expect(response.usage.inputTokens).toBe(12);
    expect(response.model).toBe('gemini-2.5-flash');
    expect(response.id).toMatch(/^gemini-/);
  });

  it('a candidate stopped by SAFETY without content', () => {
    const response = decodeGeminiGenerateContentResponse(
      { candidates: [{ finishReason: 'SAFETY', index: 0 }], usageMetadata: usage },
      'm',
      now,
    );
    expect(response.content).toEqual([]);
    expect(response.finishReason).toBe('content_filter');
  });

  it('thought parts are reasoning; parallel calls get distinct ids; an upstream call id is kept', () => {
    const response = decodeGeminiGenerateContentResponse(
      {
        responseId: 'resp1',
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'Thinking about it', thought: true },
                { text: 'Calling tools.' },
                { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'S1' },
                { functionCall: { name: 'b' } },
                { functionCall: { id: 'fc-77', name: 'c', args: {} } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: usage,
      },
      'm',
      now,
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Thinking about it' },
      { type: 'text', text: 'Calling tools.' },
      { type: 'reasoning', text: '', signature: 'S1' },
      { type: 'tool_call', id: 'call_resp1_0', name: 'a', arguments: '{"x":1}' },
      { type: 'tool_call', id: 'call_resp1_1', name: 'b', arguments: '{}' },
      { type: 'tool_call', id: 'fc-77', name: 'c', arguments: '{}' },
    ]);
    expect(response.finishReason).toBe('tool_calls');
  });

  it('MAX_TOKENS -> length; MALFORMED_FUNCTION_CALL -> error; createTime sets created', () => {
    const cut = decodeGeminiGenerateContentResponse(
      { candidates: [{ content: { parts: [{ text: 'Once upon' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: usage },
      'm',
      now,
    );
    expect(cut.finishReason).toBe('length');
    const malformed = decodeGeminiGenerateContentResponse(
      { candidates: [{ finishReason: 'MALFORMED_FUNCTION_CALL' }], createTime: '2026-04-02T17:03:50.399550Z' },
      'm',
      now,
    );
    expect(malformed.finishReason).toBe('error');
    expect(malformed.created).toBe(Math.floor(Date.UTC(2026, 3, 2, 17, 3, 50) / 1000));
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'hello', 'not a GenerateContentResponse'],
    ['no candidates and no block reason', { usageMetadata: usage }, 'no candidates'],
    ['candidates not a list', { candidates: {} }, 'not a list'],
  ])('rejects a body that is %s', (_name, body, message) => {
    expect(() => decodeGeminiGenerateContentResponse(body, 'm', now)).toThrow(UpstreamFailure);
    expect(() => decodeGeminiGenerateContentResponse(body, 'm', now)).toThrow(message);
  });

  it('an error envelope in a 200 body becomes its classified failure', () => {
    let thrown: unknown;
    try {
      decodeGeminiGenerateContentResponse({ error: { code: 503, status: 'UNAVAILABLE', message: 'overloaded' } }, 'm', now);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamFailure);
    expect((thrown as UpstreamFailure).kind).toBe('ServerError');
    expect((thrown as UpstreamFailure).status).toBe(503);
  });
});
