// The exact cache's request headers govern the semantic lookup too: `Cache-Control: no-cache` and
// `no-store` skip it (`bypass`, no embedding call), and without them the same paraphrase hits.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayProcess } from '../../support/gateway-process.js';
import { ask, askAndStore, type CountingUpstream, embeddingCalls, startSemanticGateway, testKey } from './semantic-fixtures.js';

const key = testKey('sembypass');
const STORED = 'How do I create a pivot table in Excel?';
const PARAPHRASE = 'How can I make a pivot table in Excel?';

describe('semantic cache: bypass headers', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startSemanticGateway({ keyName: 'bypass', key }));
    await askAndStore(gateway, key, 'chat', STORED);
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it.each(['no-cache', 'no-store'])('Cache-Control: %s skips the semantic lookup and the embedding call', async (directive) => {
    const embeddingsBefore = await embeddingCalls(gateway);
    const callsBefore = upstream.calls();
    const answer = await ask(gateway, key, 'chat', PARAPHRASE, { headers: { 'cache-control': directive } });
    expect(answer.cache).toBe('bypass');
    expect(answer.similarity).toBeUndefined();
    expect(upstream.calls() - callsBefore).toBe(1);
    expect(await embeddingCalls(gateway)).toBe(embeddingsBefore);
  });

  it('without them the paraphrase hits', async () => {
    // Another wording: the no-cache answer above was stored exactly under the first.
    expect((await ask(gateway, key, 'chat', 'What is the way to build a pivot table in Excel?')).cache).toBe('semantic-hit');
  });
});
