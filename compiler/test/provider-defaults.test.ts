import { describe, expect, it } from '@jest/globals';
import { PROVIDER_DEFAULTS, resolveBaseURL, type ProviderName } from '../src/index.js';

describe('provider default base URLs', () => {
  it.each<[ProviderName, string]>([
    ['openai', 'https://api.openai.com/v1'],
    ['anthropic', 'https://api.anthropic.com'],
    ['gemini', 'https://generativelanguage.googleapis.com'],
    ['mistral', 'https://api.mistral.ai/v1'],
    ['groq', 'https://api.groq.com/openai/v1'],
    ['deepseek', 'https://api.deepseek.com/v1'],
    ['xai', 'https://api.x.ai/v1'],
    ['together', 'https://api.together.xyz/v1'],
    ['fireworks', 'https://api.fireworks.ai/inference/v1'],
    ['openrouter', 'https://openrouter.ai/api/v1'],
    ['cohere', 'https://api.cohere.ai/compatibility/v1'],
    ['ollama', 'http://127.0.0.1:11434/v1'],
    ['vllm', 'http://127.0.0.1:8000/v1'],
  ])('%s -> %s', (provider, url) => {
    expect(PROVIDER_DEFAULTS[provider].baseURL).toBe(url);
    expect(resolveBaseURL(provider, undefined, {})).toBe(url);
  });

  it('fills the Bedrock region and the Vertex location', () => {
    expect(resolveBaseURL('bedrock', undefined, { region: 'ap-southeast-2' })).toBe('https://bedrock-runtime.ap-southeast-2.amazonaws.com');
    expect(resolveBaseURL('vertex-ai', undefined, { location: 'us-central1' })).toBe('https://us-central1-aiplatform.googleapis.com');
    expect(resolveBaseURL('vertex-ai', undefined, { location: 'global' })).toBe('https://aiplatform.googleapis.com');
  });

  it('has no default for openai-compatible and azure-openai', () => {
    expect(resolveBaseURL('openai-compatible', undefined, {})).toBeUndefined();
    expect(resolveBaseURL('azure-openai', undefined, {})).toBeUndefined();
  });

  it('uses an explicit baseURL without its trailing slashes', () => {
    expect(resolveBaseURL('openai', 'https://proxy.internal/v1//', {})).toBe('https://proxy.internal/v1');
    expect(resolveBaseURL('azure-openai', 'https://acme.openai.azure.com/openai/', {})).toBe('https://acme.openai.azure.com/openai');
  });
});
