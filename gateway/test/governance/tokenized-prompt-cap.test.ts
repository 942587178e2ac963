// What the Tokenized count includes and where it stops: messages, tool calls and results, tool
// definitions and JSON schemas are counted; an image is a fixed allowance; a request spends at
// most MAX_TOKENIZED_CHARS characters of tokenizer work, past which texts count by their bytes
// (the Strict bound), so tokenizing is never an unbounded cost on the request path.
import { describe, expect, it } from '@jest/globals';
import { TOKENS_PER_IMAGE } from '../../src/governance/cost/estimate-prompt-tokens.js';
import { MAX_TOKENIZED_CHARS, tokenizedPromptTokens } from '../../src/governance/cost/tokenized-prompt-tokens.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';

const SENTENCE = 'The committee reviewed the quarterly budget and approved it. ';
const chat = (texts: string[], extra: Partial<UnifiedChatRequest> = {}): UnifiedChatRequest => ({
  model: 'm',
  messages: texts.map((text) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] })),
  stream: false,
  ...extra,
});

describe('tokenizer work cap', () => {
  it('tokenizes a prompt up to the cap', () => {
    const text = SENTENCE.repeat(Math.floor(MAX_TOKENIZED_CHARS / SENTENCE.length));
    expect(tokenizedPromptTokens(chat([text]), ['o200k_base'])).toBeLessThan(text.length / 3);
  });

  it('counts a text past the cap by its bytes, and still tokenizes the texts that fit', () => {
    const small = SENTENCE.repeat(10);
    const large = SENTENCE.repeat(Math.ceil(MAX_TOKENIZED_CHARS / SENTENCE.length));
    expect(large.length).toBeGreaterThan(MAX_TOKENIZED_CHARS);
    const both = tokenizedPromptTokens(chat([small, large]), ['o200k_base']);
    const smallAlone = tokenizedPromptTokens(chat([small]), ['o200k_base']);
    // small tokenized, large by bytes, one more message of framing (4)
    expect(both).toBe(smallAlone + Buffer.byteLength(large) + 4);
  });

  it('shares the cap between the families a route reaches', () => {
    const half = SENTENCE.repeat(Math.ceil(MAX_TOKENIZED_CHARS / 2 / SENTENCE.length) + 1);
    const two = [half, half];
    // Two texts of just over half the cap: one family tokenizes the first and counts the second by bytes;
    // a second family finds the cap spent and counts both by bytes.
    const oneFamily = tokenizedPromptTokens(chat(two), ['o200k_base']);
    const twoFamilies = tokenizedPromptTokens(chat(two), ['o200k_base', 'cl100k_base']);
    expect(oneFamily).toBeLessThan(Buffer.byteLength(half) * 2);
    expect(twoFamilies).toBeGreaterThanOrEqual(Buffer.byteLength(half) * 2);
  });
});

describe('what counts as prompt', () => {
  it('counts tool definitions, tool calls and results, and the JSON schema', () => {
    const bare = tokenizedPromptTokens(chat(['hi']), ['anthropic']);
    const withTools = tokenizedPromptTokens(
      chat(['hi'], {
        tools: [
          { name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        ],
        responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object' } },
      }),
      ['anthropic'],
    );
    expect(withTools).toBeGreaterThan(bare + 10);
  });

  it('counts an image as the fixed allowance, whatever the family', () => {
    const image: UnifiedChatRequest = {
      model: 'm',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } }] }],
    };
    for (const family of ['o200k_base', 'anthropic', 'gemini', 'other'] as const) {
      expect(tokenizedPromptTokens(image, [family])).toBeGreaterThanOrEqual(TOKENS_PER_IMAGE);
    }
  });

  it('takes the largest count of the families a request may reach', () => {
    const request = chat([SENTENCE.repeat(20)]);
    const counts = (['o200k_base', 'anthropic', 'other'] as const).map((family) => tokenizedPromptTokens(request, [family]));
    expect(tokenizedPromptTokens(request, ['o200k_base', 'anthropic', 'other'])).toBe(Math.max(...counts));
  });
});
