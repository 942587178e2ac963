// Rerank through the providers that serve the Jina-style `{baseURL}/rerank` (vLLM, Together, any
// OpenAI-compatible server), through the gateway process: each gets the route's model and the
// caller's query and documents (documents never asked back), and the caller gets the results best
// first with the tokens the upstream reported, costed at the backend's input price and counted in
// the metrics under the route and backend.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, keyObjects, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { metricValue } from '../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  DOCUMENTS,
  EXPECTED_ORDER,
  QUERY,
  requestLine,
  rerankBackend,
  startRerankUpstream,
  type RerankDialect,
  type RerankUpstream,
} from './rerank-upstreams.js';

const key = testKey('rerankjina');

const PROVIDERS: Array<{ provider: string; dialect: RerankDialect }> = [
  { provider: 'vllm', dialect: 'vllm' },
  { provider: 'together', dialect: 'together' },
  { provider: 'openai-compatible', dialect: 'vllm' },
];

describe('rerank through Jina-style /rerank upstreams', () => {
  const upstreams = new Map<string, RerankUpstream>();
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const routes: unknown[] = [];
    for (const { provider, dialect } of PROVIDERS) {
      const upstream = await startRerankUpstream(dialect);
      upstreams.set(provider, upstream);
      routes.push(
        routeObject({
          name: `${provider}-rr`,
          backends: [
            rerankBackend(`${provider}-be`, provider, `${upstream.server.url}/v1`, {
              model: `${provider}/reranker`,
              pricing: { inputPerMillion: '1', outputPerMillion: '0' },
            }),
          ],
        }),
      );
    }
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(secretObject('rerank', { apiKey: 'upstream-secret' }), ...routes, ...keyObjects({ name: 'app', key })),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    for (const upstream of upstreams.values()) await upstream.server.close();
  });

  it.each(PROVIDERS.map(({ provider }) => provider))(
    '%s: sends the Jina body to {baseURL}/rerank and answers best first with usage',
    async (provider) => {
      const upstream = upstreams.get(provider) as RerankUpstream;
      upstream.reportTokens = 250_000;
      const answer = await postJson(gateway, '/v1/rerank', key, {
        model: `${provider}-rr`,
        query: QUERY,
        documents: DOCUMENTS,
        top_n: 3,
        return_documents: true,
      });
      expect(answer.status).toBe(200);
      const body = answer.json as { model: string; results: Array<{ index: number; document: { text: string } }>; usage: unknown };
      expect(body.model).toBe(`${provider}-rr`);
      expect(body.results.map((r) => r.index)).toEqual(EXPECTED_ORDER.slice(0, 3));
      expect(body.results.map((r) => r.document.text)).toEqual(EXPECTED_ORDER.slice(0, 3).map((i) => DOCUMENTS[i]));
      expect(body.usage).toEqual({ total_tokens: 250_000 });
      const sent = upstream.rerankRequests().at(-1);
      expect(sent?.url).toBe('/v1/rerank');
      expect(sent?.json).toEqual({ model: `${provider}/reranker`, query: QUERY, documents: DOCUMENTS, top_n: 3, return_documents: false });
      // 250,000 reported tokens at $1 per million.
      expect(answer.headers.get('x-switchyard-cost-usd')).toBe('0.25');
      const line = await requestLine(gateway, answer.headers.get('x-request-id'));
      expect(line).toMatchObject({ operation: 'rerank', route: `default/${provider}-rr`, backend: `${provider}-be`, inputTokens: 250_000 });
      expect(line?.usageEstimated).toBeUndefined();
      expect(
        await metricValue(gateway, 'switchyard_requests_total', {
          route: `default/${provider}-rr`,
          backend: `${provider}-be`,
          status: '200',
        }),
      ).toBe(1);
      expect(
        await metricValue(gateway, 'switchyard_tokens_total', {
          route: `default/${provider}-rr`,
          backend: `${provider}-be`,
          direction: 'input',
        }),
      ).toBe(250_000);
    },
  );
});
