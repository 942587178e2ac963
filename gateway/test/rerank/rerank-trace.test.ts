// A rerank request is traced like chat and embeddings: a server span `rerank <model>` with
// `gen_ai.operation.name: rerank`, the route, backend and input tokens, and Cohere's search units
// as `switchyard.search_units`, exported over OTLP by the gateway process.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { DOCUMENTS, QUERY, rerankBackend, startRerankUpstream, type RerankUpstream } from './rerank-upstreams.js';

const key = testKey('reranktrace');

describe('rerank trace span', () => {
  let collector: OtlpCollector;
  let upstream: RerankUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startRerankUpstream('cohere');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('rerank', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'traced-rr', backends: [rerankBackend('co', 'cohere', upstream.server.url, { model: 'rerank-v3.5' })] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
      env: collector.gatewayEnv,
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
    await collector?.close();
  });

  it('names the operation, route, backend, tokens and search units', async () => {
    const answer = await postJson(gateway, '/v2/rerank', key, { model: 'traced-rr', query: QUERY, documents: DOCUMENTS });
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('x-request-id');
    const server = await collector.spanOfRequest(requestId);
    expect(server.name).toBe('rerank traced-rr');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'rerank',
      'gen_ai.request.model': 'traced-rr',
      'switchyard.route': 'default/traced-rr',
      'switchyard.backend': 'co',
      'switchyard.search_units': 1,
      'gen_ai.response.model': 'rerank-v3.5',
    });
    expect(Number(server.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
  });
});
