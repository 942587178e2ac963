// concurrentRequests through the OpenAI SDK: at most N in flight, streams included until they end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import {
  documents,
  governedKey,
  HELLO,
  metricValue,
  mockBackend,
  openAIBackend,
  openAIClient,
  routeObject,
  secretObject,
  testKey,
} from './governance-fixtures.js';

const key = testKey('concurrencykey');

describe('rate limit: concurrent requests', () => {
  let gateway: GatewayProcess;
  let upstream: OpenAIMockServer;

  beforeAll(async () => {
    // A stream that takes ~1.5 s from first to last chunk.
    upstream = await startOpenAIMockServer({ apiKey: null, defaultReply: { content: 'one two three four five six', chunkDelayMs: 250 } });
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'conc', key, rateLimit: { concurrentRequests: 2 } })),
        'route.yaml': documents(
          routeObject({ name: 'slow', backends: [mockBackend('mock-slow', { latency: '400ms' })] }),
          routeObject({
            name: 'streamy',
            backends: [{ ...openAIBackend('upstream', upstream.url), pricing: { inputPerMillion: '1', outputPerMillion: '1' } }],
          }),
          secretObject('openai', { apiKey: 'sk-upstream-test-0123456789' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('admits two of five simultaneous requests and refuses three with 429', async () => {
    const client = openAIClient(gateway, key);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.chat.completions.create({ model: 'slow', messages: HELLO })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refusals = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as InstanceType<typeof OpenAI.RateLimitError>);
    expect(refusals).toHaveLength(3);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(OpenAI.RateLimitError);
      expect(refusal.message).toContain('at most 2 concurrent requests');
      expect(refusal.headers.get('retry-after')).toBe('1');
    }
    expect(await metricValue(gateway, 'switchyard_rate_limited_total', { key: 'default/conc', limit: 'concurrency' })).toBe(3);
  });

  it('frees the slot when a request ends, and holds it while a stream is open', async () => {
    const client = openAIClient(gateway, key);
    await expect(
      Promise.all([
        client.chat.completions.create({ model: 'slow', messages: HELLO }),
        client.chat.completions.create({ model: 'slow', messages: HELLO }),
      ]),
    ).resolves.toHaveLength(2);
    const stream = await client.chat.completions.create({ model: 'streamy', messages: HELLO, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // the stream has begun and is not finished
    const during = await Promise.allSettled([
      client.chat.completions.create({ model: 'slow', messages: HELLO }),
      client.chat.completions.create({ model: 'slow', messages: HELLO }),
    ]);
    expect(during.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    while (!(await iterator.next()).done) {
      // drain
    }
    await expect(
      Promise.all([
        client.chat.completions.create({ model: 'slow', messages: HELLO }),
        client.chat.completions.create({ model: 'slow', messages: HELLO }),
      ]),
    ).resolves.toHaveLength(2);
  });
});
