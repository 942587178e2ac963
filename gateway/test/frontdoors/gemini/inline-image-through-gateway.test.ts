// An inlineData image sent with @google/genai through the Gemini front door reaches every
// backend family as that provider's image input, bytes unchanged.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { cellName, lastUpstreamBody, modelFor, providersInTree, scriptText, startRig, type Rig } from './gemini-front-door-rig.js';

// A 1x1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const PROMPT = 'What is in this picture?';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

describe.each(providersInTree())('inline image', (provider) => {
  it(cellName(provider, 'inlineData image part reaches the provider as an image'), async () => {
    const expectedText = scriptText(
      rig,
      provider,
      'A single transparent pixel.',
      { input: 270, cached: 0, output: 6, reasoning: 0 },
      PROMPT,
    );
    const response = await rig.client.models.generateContent({
      model: modelFor(provider),
      contents: [{ role: 'user', parts: [{ text: PROMPT }, { inlineData: { mimeType: 'image/png', data: PNG } }] }],
    });
    expect(response.text).toBe(expectedText);

    const upstream = lastUpstreamBody(rig, provider);
    switch (provider) {
      case 'openai':
        expect(upstream?.['messages']).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: PROMPT },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            ],
          },
        ]);
        break;
      case 'anthropic':
        expect(upstream?.['messages']).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: PROMPT },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            ],
          },
        ]);
        break;
      case 'gemini':
        expect(upstream?.['contents']).toEqual([
          { role: 'user', parts: [{ text: PROMPT }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
        ]);
        break;
      case 'bedrock':
        expect(upstream?.['messages']).toEqual([
          { role: 'user', content: [{ text: PROMPT }, { image: { format: 'png', source: { bytes: PNG } } }] },
        ]);
        break;
      case 'mock':
        expect(upstream).toBeUndefined();
        break;
    }
  });
});
