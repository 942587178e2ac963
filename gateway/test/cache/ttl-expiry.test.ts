// A stored answer is served for the route's ttl and not after it (the test clock moves time).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { scratchDir, TestClock } from '../governance/governance-fixtures.js';
import {
  cachedRoute,
  keyObjects,
  manifestsOf,
  openAIClient,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './cache-fixtures.js';

const key = testKey('cachettl');

describe('cache ttl', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;
  let scratch: { path: string; remove(): Promise<void> };
  let clock: TestClock;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    scratch = await scratchDir();
    clock = await TestClock.at(scratch.path, '2026-03-01T12:00:00Z');
    gateway = await startGateway({
      env: clock.env(),
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'ttl', key }),
          ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '5m' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await scratch?.remove();
  });

  async function ask(): Promise<{ cache: string | null; age: string | null }> {
    const { response } = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'how long do you last?' }] })
      .withResponse();
    return { cache: response.headers.get('x-switchyard-cache'), age: response.headers.get('age') };
  }

  it('serves within the ttl with the entry age, and asks upstream again after it', async () => {
    expect((await ask()).cache).toBe('miss');
    await clock.set('2026-03-01T12:04:59Z');
    expect(await ask()).toEqual({ cache: 'hit', age: '299' });
    await clock.set('2026-03-01T12:05:00Z');
    expect((await ask()).cache).toBe('miss');
    expect(upstream.calls()).toBe(2);
  });
});
