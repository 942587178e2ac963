// `Cache-Control: no-cache` skips the lookup but stores the fresh answer; `no-store` skips the
// cache altogether. Both are reported as `bypass`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { cachedRoute, keyObjects, manifestsOf, postJson, startCountingUpstream, testKey, type CountingUpstream } from './cache-fixtures.js';

const key = testKey('cachebypass');

describe('cache bypass headers', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'bypass', key }),
          ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const ask = (question: string, headers: Record<string, string> = {}) =>
    postJson(gateway, '/v1/chat/completions', key, { model: 'cached', messages: [{ role: 'user', content: question }] }, headers);
  const textOf = (json: unknown) => (json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;

  it('no-cache: asks upstream even when stored, and stores the fresh answer', async () => {
    const before = upstream.calls();
    await ask('refresh me');
    const fresh = await ask('refresh me', { 'cache-control': 'no-cache' });
    expect(fresh.headers.get('x-switchyard-cache')).toBe('bypass');
    const after = await ask('refresh me');
    expect(after.headers.get('x-switchyard-cache')).toBe('hit');
    expect(textOf(after.json)).toBe(textOf(fresh.json));
    expect(upstream.calls() - before).toBe(2);
  });

  it('no-store: neither looks up nor stores', async () => {
    const before = upstream.calls();
    const first = await ask('forget me', { 'cache-control': 'no-store' });
    expect(first.headers.get('x-switchyard-cache')).toBe('bypass');
    const second = await ask('forget me');
    expect(second.headers.get('x-switchyard-cache')).toBe('miss');
    expect(upstream.calls() - before).toBe(2);
  });
});
