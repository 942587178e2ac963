// Who shares an answer: with scope VirtualKey only the key that caused it; with Namespace every
// key of that key's namespace; keys of another namespace never, even on a route in a shared
// namespace that both can see.
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

const teamA1 = testKey('scopeteamaone');
const teamA2 = testKey('scopeteamatwo');
const teamB = testKey('scopeteambone');

describe('cache scope', () => {
  let upstream: CountingUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startCountingUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': manifestsOf(
          ...keyObjects({ name: 'a1', key: teamA1, namespace: 'team-a' }),
          ...keyObjects({ name: 'a2', key: teamA2, namespace: 'team-a' }),
          ...keyObjects({ name: 'b1', key: teamB, namespace: 'team-b' }),
          // Routes in the shared namespace `default`: every key sees them.
          ...cachedRoute({ name: 'per-key', upstreamUrl: upstream.server.url, cache: { ttl: '10m' } }),
          ...cachedRoute({ name: 'per-namespace', upstreamUrl: upstream.server.url, cache: { ttl: '10m', scope: 'Namespace' } }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  async function ask(key: string, model: string, question: string): Promise<{ cache: string | null; text: string | null | undefined }> {
    const { data, response } = await openAIClient(gateway, key)
      .chat.completions.create({ model, messages: [{ role: 'user', content: question }] })
      .withResponse();
    return { cache: response.headers.get('x-switchyard-cache'), text: data.choices[0]?.message.content };
  }

  it('VirtualKey: keys do not share, even in one namespace', async () => {
    const before = upstream.calls();
    expect((await ask(teamA1, 'per-key', 'q1')).cache).toBe('miss');
    expect((await ask(teamA2, 'per-key', 'q1')).cache).toBe('miss');
    expect((await ask(teamA1, 'per-key', 'q1')).cache).toBe('hit');
    expect(upstream.calls() - before).toBe(2);
  });

  it('Namespace: keys of one namespace share, another namespace never does', async () => {
    const before = upstream.calls();
    const first = await ask(teamA1, 'per-namespace', 'q2');
    const sibling = await ask(teamA2, 'per-namespace', 'q2');
    const stranger = await ask(teamB, 'per-namespace', 'q2');
    expect([first.cache, sibling.cache, stranger.cache]).toEqual(['miss', 'hit', 'miss']);
    expect(sibling.text).toBe(first.text);
    expect(stranger.text).not.toBe(first.text);
    expect(upstream.calls() - before).toBe(2);
  });
});
