// Budgets: the embedding call is the key's own embeddings request on the embedding route, so its
// cost is charged on misses and hits alike; a semantic hit is charged the embedding cost only,
// never the answer it replays. An exact hit makes no embedding call and costs nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { budgetObject, metricValue } from '../../governance/governance-fixtures.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  ask,
  embedderRoute,
  keyObjects,
  manifestsOf,
  metricSum,
  semanticRoute,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './semantic-fixtures.js';

const key = testKey('semcharged');
const BUDGET = { budget: 'default/semantic-team' };
/** USD per embedding input token: $1000 per million. */
const EMBEDDING_USD_PER_TOKEN = 1000 / 1e6;

describe('semantic cache: what a semantic hit costs', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'charged', key, labels: { team: 'semantic' } }),
          budgetObject({ name: 'semantic-team', matchLabels: { team: 'semantic' }, limit: '100.00', period: 'Total' }),
          embedderRoute({ inputPerMillion: '1000', outputPerMillion: '0' }),
          ...semanticRoute({
            name: 'chat',
            upstreamUrl: upstream.server.url,
            pricing: { inputPerMillion: '1000', outputPerMillion: '2000' },
          }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const spent = async (): Promise<number> => (await metricValue(gateway, 'switchyard_budget_spent_usd', BUDGET)) ?? 0;
  const embeddingTokens = () => metricSum(gateway, 'switchyard_tokens_total', { route: 'default/embedder', direction: 'input' });

  it('a miss pays the answer and the embedding, a semantic hit the embedding only, an exact hit nothing', async () => {
    const question = 'How do I create a virtual environment in Python?';
    const spent0 = await spent();
    const tokens0 = await embeddingTokens();
    const miss = await ask(gateway, key, 'chat', question);
    expect(miss.cache).toBe('miss');
    const spent1 = await spent();
    const tokens1 = await embeddingTokens();
    expect(tokens1).toBeGreaterThan(tokens0);
    // The upstream reports 12 input and 7 output tokens: $0.026 at the chat route's price, plus the embedding.
    expect(spent1 - spent0).toBeCloseTo(0.026 + (tokens1 - tokens0) * EMBEDDING_USD_PER_TOKEN, 9);

    // The exact repeat: no embedding call, nothing charged (once the answer is stored).
    let exact = await ask(gateway, key, 'chat', question);
    for (let i = 0; i < 100 && exact.cache !== 'hit'; i++) exact = await ask(gateway, key, 'chat', question);
    const spent2 = await spent();
    const tokens2 = await embeddingTokens();
    const exactBefore = spent2;
    expect((await ask(gateway, key, 'chat', question)).cache).toBe('hit');
    expect(await spent()).toBeCloseTo(exactBefore, 12);
    expect(await embeddingTokens()).toBe(tokens2);

    const paraphrase = await ask(gateway, key, 'chat', 'How can I make a Python virtual environment?');
    expect(paraphrase.cache).toBe('semantic-hit');
    const tokens3 = await embeddingTokens();
    expect(tokens3).toBeGreaterThan(tokens2);
    expect((await spent()) - spent2).toBeCloseTo((tokens3 - tokens2) * EMBEDDING_USD_PER_TOKEN, 12);
    expect(await metricSum(gateway, 'switchyard_cost_usd_total', { route: 'default/embedder' })).toBeCloseTo(
      tokens3 * EMBEDDING_USD_PER_TOKEN,
      12,
    );
  });
});
