// An image request is traced like chat: a server span `image_generation <model>` with
// `gen_ai.operation.name: image_generation`, the route, backend, the model that answered, GPT
// Image's tokens and how many images were answered (`switchyard.images`), exported over OTLP by
// the gateway process.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, openAIClient, routeObject, testKey } from '../core/core-fixtures.js';
import { startImagesMockServer, type ImagesMockServer } from '../mocks/images-mock-server.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { imagesSecret, openAIImageBackend } from './image-upstreams.js';

const key = testKey('imagestrace');

describe('images trace span', () => {
  let collector: OtlpCollector;
  let upstream: ImagesMockServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startImagesMockServer();
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          imagesSecret,
          routeObject({ name: 'traced-img', backends: [openAIImageBackend('oa', 'gpt-image-1', upstream.url)] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      env: collector.gatewayEnv,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await collector?.close();
  });

  it('names the operation, route, backend, tokens and images', async () => {
    const { response } = await openAIClient(gateway, key).images.generate({ model: 'traced-img', prompt: 'a kite', n: 2 }).withResponse();
    const requestId = response.headers.get('x-request-id');
    const server = await collector.spanOfRequest(requestId);
    expect(server.name).toBe('image_generation traced-img');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.request.model': 'traced-img',
      'switchyard.route': 'default/traced-img',
      'switchyard.backend': 'oa',
      'switchyard.images': 2,
      'gen_ai.response.model': 'gpt-image-1',
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 4160,
    });
  });
});
