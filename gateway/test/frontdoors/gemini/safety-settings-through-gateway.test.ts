// safetySettings through the Gemini front door: sent to Gemini backends as they are, dropped for
// every other provider (which have no per-request safety thresholds), never an error.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { HarmBlockThreshold, HarmCategory } from '@google/genai';
import { cellName, lastUpstreamBody, modelFor, providersInTree, scriptText, startRig, type Rig } from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

const safetySettings = [{ category: HarmCategory.HARM_CATEGORY_HARASSMENT, threshold: HarmBlockThreshold.BLOCK_ONLY_HIGH }];

describe.each(providersInTree())('safetySettings', (provider) => {
  it(
    cellName(provider, provider === 'gemini' ? 'safetySettings reach Gemini unchanged' : 'safetySettings are dropped, the call succeeds'),
    async () => {
      const text = scriptText(rig, provider, 'Fine.', { input: 3, cached: 0, output: 1, reasoning: 0 }, 'hello');
      const response = await rig.client.models.generateContent({
        model: modelFor(provider),
        contents: 'hello',
        config: { safetySettings },
      });
      expect(response.text).toBe(text);
      const upstream = lastUpstreamBody(rig, provider);
      if (provider === 'gemini')
        expect(upstream?.['safetySettings']).toEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }]);
      else if (upstream !== undefined) expect(JSON.stringify(upstream)).not.toContain('HARM_CATEGORY');
    },
  );
});
