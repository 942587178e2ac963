// Rerank is governed like chat, through the gateway process: a key not allowed the model gets
// 403, a key's request rate limit refuses the next request, a Block budget whose spend passed its
// limit refuses with budget_exceeded, and a failing backend falls over to the next one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents, errorOf, postJson, routeObject, secretObject, testKey } from '../core/core-fixtures.js';
import { budgetObject, governedKey } from '../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { rerankBackend, startRerankUpstream, type RerankUpstream } from './rerank-upstreams.js';

const other = testKey('rerankother');
const limited = testKey('reranklimited');
const budgeted = testKey('rerankbudgeted');
const free = testKey('rerankfree');
const body = { model: 'rr', query: 'capital', documents: ['capital city', 'banana'] };

describe('rerank governance', () => {
  let primary: RerankUpstream;
  let secondary: RerankUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    primary = await startRerankUpstream('vllm');
    secondary = await startRerankUpstream('vllm');
    const pricing = { inputPerMillion: '1', outputPerMillion: '0' };
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('rerank', { apiKey: 'upstream-secret' }),
          routeObject({
            name: 'rr',
            retry: { attempts: 2 },
            backends: [
              { ...rerankBackend('primary', 'vllm', `${primary.server.url}/v1`, { pricing }), priority: 0 },
              { ...rerankBackend('secondary', 'vllm', `${secondary.server.url}/v1`, { pricing }), priority: 1 },
            ],
          }),
          routeObject({ name: 'other', backends: [rerankBackend('o', 'vllm', `${primary.server.url}/v1`, { pricing })] }),
          ...governedKey({ name: 'other-only', key: other, allowedModels: ['other'] }),
          ...governedKey({ name: 'limited', key: limited, rateLimit: { requestsPerMinute: 1 } }),
          ...governedKey({ name: 'budgeted', key: budgeted, labels: { team: 'capped' } }),
          ...governedKey({ name: 'free', key: free }),
          budgetObject({ name: 'capped', matchLabels: { team: 'capped' }, limit: '0.5' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await primary?.server.close();
    await secondary?.server.close();
  });

  it('refuses a key not allowed the model with 403, sending nothing', async () => {
    const before = primary.rerankRequests().length;
    const answer = await postJson(gateway, '/v1/rerank', other, body);
    expect(answer.status).toBe(403);
    expect(errorOf(answer.json).message).toContain('is not allowed to use model `rr`');
    expect(primary.rerankRequests().length).toBe(before);
  });

  it("refuses the request past a key's rate limit with 429", async () => {
    expect((await postJson(gateway, '/v1/rerank', limited, body)).status).toBe(200);
    const refused = await postJson(gateway, '/v1/rerank', limited, body);
    expect(refused.status).toBe(429);
    expect(errorOf(refused.json).code).toBe('rate_limit_exceeded');
  });

  it('refuses once a Block budget is spent: the first request costs $1 of its $0.50', async () => {
    primary.reportTokens = 1_000_000;
    const first = await postJson(gateway, '/v1/rerank', budgeted, body);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-switchyard-cost-usd')).toBe('1');
    const before = primary.rerankRequests().length;
    const refused = await postJson(gateway, '/v1/rerank', budgeted, body);
    expect(refused.status).toBe(429);
    expect(errorOf(refused.json).code).toBe('budget_exceeded');
    expect(errorOf(refused.json).message).toContain('default/capped');
    expect(primary.rerankRequests().length).toBe(before);
    primary.reportTokens = undefined;
  });

  it('falls over to the next backend when the first fails', async () => {
    primary.failWith = 503;
    try {
      const answer = await postJson(gateway, '/v1/rerank', free, body);
      expect(answer.status).toBe(200);
      expect((answer.json as { results: Array<{ index: number }> }).results[0]?.index).toBe(0);
      expect(secondary.rerankRequests()).toHaveLength(1);
    } finally {
      primary.failWith = undefined;
    }
  });
});
