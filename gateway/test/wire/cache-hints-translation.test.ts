// Prompt-cache hints, front door -> unified model -> each provider's upstream body, table-driven
// from the fixtures beside each wire codec (gateway/src/wire/<api>/__fixtures__/cache-hints.json):
// Anthropic cache_control breakpoints (system, tools, messages, TTLs) to Anthropic, Claude on
// Vertex AI, Bedrock cache points and OpenAI explicit breakpoints; OpenAI's prompt_cache_key and
// prompt_cache_retention to OpenAI and Azure OpenAI; Gemini cachedContent to Gemini and Gemini on
// Vertex AI; and, where a target has no equivalent, the hint is absent from its body.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { CompiledBackend, CompiledCredential, ProviderName } from '@switchyard/compiler';
import { createProviderRegistry } from '../../src/providers/registry.js';
import type { UnifiedChatRequest } from '../../src/unified/chat-request.js';
import { decodeAnthropicMessagesRequest } from '../../src/wire/anthropic-messages/decode-anthropic-messages-request.js';
import { decodeGeminiGenerateContentRequest } from '../../src/wire/gemini/decode-gemini-generate-content-request.js';
import { decodeOpenAIChatRequest } from '../../src/wire/openai-chat/decode-openai-chat-request.js';
import { decodeResponsesRequest } from '../../src/wire/openai-responses/decode-responses-request.js';
import type { BackendTarget } from '../../src/unified/provider-codec.js';
import { wireFixturePath } from '../support/repo-paths.js';

interface CacheHintCase {
  name: string;
  frontDoor: 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';
  request: Record<string, unknown>;
  expect?: Record<string, Record<string, unknown>>;
  absent?: Record<string, string[]>;
}

function decode(c: CacheHintCase): UnifiedChatRequest {
  switch (c.frontDoor) {
    case 'anthropic':
      return decodeAnthropicMessagesRequest(c.request);
    case 'openai-chat':
      return decodeOpenAIChatRequest(c.request).request;
    case 'openai-responses':
      return decodeResponsesRequest(c.request).request;
    case 'gemini':
      return decodeGeminiGenerateContentRequest(c.request, { requestId: 'r', pathModel: 'gemini' });
  }
}

const registry = createProviderRegistry();

function target(provider: ProviderName, model: string): BackendTarget {
  const credential: CompiledCredential =
    provider === 'bedrock'
      ? { ref: 'default/aws', weight: 1, aws: { accessKeyId: 'AKIDSWITCHYARDTEST01', secretAccessKey: 'test-secret-0123456789' } }
      : { ref: 'default/key', weight: 1, apiKey: 'sk-test-0123456789abcdef' };
  const backend: CompiledBackend = {
    name: `${provider}-backend`,
    provider,
    model,
    baseURL: 'https://upstream.example',
    credentials: [credential],
    priority: 0,
    weight: 1,
    ...(provider === 'bedrock' ? { bedrock: { region: 'us-east-1', useAmbientCredentials: false } } : {}),
    ...(provider === 'vertex-ai' ? { vertex: { project: 'acme-prod', location: 'us-central1' } } : {}),
    ...(provider === 'azure-openai' ? { azure: { deployment: 'gpt-prod', apiVersion: '2024-10-21' } } : {}),
  };
  return { backend, credential, defaultMaxTokens: 1024 };
}

function upstreamBody(request: UnifiedChatRequest, provider: ProviderName, model: string): { body: Record<string, unknown>; text: string } {
  const adapter = registry[provider];
  if (adapter.kind !== 'http') throw new Error(`${provider} is not an HTTP provider`);
  const encoded = adapter.encodeChatRequest(structuredClone(request), target(provider, model));
  const text = typeof encoded.body === 'string' ? encoded.body : new TextDecoder().decode(encoded.body);
  return { body: JSON.parse(text) as Record<string, unknown>, text };
}

/** Per fixture file: the wire codec it sits beside, and the model each provider is asked for. */
const FIXTURES: Array<{ api: string; models: Partial<Record<ProviderName, string>> }> = [
  { api: 'anthropic-messages', models: { anthropic: 'claude-sonnet-4-5', 'vertex-ai': 'claude-sonnet-4-5@20250929' } },
  { api: 'bedrock-converse', models: { bedrock: 'anthropic.claude-sonnet-4-5-20250929-v1:0' } },
  { api: 'openai-chat', models: { openai: 'gpt-5.1', 'azure-openai': 'gpt-5.1', groq: 'llama-3.3-70b-versatile' } },
  { api: 'gemini', models: { gemini: 'gemini-2.5-flash', 'vertex-ai': 'gemini-2.5-flash' } },
];

describe.each(FIXTURES)('cache hints into $api bodies', ({ api, models }) => {
  const { cases } = JSON.parse(readFileSync(wireFixturePath(api, 'cache-hints.json'), 'utf8')) as { cases: CacheHintCase[] };
  const rows = cases.flatMap((c) => {
    const providers = new Set([...Object.keys(c.expect ?? {}), ...Object.keys(c.absent ?? {})]);
    return [...providers].map((provider) => [`${c.name} (${c.frontDoor} -> ${provider})`, c, provider as ProviderName] as const);
  });

  it.each(rows)('%s', (_name, c, provider) => {
    const model = models[provider];
    if (model === undefined) throw new Error(`the fixture names ${provider}, which has no model in this test's table`);
    const { body, text } = upstreamBody(decode(c), provider, model);
    const expected = c.expect?.[provider];
    if (expected !== undefined) expect(body).toMatchObject(expected);
    for (const word of c.absent?.[provider] ?? []) expect(text).not.toContain(JSON.stringify(word));
  });
});
