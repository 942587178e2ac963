// The in-memory store is bounded by --cache-max-bytes: the least recently used answers go
// first, and the gauges report what is held.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  cachedRoute,
  keyObjects,
  manifestsOf,
  openAIClient,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './cache-fixtures.js';

const key = testKey('cacheevict');
const MAX_BYTES = 1200;

describe('cache byte bound', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      args: ['--cache-max-bytes', String(MAX_BYTES)],
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'evict', key }),
          ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const ask = async (question: string): Promise<string | null> =>
    (
      await openAIClient(gateway, key)
        .chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: question }] })
        .withResponse()
    ).response.headers.get('x-switchyard-cache');
  const gauge = async (name: string): Promise<number> => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  };

  it('evicts the least recently used answer when the bytes run out', async () => {
    for (let i = 1; i <= 8; i++) await ask(`question number ${i}`);
    expect(await gauge('switchyard_cache_bytes')).toBeLessThanOrEqual(MAX_BYTES);
    const entries = await gauge('switchyard_cache_entries');
    expect(entries).toBeGreaterThan(0);
    expect(entries).toBeLessThan(8);
    expect(await ask('question number 8')).toBe('hit');
    expect(await ask('question number 1')).toBe('miss');
  });
});
