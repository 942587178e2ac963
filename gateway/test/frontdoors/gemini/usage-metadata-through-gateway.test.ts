// usageMetadata through the Gemini front door is exactly the provider's usage in Gemini's terms:
// promptTokenCount counts cached tokens too, candidatesTokenCount excludes thoughts,
// thoughtsTokenCount and cachedContentTokenCount appear when non-zero, totalTokenCount is their
// sum. Each provider is scripted with every count it can report.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  cellName,
  expectedUsageMetadata,
  modelFor,
  mockProviderUsage,
  providersInTree,
  scriptText,
  startRig,
  type ProviderFamily,
  type Rig,
  type ScriptedUsage,
} from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

const PROMPT = 'Summarize the cached document.';

/** Anthropic and Bedrock report no separate reasoning count, so none is scripted for them. */
function usageFor(provider: ProviderFamily): ScriptedUsage {
  const reasoning = provider === 'openai' || provider === 'gemini' ? 7 : 0;
  return { input: 1200, cached: 1024, output: 35, reasoning };
}

describe.each(providersInTree())('usageMetadata', (provider) => {
  it(cellName(provider, 'usage carried exactly, not streamed'), async () => {
    const usage = usageFor(provider);
    const text = scriptText(rig, provider, 'The document is about trains.', usage, PROMPT);
    const response = await rig.client.models.generateContent({ model: modelFor(provider), contents: PROMPT });
    expect(response.usageMetadata).toEqual(expectedUsageMetadata(provider === 'mock' ? mockProviderUsage(PROMPT, text) : usage));
  });

  it(cellName(provider, 'usage carried exactly, streamed'), async () => {
    const usage = usageFor(provider);
    const text = scriptText(rig, provider, 'The document is about trains.', usage, PROMPT);
    const withUsage = [];
    for await (const chunk of await rig.client.models.generateContentStream({ model: modelFor(provider), contents: PROMPT })) {
      if (chunk.usageMetadata !== undefined) withUsage.push(chunk.usageMetadata);
    }
    expect(withUsage).toEqual([expectedUsageMetadata(provider === 'mock' ? mockProviderUsage(PROMPT, text) : usage)]);
  });
});
