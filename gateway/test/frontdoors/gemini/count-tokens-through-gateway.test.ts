// @google/genai `models.countTokens` through the Gemini front door: the gateway's estimate, for
// every route the key may use, without any upstream call; the key's allow-list still applies.
// The count-tokens endpoint the Gemini front door declares, run by the pipeline.

import { IMAGE_TOKENS } from '../../../src/unified/estimate-input-tokens.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '@google/genai';
import { cellName, modelFor, NARROW_KEY, providersInTree, startRig, VIRTUAL_KEY, type Rig } from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

function upstreamCalls(): number {
  return rig.openai.requests.length + rig.anthropic.requests.length + rig.gemini.requests.length + (rig.bedrock?.calls.length ?? 0);
}

describe.each(providersInTree())('countTokens', (provider) => {
  it(cellName(provider, 'countTokens estimates one token per four characters and calls no provider'), async () => {
    // 44 characters of text -> 11 tokens.
    const response = await rig.client.models.countTokens({
      model: modelFor(provider),
      contents: 'The quick brown fox jumps over the lazy dog.',
    });
    expect(response.totalTokens).toBe(11);
    expect(upstreamCalls()).toBe(0);
  });

  it(cellName(provider, 'countTokens with generateContentRequest counts the system instruction, tools and an image'), async () => {
    const response = await fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor(provider)}:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': VIRTUAL_KEY },
      body: JSON.stringify({
        generateContentRequest: {
          model: `models/${modelFor(provider)}`,
          systemInstruction: { parts: [{ text: 'Be brief.' }] },
          contents: [{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }],
          tools: [{ functionDeclarations: [{ name: 'f' }] }],
        },
      }),
    });
    expect(response.status).toBe(200);
    // "Be brief." 9 + "What is this?" 13 bytes + the tool as JSON, 4 bytes a token, plus the image charge.
    const tool = JSON.stringify({ name: 'f', description: '', parameters: { type: 'object', properties: {} } });
    expect(await response.json()).toEqual({ totalTokens: Math.ceil((9 + 13 + tool.length) / 4) + IMAGE_TOKENS });
  });

  if (provider !== 'mock') {
    it(cellName(provider, "countTokens on a model outside the key's allow-list is 403"), async () => {
      const error = await rig
        .clientWithKey(NARROW_KEY)
        .models.countTokens({ model: modelFor(provider), contents: 'hi' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(403);
      expect(JSON.parse((error as ApiError).message)).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    });
  }
});
