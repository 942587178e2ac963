// requestsPerMinute through the OpenAI SDK: the limit's worth of requests in a minute, then 429
// in OpenAI's shape with retry-after and x-ratelimit-* (also on the successes); room again once
// the window moves on (test clock).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  documents,
  governedKey,
  HELLO,
  metricValue,
  mockBackend,
  openAIClient,
  routeObject,
  scratchDir,
  TestClock,
  testKey,
} from './governance-fixtures.js';

const key = testKey('rpmkey');
const START = '2026-11-25T10:00:00.000Z';

describe('rate limit: requests per minute', () => {
  let gateway: GatewayProcess;
  let clock: TestClock;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    dir = await scratchDir();
    clock = await TestClock.at(dir.path, START);
    gateway = await startGateway({
      env: clock.env(),
      manifests: {
        'keys.yaml': documents(...governedKey({ name: 'rpm', key, rateLimit: { requestsPerMinute: 3 } })),
        'route.yaml': documents(routeObject({ name: 'echo', backends: [mockBackend('mock-a')] })),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await dir?.remove();
  });

  it('admits the limit, sending x-ratelimit headers on every success', async () => {
    const client = openAIClient(gateway, key);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      await clock.set(new Date(Date.parse(START) + i * 10_000).toISOString());
      const { response } = await client.chat.completions.create({ model: 'echo', messages: HELLO }).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('3');
      remaining.push(response.headers.get('x-ratelimit-remaining-requests') ?? '');
      expect(response.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    }
    expect(remaining).toEqual(['2', '1', '0']);
  });

  it('answers 429 rate_limit_exceeded with retry-after until the oldest request leaves the window', async () => {
    await clock.set('2026-11-25T10:00:45.000Z');
    const error = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'echo', messages: HELLO })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.code).toBe('rate_limit_exceeded');
    expect(rateLimited.type).toBe('rate_limit_error');
    expect(rateLimited.message).toContain('default/rpm');
    expect(rateLimited.message).toContain('3 requests per minute');
    // The first request (10:00:00) leaves at 10:01:00: 15 s from 10:00:45.
    expect(rateLimited.headers.get('retry-after')).toBe('15');
    expect(rateLimited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    // The newest (10:00:20) leaves at 10:01:20: the window is empty in 35 s.
    expect(rateLimited.headers.get('x-ratelimit-reset-requests')).toBe('35s');
    expect(rateLimited.headers.get('x-should-retry')).toBeNull();
    expect(await metricValue(gateway, 'switchyard_rate_limited_total', { key: 'default/rpm', limit: 'requests' })).toBe(1);
  });

  it('admits again when the window has moved past the oldest request, and only then', async () => {
    const client = openAIClient(gateway, key);
    await clock.set('2026-11-25T10:00:59.999Z');
    await expect(client.chat.completions.create({ model: 'echo', messages: HELLO })).rejects.toMatchObject({ status: 429 });
    await clock.set('2026-11-25T10:01:00.000Z');
    const { response } = await client.chat.completions.create({ model: 'echo', messages: HELLO }).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    await clock.set('2026-11-25T10:01:20.000Z');
    await expect(client.chat.completions.create({ model: 'echo', messages: HELLO })).resolves.toBeDefined();
  });
});
