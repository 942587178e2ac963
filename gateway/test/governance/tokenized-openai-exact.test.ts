// OpenAI-family models are counted with OpenAI's own encodings: the text part of the estimate is
// exactly the encoding's token count (o200k_base for GPT-4o and later, cl100k_base for older
// models and the embedding models), chosen by model name whatever provider serves it, and text
// that looks like a special token is counted as the plain text the API treats it as.
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import type { ProviderName } from '@switchyard/compiler';
import { type TokenFamily, tokenFamilyOf } from '../../src/governance/cost/prompt-token-families.js';
import { tokenizedPromptTokens } from '../../src/governance/cost/tokenized-prompt-tokens.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');
const requireHere = createRequire(import.meta.url);
const o200k = requireHere('gpt-tokenizer/encoding/o200k_base') as Encoding;
const cl100k = requireHere('gpt-tokenizer/encoding/cl100k_base') as Encoding;

const userPrompt = (text: string): UnifiedChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  stream: false,
});

/** The estimate minus its framing: the part that comes from the text. */
function textTokens(text: string, family: TokenFamily): number {
  return tokenizedPromptTokens(userPrompt(text), [family]) - tokenizedPromptTokens(userPrompt(''), [family]);
}

describe('OpenAI encodings by model name', () => {
  it.each<[ProviderName, string, TokenFamily]>([
    ['openai', 'gpt-4o', 'o200k_base'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['openai', 'gpt-4.1-nano', 'o200k_base'],
    ['openai', 'gpt-5', 'o200k_base'],
    ['openai', 'gpt-5.1-codex', 'o200k_base'],
    ['openai', 'o3-mini', 'o200k_base'],
    ['openai', 'o1', 'o200k_base'],
    ['azure-openai', 'gpt-4o', 'o200k_base'],
    ['openrouter', 'openai/gpt-4.1', 'o200k_base'],
    ['groq', 'openai/gpt-oss-120b', 'o200k_base'],
    ['openai', 'gpt-4-turbo', 'cl100k_base'],
    ['openai', 'gpt-4', 'cl100k_base'],
    ['openai', 'gpt-3.5-turbo', 'cl100k_base'],
    ['openai', 'text-embedding-3-small', 'cl100k_base'],
    ['openai', 'o1x-custom', 'other'],
    ['anthropic', 'claude-sonnet-4-5', 'anthropic'],
    ['bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['vertex-ai', 'claude-opus-4-1', 'anthropic'],
    ['gemini', 'gemini-2.5-pro', 'gemini'],
    ['vertex-ai', 'gemini-2.5-flash', 'gemini'],
    ['mistral', 'mistral-small-latest', 'other'],
    ['groq', 'llama-3.3-70b-versatile', 'other'],
    ['mock', 'mock-model', 'other'],
  ])('%s %s: %s', (provider, model, family) => {
    expect(tokenFamilyOf(provider, model)).toBe(family);
  });
});

describe('exact text counts', () => {
  const texts = [
    'Invent a new holiday and describe its traditions.',
    'def f(x):\n    return {"total": x * 2, "items": [1, 2, 3]}\n',
    'Grüße aus Köln — こんにちは世界 🌍',
    'a <|endoftext|> b <|im_start|>',
  ];
  it.each(texts)('o200k_base: %j', (text) => {
    expect(textTokens(text, 'o200k_base')).toBe(o200k.encode(text, { disallowedSpecial: new Set() }).length);
  });
  it.each(texts)('cl100k_base: %j', (text) => {
    expect(textTokens(text, 'cl100k_base')).toBe(cl100k.encode(text, { disallowedSpecial: new Set() }).length);
  });
  it('counts special-token look-alikes as plain text, never as one special token', () => {
    expect(textTokens('<|endoftext|>', 'o200k_base')).toBeGreaterThan(1);
  });
  it('adds the chat framing per message and per request: 4 and 4 (OpenAI documents 3 and 3)', () => {
    expect(tokenizedPromptTokens(userPrompt(''), ['o200k_base'])).toBe(8);
  });
});
