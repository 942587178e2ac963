// Which publisher serves a model id, and the URL each call goes to.

import { describe, expect, it } from '@jest/globals';
import { resolveBaseURL } from '@switchyard/compiler';
import {
  vertexChatMethod,
  vertexModelUrl,
  vertexPublisherForModel,
  type VertexMethod,
  type VertexPublisher,
} from '../../../src/providers/vertex-ai/vertex-ai-urls.js';

describe('vertexPublisherForModel', () => {
  const cases: Array<[string, VertexPublisher]> = [
    ['claude-sonnet-4-5@20250929', 'anthropic'],
    ['claude-3-5-haiku@20241022', 'anthropic'],
    ['claude-opus-4-1', 'anthropic'],
    ['Claude-Sonnet-4-5', 'anthropic'],
    ['gemini-2.5-flash', 'google'],
    ['gemini-3-pro-preview', 'google'],
    ['text-embedding-005', 'google'],
    ['gemini-embedding-001', 'google'],
    ['my-claude-finetune', 'google'],
  ];
  it.each(cases)('%s -> %s', (model, publisher) => {
    expect(vertexPublisherForModel(model)).toBe(publisher);
  });
});

describe('vertexChatMethod', () => {
  const cases: Array<[VertexPublisher, boolean, VertexMethod]> = [
    ['google', false, 'generateContent'],
    ['google', true, 'streamGenerateContent'],
    ['anthropic', false, 'rawPredict'],
    ['anthropic', true, 'streamRawPredict'],
  ];
  it.each(cases)('%s stream=%s -> %s', (publisher, stream, method) => {
    expect(vertexChatMethod(publisher, stream)).toBe(method);
  });
});

describe('vertexModelUrl', () => {
  const vertex = { project: 'acme-prod', location: 'us-east5' };
  const cases: Array<[string, string, { project: string; location: string }, VertexPublisher, string, VertexMethod, string]> = [
    [
      'Gemini, regional host',
      'https://us-east5-aiplatform.googleapis.com',
      vertex,
      'google',
      'gemini-2.5-flash',
      'generateContent',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
    [
      'Gemini stream asks for SSE',
      'https://us-east5-aiplatform.googleapis.com',
      vertex,
      'google',
      'gemini-2.5-flash',
      'streamGenerateContent',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ],
    [
      'Claude keeps the @version',
      'https://us-east5-aiplatform.googleapis.com',
      vertex,
      'anthropic',
      'claude-sonnet-4-5@20250929',
      'rawPredict',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict',
    ],
    [
      'Claude stream has no alt parameter',
      'https://us-east5-aiplatform.googleapis.com',
      vertex,
      'anthropic',
      'claude-sonnet-4-5@20250929',
      'streamRawPredict',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict',
    ],
    [
      'embeddings',
      'https://us-east5-aiplatform.googleapis.com',
      vertex,
      'google',
      'text-embedding-005',
      'predict',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod/locations/us-east5/publishers/google/models/text-embedding-005:predict',
    ],
    [
      'global location',
      'https://aiplatform.googleapis.com',
      { project: 'acme-prod', location: 'global' },
      'google',
      'gemini-2.5-pro',
      'generateContent',
      'https://aiplatform.googleapis.com/v1/projects/acme-prod/locations/global/publishers/google/models/gemini-2.5-pro:generateContent',
    ],
    [
      'baseURL override with trailing slash',
      'http://127.0.0.1:8099/',
      vertex,
      'google',
      'gemini-2.5-flash',
      'generateContent',
      'http://127.0.0.1:8099/v1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
    [
      'baseURL that already names a version keeps it',
      'https://proxy.internal/vertex/v1beta1',
      vertex,
      'google',
      'gemini-2.5-flash',
      'generateContent',
      'https://proxy.internal/vertex/v1beta1/projects/acme-prod/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
    [
      'path characters are escaped',
      'https://us-east5-aiplatform.googleapis.com',
      { project: 'a/b', location: 'us-east5' },
      'google',
      'model?x',
      'generateContent',
      'https://us-east5-aiplatform.googleapis.com/v1/projects/a%2Fb/locations/us-east5/publishers/google/models/model%3Fx:generateContent',
    ],
  ];
  it.each(cases)('%s', (_name, baseURL, where, publisher, model, method, expected) => {
    expect(vertexModelUrl(baseURL, where, publisher, model, method)).toBe(expected);
  });
});

describe('the compiled default base URL reaches the adapter', () => {
  const cases: Array<[string, string]> = [
    [
      'us-central1',
      'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
    [
      'europe-west4',
      'https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
    [
      'global',
      'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent',
    ],
  ];
  it.each(cases)('location %s', (location, expected) => {
    const baseURL = resolveBaseURL('vertex-ai', undefined, { location });
    expect(baseURL).toBeDefined();
    expect(vertexModelUrl(baseURL as string, { project: 'p', location }, 'google', 'gemini-2.5-flash', 'generateContent')).toBe(expected);
  });
});
