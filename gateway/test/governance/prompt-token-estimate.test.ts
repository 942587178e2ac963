// The reservation's prompt estimate is a byte-based upper bound: UTF-8 bytes of every text plus
// a fixed allowance per message, per request and per image.
import { describe, expect, it } from '@jest/globals';
import {
  estimateChatPromptTokens,
  estimateEmbeddingsInputTokens,
  TOKENS_PER_IMAGE,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_REQUEST,
} from '../../src/governance/cost/estimate-prompt-tokens.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';

const chat = (messages: UnifiedChatRequest['messages'], extra: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest => ({
  model: 'm',
  messages,
  stream: false,
  ...extra,
});

describe('prompt token estimate', () => {
  it('counts UTF-8 bytes, so multi-byte text is never under-counted', () => {
    const ascii = estimateChatPromptTokens(chat([{ role: 'user', content: [{ type: 'text', text: 'hello' }] }]));
    expect(ascii).toBe(TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE + 5);
    const japanese = estimateChatPromptTokens(chat([{ role: 'user', content: [{ type: 'text', text: 'こんにちは' }] }]));
    expect(japanese).toBe(TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE + 15);
  });

  it('includes tools, tool calls, tool results and schemas', () => {
    const request = chat(
      [
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'get', arguments: '{"q":1}' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'result' }] }] },
      ],
      { tools: [{ name: 'get', description: 'fetch', parameters: { type: 'object' } }] },
    );
    const expected =
      TOKENS_PER_REQUEST +
      2 * TOKENS_PER_MESSAGE +
      (3 + 7 + TOKENS_PER_MESSAGE) +
      (TOKENS_PER_MESSAGE + 6) +
      (TOKENS_PER_MESSAGE + 3 + 5 + JSON.stringify({ type: 'object' }).length);
    expect(estimateChatPromptTokens(request)).toBe(expected);
  });

  it('counts an image as a fixed allowance and an inline document by its decoded size', () => {
    const request = chat([
      {
        role: 'user',
        content: [
          { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } },
          {
            type: 'document',
            mediaType: 'application/pdf',
            source: { kind: 'base64', mediaType: 'application/pdf', data: 'A'.repeat(400) },
          },
        ],
      },
    ]);
    expect(estimateChatPromptTokens(request)).toBe(TOKENS_PER_REQUEST + TOKENS_PER_MESSAGE + TOKENS_PER_IMAGE + 300);
  });

  it('bounds the mock provider and real tokenizers from above on ordinary text', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(50);
    // Every common tokenizer produces at least ~1 token per 4-5 bytes of English; the bound is bytes.
    expect(estimateChatPromptTokens(chat([{ role: 'user', content: [{ type: 'text', text }] }]))).toBeGreaterThanOrEqual(
      Buffer.byteLength(text),
    );
  });

  it('estimates embeddings input by bytes per input', () => {
    expect(estimateEmbeddingsInputTokens({ model: 'e', input: ['abc', 'défg'] })).toBe(3 + 2 + 5 + 2);
  });
});
