// The official OpenAI SDK `embeddings.create` -> the running gateway -> `bedrock` backends serving
// Titan Text Embeddings and Cohere Embed through InvokeModel, answered by the Bedrock mock, which
// verifies every SigV4 signature and checks each body against the model family's schema.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { decodeFloat32Base64 } from '../../../src/wire/openai-chat/float32-base64.js';
import { mockEmbedding, mockTokenCount, startBedrockMockServer, type BedrockMockServer } from '../../mocks/bedrock-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { CLAUDE_MODEL_ID, TEST_AWS_IDENTITY } from './bedrock-test-target.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-bedrockEmbeddings0123456789abcdefXYZ';
const TITAN_V2 = 'amazon.titan-embed-text-v2:0';
const TITAN_V1 = 'amazon.titan-embed-text-v1';
const COHERE = 'cohere.embed-english-v3';

function manifests(mockUrl: string): string {
  const route = (name: string, modelId: string, secret = 'aws'): unknown => ({
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      model: name,
      backends: [
        {
          name: `${name}-backend`,
          provider: 'bedrock',
          model: modelId,
          baseURL: mockUrl,
          bedrock: { region: 'us-east-1' },
          credentials: [{ secretRef: { name: secret } }],
        },
      ],
      retry: { attempts: 3, backoff: { initial: '10ms', max: '100ms' }, on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] },
      outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' },
    },
  });
  const objects = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: 'default' }, stringData: TEST_AWS_IDENTITY },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'aws-wrong', namespace: 'default' },
      stringData: { ...TEST_AWS_IDENTITY, secretAccessKey: 'not-the-secret-0123456789' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'embeddings-key', namespace: 'default' }, stringData: { key: VIRTUAL_KEY } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name: 'embeddings', namespace: 'default' },
      spec: { secretName: 'embeddings-key' },
    },
    route('titan-v2', TITAN_V2),
    route('titan-v1', TITAN_V1),
    route('cohere-embed', COHERE),
    route('claude-as-embedder', CLAUDE_MODEL_ID),
    route('titan-v2-wrong-key', TITAN_V2, 'aws-wrong'),
  ];
  return `${objects.map((object) => JSON.stringify(object, null, 2)).join('\n---\n')}\n`;
}

let bedrock: BedrockMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

