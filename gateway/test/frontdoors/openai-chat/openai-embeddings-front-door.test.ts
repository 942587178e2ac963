import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { openAIChatFrontDoor } from '../../../src/frontdoors/openai-chat/index.js';
import { decodeFloat32Base64 } from '../../../src/wire/openai-chat/float32-base64.js';
import { openAISchemaErrors } from './openai-schema-validator.js';

const response = {
  model: 'text-embedding-3-small',
  embeddings: [
    [0.5, -0.25, 0.125],
    [1, 0, -1],
  ],
  usage: { inputTokens: 7 },
};

describe('OpenAI front door: embeddings', () => {
  it('decodes a string input', () => {
    expect(openAIChatFrontDoor.decodeEmbeddingsRequest({ model: 'emb', input: 'hello' }, { requestId: 'r' })).toEqual({
      model: 'emb',
      input: ['hello'],
    });
  });

  it('decodes an array input with options', () => {
    expect(
      openAIChatFrontDoor.decodeEmbeddingsRequest(
        { model: 'emb', input: ['a', 'b'], dimensions: 256, encoding_format: 'float', user: 'u' },
        { requestId: 'r' },
      ),
    ).toEqual({ model: 'emb', input: ['a', 'b'], dimensions: 256, encodingFormat: 'float', user: 'u' });
  });

  const invalid: Array<[string, unknown, string]> = [
    ['token array', { model: 'e', input: [1, 2, 3] }, 'input'],
    ['array of token arrays', { model: 'e', input: [[1, 2]] }, 'input'],
    ['missing input', { model: 'e' }, 'input'],
    ['empty string', { model: 'e', input: '' }, 'input'],
    ['empty array', { model: 'e', input: [] }, 'input'],
    ['empty string inside', { model: 'e', input: ['a', ''] }, 'input[1]'],
    ['missing model', { input: 'a' }, 'model'],
    ['bad encoding_format', { model: 'e', input: 'a', encoding_format: 'int8' }, 'encoding_format'],
    ['bad dimensions', { model: 'e', input: 'a', dimensions: 0 }, 'dimensions'],
  ];
  it.each(invalid)('refuses %s naming %s', (_name, body, param) => {
    let caught: unknown;
    try {
      openAIChatFrontDoor.decodeEmbeddingsRequest(body, { requestId: 'r' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).status).toBe(400);
  });

  it('encodes floats as a list with the public model name', () => {
    const context = { requestId: 'r1' };
    openAIChatFrontDoor.decodeEmbeddingsRequest({ model: 'my-emb', input: ['a', 'b'] }, context);
    const body = JSON.parse(openAIChatFrontDoor.encodeEmbeddingsResponse(response, 'my-emb', context)) as unknown;
    expect(body).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -0.25, 0.125] },
        { object: 'embedding', index: 1, embedding: [1, 0, -1] },
      ],
      model: 'my-emb',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(openAISchemaErrors('CreateEmbeddingResponse', body)).toEqual([]);
  });

  it('encodes base64 (little-endian float32) when the caller asked for it', () => {
    const context = { requestId: 'r2' };
    openAIChatFrontDoor.decodeEmbeddingsRequest({ model: 'my-emb', input: ['a', 'b'], encoding_format: 'base64' }, context);
    const body = JSON.parse(openAIChatFrontDoor.encodeEmbeddingsResponse(response, 'my-emb', context)) as {
      data: Array<{ embedding: string }>;
    };
    expect(typeof body.data[0]!.embedding).toBe('string');
    expect(decodeFloat32Base64(body.data[0]!.embedding)).toEqual([0.5, -0.25, 0.125]);
    expect(decodeFloat32Base64(body.data[1]!.embedding)).toEqual([1, 0, -1]);
  });
});
