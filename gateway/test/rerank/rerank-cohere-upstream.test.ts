// Rerank through a `cohere` backend, through the gateway process: the gateway calls Cohere's
// native /v2/rerank (derived from the provider's compatibility base URL) with the v2 body, and
// answers the caller at both /v1/rerank and /v2/rerank with the results best first, top_n kept,
// the documents echoed when asked, and Cohere's search units. Cohere reports no tokens, so usage
// is the gateway's estimate: the log line says so, and the cost is that estimate at the input price.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  DOCUMENTS,
  EXPECTED_ORDER,
  QUERY,
  requestLine,
  rerankBackend,
  startRerankUpstream,
  type RerankUpstream,
} from './rerank-upstreams.js';

const key = testKey('rerankcohere');

describe('rerank through a cohere backend', () => {
  let upstream: RerankUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startRerankUpstream('cohere');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('rerank', { apiKey: 'upstream-secret' }),
          routeObject({
            name: 'cohere-rr',
            backends: [
              rerankBackend('cohere-main', 'cohere', `${upstream.server.url}/compatibility/v1`, {
                model: 'rerank-v3.5',
                pricing: { inputPerMillion: '2', outputPerMillion: '0' },
              }),
            ],
          }),
          ...keyObjects({ name: 'app', key }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('calls /v2/rerank with the v2 body and answers at /v2/rerank best first, cut to top_n, with search units', async () => {
    const answer = await postJson(gateway, '/v2/rerank', key, { model: 'cohere-rr', query: QUERY, documents: DOCUMENTS, top_n: 2 });
    expect(answer.status).toBe(200);
    const body = answer.json as {
      id: string;
      model: string;
      results: Array<{ index: number; relevance_score: number; document?: unknown }>;
      meta: unknown;
    };
    expect(body.id).toBe('cohere-rerank-1');
    expect(body.model).toBe('cohere-rr');
    expect(body.results.map((r) => r.index)).toEqual(EXPECTED_ORDER.slice(0, 2));
    expect(body.results.every((r) => r.document === undefined)).toBe(true);
    expect(body.meta).toEqual({ billed_units: { search_units: 1 } });
    const sent = upstream.rerankRequests().at(-1);
    expect(sent?.url).toBe('/v2/rerank');
    expect(sent?.json).toEqual({ model: 'rerank-v3.5', query: QUERY, documents: DOCUMENTS, top_n: 2 });
  });

  it('echoes the documents when asked, passes max_tokens_per_doc, and takes {text} documents at /v1/rerank', async () => {
    const answer = await postJson(gateway, '/v1/rerank', key, {
      model: 'cohere-rr',
      query: QUERY,
      documents: DOCUMENTS.map((text) => ({ text })),
      return_documents: true,
      max_tokens_per_doc: 512,
    });
    expect(answer.status).toBe(200);
    const body = answer.json as { results: Array<{ index: number; document: { text: string } }> };
    expect(body.results.map((r) => r.index)).toEqual(EXPECTED_ORDER);
    expect(body.results.map((r) => r.document.text)).toEqual(EXPECTED_ORDER.map((i) => DOCUMENTS[i]));
    // Cohere v2 refuses return_documents: the gateway never sends it and fills the documents in itself.
    expect(upstream.rerankRequests().at(-1)?.json).toEqual({
      model: 'rerank-v3.5',
      query: QUERY,
      documents: DOCUMENTS,
      max_tokens_per_doc: 512,
    });
  });

  it('logs the route, backend, search units and an estimated usage, costed at the input price', async () => {
    const answer = await postJson(gateway, '/v1/rerank', key, { model: 'cohere-rr', query: 'q', documents: ['ab', 'c'] });
    expect(answer.status).toBe(200);
    // The estimate: per document, the query's bytes, the document's and 4 separators: (1+2+4) + (1+1+4).
    const estimated = 13;
    const cost = answer.headers.get('x-switchyard-cost-usd');
    expect(Number(cost)).toBeCloseTo((estimated * 2) / 1e6, 12);
    const line = await requestLine(gateway, answer.headers.get('x-request-id'));
    expect(line).toMatchObject({
      operation: 'rerank',
      status: 200,
      model: 'cohere-rr',
      route: 'default/cohere-rr',
      backend: 'cohere-main',
      inputTokens: estimated,
      outputTokens: 0,
      usageEstimated: true,
      searchUnits: 1,
    });
  });
});
