// A streamed answer is stored (accumulated while it streams) and served to a whole-answer
// caller, and a whole answer is served to a streaming caller as a synthesized stream.
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

const key = testKey('cachestream');

describe('streamed and whole answers share cache entries', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'stream', key }),
          ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('streaming miss, then a non-streaming hit with the same text', async () => {
    const client = openAIClient(gateway, key);
    const before = upstream.calls();
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'cached',
        messages: [{ role: 'user', content: 'stream me first' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('miss');
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    const whole = await client.chat.completions
      .create({ model: 'cached', messages: [{ role: 'user', content: 'stream me first' }] })
      .withResponse();
    expect(upstream.calls() - before).toBe(1);
    expect(whole.response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(whole.data.choices[0]?.message.content).toBe(streamed);
    expect(whole.data.choices[0]?.finish_reason).toBe('stop');
  });

  it('non-streaming miss, then a streaming hit', async () => {
    const client = openAIClient(gateway, key);
    const before = upstream.calls();
    const whole = await client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'whole first' }] });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'cached',
        messages: [{ role: 'user', content: 'whole first' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
    expect(response.headers.get('x-switchyard-backend')).toBe('cached-backend');
    let streamed = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
    }
    expect(upstream.calls() - before).toBe(1);
    expect(streamed).toBe(whole.choices[0]?.message.content);
    expect(finish).toBe('stop');
  });
});
