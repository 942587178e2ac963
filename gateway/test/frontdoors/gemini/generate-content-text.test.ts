// @google/genai generateContent through the Gemini front door, to every backend family: the text,
// finish reason, modelVersion (the public name), usage, the backend header, and what the
// upstream received.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  cellName,
  lastUpstreamBody,
  modelFor,
  mockProviderUsage,
  providersInTree,
  scriptText,
  startRig,
  type Rig,
} from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

describe.each(providersInTree())('generateContent', (provider) => {
  it(cellName(provider, 'text answer with system instruction and generation config'), async () => {
    const prompt = 'What is the capital of France?';
    const usage = { input: 14, cached: 0, output: 6, reasoning: 0 };
    const expectedText = scriptText(rig, provider, 'Paris.', usage, prompt);

    const response = await rig.client.models.generateContent({
      model: modelFor(provider),
      contents: prompt,
      config: { systemInstruction: 'Answer in one word.', maxOutputTokens: 50, temperature: 0.2, stopSequences: ['END'] },
    });

    expect(response.text).toBe(expectedText);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.modelVersion).toBe(modelFor(provider));
    const expectedUsage = provider === 'mock' ? mockProviderUsage(`Answer in one word.${prompt}`, expectedText) : usage;
    expect(response.usageMetadata).toEqual({
      promptTokenCount: expectedUsage.input,
      candidatesTokenCount: expectedUsage.output,
      totalTokenCount: expectedUsage.input + expectedUsage.output,
    });
    expect(response.sdkHttpResponse?.headers?.['x-switchyard-backend']).toBe(`${provider}-backend`);

    const upstream = lastUpstreamBody(rig, provider);
    switch (provider) {
      case 'openai':
        expect(upstream).toMatchObject({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Answer in one word.' },
            { role: 'user', content: prompt },
          ],
          temperature: 0.2,
          stop: ['END'],
        });
        break;
      case 'anthropic':
        expect(upstream).toMatchObject({
          model: 'claude-sonnet-4-5',
          max_tokens: 50,
          temperature: 0.2,
          stop_sequences: ['END'],
          messages: [{ role: 'user' }],
        });
        expect(JSON.stringify(upstream?.['system'])).toContain('Answer in one word.');
        break;
      case 'gemini':
        expect(upstream).toEqual({
          contents: [{ role: 'user', parts: [{ text: prompt }] }],
          systemInstruction: { parts: [{ text: 'Answer in one word.' }] },
          generationConfig: { maxOutputTokens: 50, temperature: 0.2, stopSequences: ['END'] },
        });
        break;
      case 'bedrock':
        expect(upstream).toMatchObject({
          system: [{ text: 'Answer in one word.' }],
          inferenceConfig: { maxTokens: 50, temperature: 0.2, stopSequences: ['END'] },
        });
        break;
      case 'mock':
        expect(upstream).toBeUndefined();
        break;
    }
  });
});
