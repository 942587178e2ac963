// A second identical request on a cached route is answered from the cache: one upstream call,
// `x-switchyard-cache: hit` with `age`, the backend that produced the answer, and zero cost. The
// same question through the Anthropic front door hits the same entry. A route without `cache`
// behaves as before: no cache header, an upstream call every time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
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

const key = testKey('cachehit');

describe('a repeated request is a cache hit', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'hit', key }),
          ...cachedRoute({
            name: 'cached',
            upstreamUrl: upstream.server.url,
            cache: { ttl: '10m' },
            pricing: { inputPerMillion: '1', outputPerMillion: '2' },
          }),
          ...cachedRoute({ name: 'plain', upstreamUrl: upstream.server.url, pricing: { inputPerMillion: '1', outputPerMillion: '2' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('answers the second request from the cache, free, naming the backend that answered', async () => {
    const client = openAIClient(gateway, key);
    const before = upstream.calls();
    const first = await client.chat.completions
      .create({ model: 'cached', messages: [{ role: 'user', content: 'what is a gateway?' }], max_tokens: 50 })
      .withResponse();
    const second = await client.chat.completions
      .create({ model: 'cached', messages: [{ role: 'user', content: 'what is a gateway?' }], max_tokens: 50 })
      .withResponse();
    expect(upstream.calls() - before).toBe(1);
    expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
    expect(first.response.headers.get('age')).toBeNull();
    expect(first.response.headers.get('x-switchyard-cost-usd')).not.toBe('0.000000000');
    expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(Number(second.response.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(second.response.headers.get('x-switchyard-backend')).toBe('cached-backend');
    // Written the way every cost header is (formatCostHeader): zero is "0".
    expect(second.response.headers.get('x-switchyard-cost-usd')).toBe('0');
    expect(second.response.headers.get('x-switchyard-attempts')).toBeNull();
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.data.model).toBe('cached');
    // The body keeps the usage the original answer reported.
    expect(second.data.usage?.prompt_tokens).toBe(12);
  });

  it('serves the same entry through the Anthropic front door', async () => {
    const before = upstream.calls();
    const openai = await openAIClient(gateway, key).chat.completions.create({
      model: 'cached',
      messages: [{ role: 'user', content: 'one door or another' }],
      max_tokens: 64,
    });
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey: key, maxRetries: 0, timeout: 20_000 });
    const { data, response } = await anthropic.messages
      .create({ model: 'cached', max_tokens: 64, messages: [{ role: 'user', content: 'one door or another' }] })
      .withResponse();
    expect(upstream.calls() - before).toBe(1);
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(data.content[0]?.type === 'text' ? data.content[0].text : undefined).toBe(openai.choices[0]?.message.content);
  });

  it('leaves a route without cache as it was: no header, an upstream call every time', async () => {
    const client = openAIClient(gateway, key);
    const before = upstream.calls();
    for (let i = 0; i < 2; i++) {
      const { response } = await client.chat.completions
        .create({ model: 'plain', messages: [{ role: 'user', content: 'uncached' }] })
        .withResponse();
      expect(response.headers.get('x-switchyard-cache')).toBeNull();
      expect(response.headers.get('age')).toBeNull();
    }
    expect(upstream.calls() - before).toBe(2);
  });

  it('counts lookups by result and logs the outcome', async () => {
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_cache_requests_total\{route="default\/cached",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_cache_requests_total\{route="default\/cached",result="miss"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_cache_entries [1-9]/);
    expect(metrics).toMatch(/switchyard_cache_bytes [1-9]/);
    expect(metrics).not.toMatch(/route="default\/plain",result=/);
    const lines = gateway
      .logs()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"'));
    expect(lines.some((line) => line.includes('"cache":"hit"'))).toBe(true);
    expect(lines.filter((line) => line.includes('"route":"default/plain"')).every((line) => !line.includes('"cache"'))).toBe(true);
  });
});
