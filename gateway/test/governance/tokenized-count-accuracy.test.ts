// The Tokenized prompt count against what providers really reported: each row is a recorded
// answer kept among the wire fixtures, with the prompt of the request that produced it (the
// public example each recording came from) and the provider and model that answered it. The
// real count is read from the recording itself, never written here. Overshoot is the real count
// minus the estimate: positive would mean the budget could be overspent by that much.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { ProviderName } from '@switchyard/compiler';
import { estimateChatPromptTokens } from '../../src/governance/cost/estimate-prompt-tokens.js';
import { type TokenFamily, tokenFamilyOf } from '../../src/governance/cost/prompt-token-families.js';
import { tokenizedPromptTokens } from '../../src/governance/cost/tokenized-prompt-tokens.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';
import { wireFixturePath } from '../support/repo-paths.js';

const HOLIDAY = 'Invent a new holiday and describe its traditions.';
const STRAWBERRY = 'How many "r"s are in the word "strawberry"?';

interface Capture {
  api: string;
  file: string;
  provider: ProviderName;
  prompt: string;
  family: TokenFamily;
  /** Most the estimate may exceed the real count by (how loose the reservation is, in tokens). */
  slack: number;
  /** For recordings whose body names no model (Bedrock Converse answers): the model family that answered. */
  model?: string;
}

const CAPTURES: Capture[] = [
  { api: 'openai-chat', file: 'openai-text.json', provider: 'openai', prompt: HOLIDAY, family: 'o200k_base', slack: 2 },
  { api: 'openai-chat', file: 'deepseek-text.json', provider: 'deepseek', prompt: HOLIDAY, family: 'other', slack: 64 },
  { api: 'openai-chat', file: 'deepseek-reasoning.json', provider: 'deepseek', prompt: STRAWBERRY, family: 'other', slack: 64 },
  { api: 'openai-chat', file: 'mistral-text.json', provider: 'mistral', prompt: HOLIDAY, family: 'other', slack: 64 },
  { api: 'openai-chat', file: 'groq-text.json', provider: 'groq', prompt: HOLIDAY, family: 'other', slack: 64 },
  { api: 'gemini', file: 'google-text.json', provider: 'gemini', prompt: STRAWBERRY, family: 'gemini', slack: 40 },
  { api: 'gemini', file: 'google-reasoning.json', provider: 'gemini', prompt: STRAWBERRY, family: 'gemini', slack: 40 },
  // Claude on Bedrock: Converse answers name no model; this recording's sibling (amazon-bedrock-reasoning)
  // carries Claude's signed thinking, so the family is Anthropic's. The only recorded Claude answer
  // whose prompt is known (it answers the strawberry example).
  {
    api: 'bedrock-converse',
    file: 'amazon-bedrock-text.json',
    provider: 'bedrock',
    prompt: STRAWBERRY,
    family: 'anthropic',
    slack: 40,
    model: 'anthropic.claude',
  },
];

/** The model and prompt token count a recording reports, in its own wire format. */
function recorded(capture: Capture): { model: string; promptTokens: number } {
  const body = JSON.parse(readFileSync(wireFixturePath(capture.api, capture.file), 'utf8')) as {
    model?: string;
    modelVersion?: string;
    usage?: { prompt_tokens?: number; inputTokens?: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
    usageMetadata?: { promptTokenCount: number };
  };
  const model = body.model ?? body.modelVersion ?? capture.model;
  // Converse counts cache reads and writes beside inputTokens: every prompt token is their sum.
  const converse =
    body.usage?.inputTokens === undefined
      ? undefined
      : body.usage.inputTokens + (body.usage.cacheReadInputTokens ?? 0) + (body.usage.cacheWriteInputTokens ?? 0);
  const promptTokens = body.usage?.prompt_tokens ?? converse ?? body.usageMetadata?.promptTokenCount;
  if (model === undefined || promptTokens === undefined) throw new Error(`${capture.file} has no model or prompt usage`);
  return { model, promptTokens };
}

const userPrompt = (text: string): UnifiedChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  stream: false,
});

describe('Tokenized count against recorded provider usage', () => {
  const rows = CAPTURES.map((capture) => {
    const { model, promptTokens } = recorded(capture);
    const request = userPrompt(capture.prompt);
    const estimate = tokenizedPromptTokens(request, [tokenFamilyOf(capture.provider, model)]);
    return { capture, model, real: promptTokens, estimate, strict: estimateChatPromptTokens(request) };
  });

  it.each(CAPTURES.map((capture, i) => [capture.file, i] as const))('%s: never below the real count, and close to it', (_file, i) => {
    const row = rows[i];
    expect(tokenFamilyOf(row.capture.provider, row.model)).toBe(row.capture.family);
    expect(row.real - row.estimate).toBeLessThanOrEqual(0);
    expect(row.estimate - row.real).toBeLessThanOrEqual(row.capture.slack);
  });
});
