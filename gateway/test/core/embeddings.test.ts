// POST /v1/embeddings goes through the same pipeline: key, allow-list, routing, retries.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, openAIBackend, openAIClient, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('embeddings');
const chatOnly = testKey('chatonly');

describe('embeddings', () => {
  let upstream: OpenAIMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          ...keyObjects({ name: 'chat-only', key: chatOnly, allowedModels: ['chat-*'] }),
          secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
          routeObject({ name: 'embed-mock', backends: [mockBackend('mock-embedder')] }),
          routeObject({
            name: 'embed-http',
            backends: [openAIBackend('http-embedder', upstream.url, { model: 'text-embedding-3-small' })],
            retry: { attempts: 2, backoff: { initial: '1ms', max: '1ms' } },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('embeds with the mock provider', async () => {
    const result = await openAIClient(gateway, key).embeddings.create({
      model: 'embed-mock',
      input: ['one', 'two'],
      dimensions: 16,
      encoding_format: 'float',
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(16);
    expect(result.model).toBe('embed-mock');
  });

  it('embeds through an HTTP upstream, retrying a server error', async () => {
    upstream.script({ error: { status: 500, message: 'boom', type: 'server_error' } });
    const { data, response } = await openAIClient(gateway, key)
      .embeddings.create({ model: 'embed-http', input: 'hello world', encoding_format: 'float' })
      .withResponse();
    expect(data.data[0]?.embedding).toHaveLength(8);
    expect(response.headers.get('x-switchyard-attempts')).toBe('2');
    expect(upstream.embeddingRequests.at(-1)).toMatchObject({ model: 'text-embedding-3-small' });
  });

  it('applies the allow-list', async () => {
    await expect(openAIClient(gateway, chatOnly).embeddings.create({ model: 'embed-mock', input: 'x' })).rejects.toMatchObject({
      status: 403,
    });
  });
});
