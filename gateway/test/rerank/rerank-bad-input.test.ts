// Bad rerank bodies are refused by the gateway process with a 400 in the OpenAI error shape whose
// `param` names the field, before anything is sent upstream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, errorOf, keyObjects, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { rerankBackend, startRerankUpstream, type RerankUpstream } from './rerank-upstreams.js';

const key = testKey('rerankbadinput');

describe('rerank bad input', () => {
  let upstream: RerankUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRerankUpstream('vllm');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('rerank', { apiKey: 'upstream-secret' }),
          routeObject({ name: 'rr', backends: [rerankBackend('v', 'vllm', `${upstream.server.url}/v1`)] }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it.each([
    ['no query', { model: 'rr', documents: ['a'] }, 'query'],
    ['documents as a string', { model: 'rr', query: 'q', documents: 'a' }, 'documents'],
    ['no documents', { model: 'rr', query: 'q', documents: [] }, 'documents'],
    ['1001 documents', { model: 'rr', query: 'q', documents: Array.from({ length: 1001 }, () => 'd') }, 'documents'],
    ['a number among the documents', { model: 'rr', query: 'q', documents: ['a', 2] }, 'documents[1]'],
    ['top_n zero', { model: 'rr', query: 'q', documents: ['a'], top_n: 0 }, 'top_n'],
    ['return_documents as text', { model: 'rr', query: 'q', documents: ['a'], return_documents: 'true' }, 'return_documents'],
  ])('%s: 400 naming the field', async (_name, body, param) => {
    const answer = await postJson(gateway, '/v1/rerank', key, body);
    expect(answer.status).toBe(400);
    expect(errorOf(answer.json).param).toBe(param);
    expect(errorOf(answer.json).message).toContain(`'${param}'`);
    expect(upstream.rerankRequests()).toHaveLength(0);
  });

  it('names the document limit in the message', async () => {
    const answer = await postJson(gateway, '/v2/rerank', key, {
      model: 'rr',
      query: 'q',
      documents: Array.from({ length: 1001 }, () => 'd'),
    });
    expect(errorOf(answer.json).message).toContain('at most 1000 may be ranked in one request');
  });
});
