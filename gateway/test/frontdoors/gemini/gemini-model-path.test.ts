import { describe, expect, it } from '@jest/globals';
import { geminiFrontDoorDeclaration } from '../../../src/frontdoors/gemini/gemini-front-door-routes.js';
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

  it.each([['gemini-flash'], [':generateContent'], ['gemini-flash:predict'], ['gemini-flash:'], ['%E0%A4%A:generateContent']])(
    '%s names no model and known method',
    (rest) => {
      expect(parseGeminiModelPath(rest)).toBeUndefined();
    },
  );
});

describe('Gemini front door: routes', () => {
  const router = createFrontDoorRouter([geminiFrontDoorDeclaration]);

  it.each([
    ['/genai/v1beta/models/gemini-flash:generateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: false }],
    ['/genai/v1beta/models/gemini-flash:streamGenerateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: true }],
    ['/genai/v1/models/gemini-flash:generateContent', 'chat', geminiFrontDoor, { pathModel: 'gemini-flash', pathStream: false }],
    ['/genai/v1beta/models/embedder:embedContent', 'embeddings', geminiFrontDoor, { pathModel: 'embedder', pathStream: false }],
    [
      '/genai/v1beta/models/embedder:batchEmbedContents',
      'embeddings',
      geminiBatchEmbedFrontDoor,
      { pathModel: 'embedder', pathStream: false },
    ],
  ])('%s', (path, operation, frontDoor, match) => {
    const routed = router.find('POST', path);
    expect(routed?.endpoint.operation).toBe(operation);
    expect(routed?.endpoint.frontDoor).toBe(frontDoor);
    expect(routed?.match).toEqual(match);
  });

  it.each([
    ['POST', '/genai/v1beta/models/x:countTokens', 'count-tokens', { pathModel: 'x', pathStream: false }],
    ['GET', '/genai/v1beta/models', 'list-models', undefined],
    ['GET', '/genai/v1/models', 'list-models', undefined],
    ['GET', '/genai/v1beta/models/x', 'get-model', { pathModel: 'x' }],
    ['HEAD', '/genai/v1beta/models/x', 'get-model', { pathModel: 'x' }],
  ])('%s %s runs %s', (method, path, operation, match) => {
    const routed = router.find(method, path);
    expect(routed?.endpoint.operation).toBe(operation);
    expect(routed?.match).toEqual(match);
  });

  it.each([
    ['GET', '/genai/v1beta/models/x:countTokens'],
    ['GET', '/genai/v1beta/models/x:generateContent'],
    ['POST', '/genai/v1beta/models'],
    ['POST', '/genai/v1beta/models/x'],
    ['POST', '/genai/v1beta/models/x:unknownMethod'],
    ['POST', '/genai/v2/models/x:generateContent'],
  ])('%s %s is served by no endpoint', (method, path) => {
    expect(router.find(method, path)).toBeUndefined();
  });
});