beforeAll(async () => {
  bedrock = await startBedrockMockServer({ identities: [TEST_AWS_IDENTITY] });
  gateway = await startGateway({ manifests: { 'bedrock-embeddings.yaml': manifests(bedrock.url) } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
});
beforeEach(() => {
  bedrock.setDefaultReply({ capture: 'amazon-bedrock-text' });
});

function lastCall() {
  const call = bedrock.calls[bedrock.calls.length - 1];
  if (!call) throw new Error('the Bedrock mock received no call');
  return call;
}

async function failureOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const failure = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(OpenAI.APIError);
  return failure as InstanceType<typeof OpenAI.APIError>;
}

function expectVector(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  // The SDK's default base64 transport carries float32.
  actual.forEach((value, i) => {
    expect(value).toBeCloseTo(expected[i] as number, 6);
  });
}

describe('OpenAI SDK embeddings -> gateway -> bedrock InvokeModel', () => {
  it('Titan V2 with dimensions: the signed InvokeModel body, the vector and usage', async () => {
    const text = 'The quick brown fox jumps';
    const { data, response } = await client.embeddings
      .create({ model: 'titan-v2', input: text, dimensions: 256, encoding_format: 'float' })
      .withResponse();
    expect(lastCall()).toMatchObject({
      operation: 'invoke',
      modelId: TITAN_V2,
      status: 200,
      body: { inputText: text, dimensions: 256, normalize: true },
    });
    expect(data.model).toBe('titan-v2');
    expect(data.data).toHaveLength(1);
    expect(data.data[0]?.embedding).toEqual(mockEmbedding(text, 256));
    expect(data.usage).toEqual({ prompt_tokens: mockTokenCount(text), total_tokens: mockTokenCount(text) });
    expect(response.headers.get('x-switchyard-backend')).toBe('titan-v2-backend');
  });

  it('Titan V1 through the SDK default (base64 on the wire, decoded by the SDK)', async () => {
    const text = 'embed me';
    const result = await client.embeddings.create({ model: 'titan-v1', input: [text] });
    expect(lastCall().body).toEqual({ inputText: text });
    expectVector(result.data[0]?.embedding ?? [], mockEmbedding(text, 1536));
    expect(result.usage.prompt_tokens).toBe(2);
  });

  it('encoding_format base64: little-endian float32 produced by the front door from Bedrock floats', async () => {
    const text = 'base64 please';
    const result = await client.embeddings.create({ model: 'titan-v2', input: text, dimensions: 512, encoding_format: 'base64' });
    const encoded = result.data[0]?.embedding as unknown;
    expect(typeof encoded).toBe('string');
    expectVector(decodeFloat32Base64(encoded as string), mockEmbedding(text, 512));
  });

  it('Cohere with several inputs: one call, every vector in order', async () => {
    const texts = ['first document about cats', 'second one', 'third document here'];
    const result = await client.embeddings.create({ model: 'cohere-embed', input: texts, encoding_format: 'float' });
    expect(lastCall()).toMatchObject({ operation: 'invoke', modelId: COHERE, status: 200, body: { texts, input_type: 'search_document' } });
    expect(result.data.map((row) => row.index)).toEqual([0, 1, 2]);
    result.data.forEach((row, i) => {
      expect(row.embedding).toEqual(mockEmbedding(texts[i] as string, 1024));
    });
    // Cohere's token count travels only in Bedrock's X-Amzn-Bedrock-Input-Token-Count header.
    expect(result.usage.prompt_tokens).toBe(texts.reduce((sum, text) => sum + mockTokenCount(text), 0));
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('Titan refuses more than one input with a 400 naming the model and the limit, without calling Bedrock', async () => {
    const callsBefore = bedrock.calls.length;
    const failure = await failureOf(client.embeddings.create({ model: 'titan-v2', input: ['one', 'two'] }));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain(TITAN_V2);
    expect(failure.message).toContain('one input per call');
    expect(bedrock.calls.length).toBe(callsBefore);
  });

  it('Titan V2 refuses dimensions it does not offer with a 400 listing the ones it does', async () => {
    const failure = await failureOf(client.embeddings.create({ model: 'titan-v2', input: 'x', dimensions: 768 }));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain('256, 512, 1024');
  });

  it('a model that is no embedding family: 400 naming the model', async () => {
    const callsBefore = bedrock.calls.length;
    const failure = await failureOf(client.embeddings.create({ model: 'claude-as-embedder', input: 'x' }));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain(CLAUDE_MODEL_ID);
    expect(failure.message).toContain('embeddings');
    expect(bedrock.calls.length).toBe(callsBefore);
  });

  it('a Bedrock ValidationException passes through as 400 with its message, not retried', async () => {
    bedrock.enqueue({ error: { status: 400, type: 'ValidationException', message: 'Input text exceeds the 8192 token limit.' } });
    const callsBefore = bedrock.calls.length;
    const failure = await failureOf(client.embeddings.create({ model: 'titan-v2', input: 'too long' }));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain('ValidationException: Input text exceeds the 8192 token limit.');
    expect(bedrock.calls.length - callsBefore).toBe(1);
  });

  it('a ThrottlingException is retried and the next attempt answers', async () => {
    bedrock.enqueue({
      error: { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
    });
    const callsBefore = bedrock.calls.length;
    const { data, response } = await client.embeddings
      .create({ model: 'cohere-embed', input: ['retry me'], encoding_format: 'float' })
      .withResponse();
    expect(data.data[0]?.embedding).toEqual(mockEmbedding('retry me', 1024));
    expect(bedrock.calls.slice(callsBefore).map((call) => call.status)).toEqual([429, 200]);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
  });

  it('a wrong secret fails the mock SigV4 check: 502 for the caller, no secret in the message', async () => {
    const failure = await failureOf(client.embeddings.create({ model: 'titan-v2-wrong-key', input: 'x' }));
    expect(failure.status).toBe(502);
    expect(lastCall()).toMatchObject({ operation: 'invoke', status: 403, errorType: 'InvalidSignatureException' });
    const text = JSON.stringify(failure.error);
    expect(text).toContain('InvalidSignatureException');
    expect(text).not.toContain('not-the-secret');
    expect(text).not.toContain(TEST_AWS_IDENTITY.secretAccessKey);
  });
});
