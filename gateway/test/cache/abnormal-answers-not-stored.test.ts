// Only answers that completed normally are stored: not upstream errors, not content-filtered
// answers, not streams that broke off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  cachedRoute,
  keyObjects,
  manifestsOf,
  openAIClient,
  postJson,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './cache-fixtures.js';

const key = testKey('cacheabnormal');

describe('abnormal answers are not stored', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'abnormal', key }),
          ...cachedRoute({ name: 'cached', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const ask = (question: string, stream = false) =>
    postJson(gateway, '/v1/chat/completions', key, { model: 'cached', stream, messages: [{ role: 'user', content: question }] });

  it.each([
    ['an upstream error', 'ERROR please', false],
    ['a content-filtered answer', 'FILTER please', false],
    ['a content-filtered stream', 'FILTER stream', true],
    ['a stream cut before it finished', 'CUT please', true],
  ])('%s', async (_name, question, stream) => {
    const before = upstream.calls();
    const first = await ask(question, stream);
    const second = await ask(question, stream);
    expect(first.headers.get('x-switchyard-cache')).toBe('miss');
    expect(second.headers.get('x-switchyard-cache')).toBe('miss');
    expect(upstream.calls() - before).toBe(2);
  });

  it('still stores a normal answer afterwards', async () => {
    const client = openAIClient(gateway, key);
    await client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'normal' }] });
    const { response } = await client.chat.completions
      .create({ model: 'cached', messages: [{ role: 'user', content: 'normal' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-cache')).toBe('hit');
  });
});
