// Embeddings through the Gemini front door: @google/genai `models.embedContent` (which calls
// `:batchEmbedContents`) and a raw `:embedContent`, to every backend family. Providers without
// embeddings answer Google's 400.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiError } from '@google/genai';
import { mockEmbedding } from '../../../src/providers/mock/mock-embeddings.js';
import { deterministicEmbedding } from '../../mocks/gemini-mock-server.js';
import { deterministicVector } from '../../mocks/openai-mock-server.js';
import { cellName, modelFor, providersInTree, startRig, VIRTUAL_KEY, type ProviderFamily, type Rig } from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

const TEXTS = ['the quick brown fox', 'jumps over the lazy dog'];

/** The vector each provider's mock produces; undefined where the provider has no embeddings. */
function expectedVector(provider: ProviderFamily, text: string, dimensions: number): number[] | undefined {
  switch (provider) {
    case 'mock':
      return mockEmbedding(text, dimensions);
    case 'openai':
      return deterministicVector(text, dimensions);
    case 'gemini':
      return deterministicEmbedding(text, dimensions);
    default:
      return undefined;
  }
}

async function expectUnsupported(call: Promise<unknown>, provider: ProviderFamily): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(400);
  const body = JSON.parse((error as ApiError).message) as { error: { code: number; status: string; message: string } };
  expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  // The rig routes each family to a chat model: Bedrock serves embeddings only for Titan and Cohere models.
  expect(body.error.message).toMatch(new RegExp(`^embeddings .*is not supported by provider ${provider}`));
}

describe.each(providersInTree())('embeddings', (provider) => {
  it(cellName(provider, 'models.embedContent (batchEmbedContents) with taskType and outputDimensionality'), async () => {
    const call = rig.client.models.embedContent({
      model: modelFor(provider),
      contents: TEXTS,
      config: { outputDimensionality: 4, taskType: 'RETRIEVAL_DOCUMENT' },
    });
    const vectors = TEXTS.map((text) => expectedVector(provider, text, 4));
    if (vectors[0] === undefined) return expectUnsupported(call, provider);

    const response = await call;
    expect(response.embeddings?.map((e) => e.values)).toEqual(vectors);
    if (provider === 'gemini') {
      expect(rig.gemini.calls[0]).toMatchObject({ model: 'gemini-2.5-flash', method: 'batchEmbedContents' });
      expect(rig.gemini.calls[0]?.body).toEqual({
        requests: TEXTS.map((text) => ({
          model: 'models/gemini-2.5-flash',
          content: { parts: [{ text }] },
          taskType: 'RETRIEVAL_DOCUMENT',
          outputDimensionality: 4,
        })),
      });
    }
    if (provider === 'openai') expect(rig.openai.embeddingRequests[0]).toMatchObject({ model: 'gpt-4o-mini', input: TEXTS, dimensions: 4 });
  });

  it(cellName(provider, ':embedContent with one content answers {embedding: {values}}'), async () => {
    const call = fetch(`${rig.gateway.url}/genai/v1beta/models/${modelFor(provider)}:embedContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': VIRTUAL_KEY },
      body: JSON.stringify({ content: { parts: [{ text: TEXTS[0] }] }, outputDimensionality: 3 }),
    });
    const response = await call;
    const body = (await response.json()) as { embedding?: { values: number[] }; error?: { status: string; message: string } };
    const vector = expectedVector(provider, TEXTS[0] as string, 3);
    if (vector === undefined) {
      expect(response.status).toBe(400);
      expect(body.error?.status).toBe('INVALID_ARGUMENT');
      return;
    }
    expect(response.status).toBe(200);
    expect(body).toEqual({ embedding: { values: vector } });
  });
});
