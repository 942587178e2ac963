// The OpenAI-family adapter builds each (backend, credential)'s URL and headers once and shares
// them between requests. Sharing must never mix credentials or streams up, and the shared
// headers must not be changeable by whoever holds a request.
import { describe, expect, it } from '@jest/globals';
import type { CompiledBackend, CompiledCredential } from '@switchyard/compiler';
import { azureOpenAIAdapter } from '../../../src/providers/azure-openai/index.js';
import { openaiAdapter } from '../../../src/providers/openai/index.js';
import type { BackendTarget } from '../../../src/unified/provider-codec.js';
import type { HttpProviderAdapter } from '../../../src/providers/provider-adapter.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

const backend: CompiledBackend = {
  name: 'openai-main',
  provider: 'openai',
  model: 'gpt-4o-2024-08-06',
  baseURL: 'https://api.openai.com/v1',
  credentials: [],
  priority: 0,
  weight: 1,
  headers: { 'OpenAI-Organization': 'org-1' },
};
const first: CompiledCredential = { ref: 'ai/openai/a', weight: 1, apiKey: 'sk-first' };
const second: CompiledCredential = { ref: 'ai/openai/b', weight: 1, apiKey: 'sk-second' };

function target(credential: CompiledCredential | undefined, over: Partial<CompiledBackend> = {}): BackendTarget {
  return { backend: { ...backend, ...over }, credential, defaultMaxTokens: 4096 };
}

function chat(stream: boolean): UnifiedChatRequest {
  return { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream };
}

function encode(adapter: HttpProviderAdapter, t: BackendTarget, stream: boolean): { url: string; headers: Record<string, string> } {
  const { url, headers } = adapter.encodeChatRequest(chat(stream), t);
  return { url, headers };
}

describe('OpenAI-family request target', () => {
  it('keeps each credential its own authorization header on one backend', () => {
    const a = target(first);
    const b = { ...a, credential: second };
    expect(encode(openaiAdapter, a, false).headers.authorization).toBe('Bearer sk-first');
    expect(encode(openaiAdapter, b, false).headers.authorization).toBe('Bearer sk-second');
    expect(encode(openaiAdapter, a, false).headers.authorization).toBe('Bearer sk-first');
  });

  it('asks for an event stream only on streaming requests', () => {
    const t = target(first);
    expect(encode(openaiAdapter, t, true).headers).toEqual({
      'openai-organization': 'org-1',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer sk-first',
    });
    expect(encode(openaiAdapter, t, false).headers.accept).toBe('application/json');
    expect(encode(openaiAdapter, t, true).headers.accept).toBe('text/event-stream');
  });

  it('sends no authorization header without a key (local servers)', () => {
    expect(encode(openaiAdapter, target(undefined), false).headers).not.toHaveProperty('authorization');
  });

  it('builds the URL from the backend, and a new table object gets its own', () => {
    expect(encode(openaiAdapter, target(first), false).url).toBe('https://api.openai.com/v1/chat/completions');
    expect(encode(openaiAdapter, target(first, { baseURL: 'http://127.0.0.1:9/v1/' }), false).url).toBe(
      'http://127.0.0.1:9/v1/chat/completions',
    );
  });

  it('uses the endpoint of the adapter (Azure: deployment URL and api-key header)', () => {
    const azure = target(first, {
      provider: 'azure-openai',
      baseURL: 'https://res.openai.azure.com',
      azure: { deployment: 'gpt4o', apiVersion: '2024-10-21' },
    });
    const encoded = encode(azureOpenAIAdapter, azure, false);
    expect(encoded.url).toContain('/openai/deployments/gpt4o/chat/completions');
    expect(encoded.headers['api-key']).toBe('sk-first');
    expect(encoded.headers).not.toHaveProperty('authorization');
  });

  it('hands out headers nobody can change for the next request', () => {
    const t = target(first);
    const { headers } = encode(openaiAdapter, t, false);
    expect(() => {
      headers.authorization = 'Bearer stolen';
    }).toThrow(TypeError);
    expect(encode(openaiAdapter, t, false).headers.authorization).toBe('Bearer sk-first');
  });
});
