import { describe, expect, it } from '@jest/globals';
import { geminiFrontDoorRoutes } from '../../../src/frontdoors/gemini/gemini-front-door-routes.js';
import { geminiBatchEmbedFrontDoor, geminiFrontDoor } from '../../../src/frontdoors/gemini/gemini-front-door.js';
import { parseGeminiModelPath } from '../../../src/frontdoors/gemini/gemini-model-path.js';
import { createFrontDoorRouter } from '../../../src/server/front-door-router.js';

describe('Gemini front door: models/{model}:{method} paths', () => {
  it.each([
    ['gemini-flash:generateContent', { model: 'gemini-flash', method: 'generateContent' }],
    ['gemini-flash:streamGenerateContent', { model: 'gemini-flash', method: 'streamGenerateContent' }],
    ['team/model-1:countTokens', { model: 'team/model-1', method: 'countTokens' }],
    ['team%2Fmodel-1:embedContent', { model: 'team/model-1', method: 'embedContent' }],
    ['models/gemini-flash:batchEmbedContents', { model: 'gemini-flash', method: 'batchEmbedContents' }],
  ])('%s', (rest, expected) => {
    expect(parseGeminiModelPath(rest)).toEqual(expected);
  });

  it.each([['gemini-flash'], [':generateContent'], ['gemini-flash:predict'], ['gemini-flash:'], ['%E0%A4%A:generateContent']])('%s names no model and known method', (rest) => {
    expect(parseGeminiModelPath(rest)).toBeUndefined();
  });
});

describe('Gemini front door: routes', () => {
  const router = createFrontDoorRouter(geminiFrontDoorRoutes);

  it.each([
    ['/genai/v1beta/models/gemini-flash:generateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: false }],
    ['/genai/v1beta/models/gemini-flash:streamGenerateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: true }],
    ['/genai/v1/models/gemini-flash:generateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: false }],
    ['/genai/v1beta/models/embedder:embedContent', 'embeddings', geminiFrontDoor, { pathModel: 'embedder', pathStream: false }],
    ['/genai/v1beta/models/embedder:batchEmbedContents', 'embeddings', geminiBatchEmbedFrontDoor, { pathModel: 'embedder', pathStream: false }],
  ])('%s', (path, operation, frontDoor, match) => {
    const routed = router.find(path);
    expect(routed?.binding.operation).toBe(operation);
    expect(routed?.binding.frontDoor).toBe(frontDoor);
    expect(routed?.match).toEqual(match);
  });

  it.each([['/genai/v1beta/models/x:countTokens'], ['/genai/v1beta/models'], ['/genai/v1beta/models/x'], ['/genai/v2/models/x:generateContent']])(
    '%s is not a pipeline route',
    (path) => {
      expect(router.find(path)).toBeUndefined();
    },
  );
});
