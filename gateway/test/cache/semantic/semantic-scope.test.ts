// Scope as for exact entries: with VirtualKey (default) only the key whose request produced an
// answer gets it for a paraphrase; with Namespace every key of that namespace does; a key of
// another namespace never does, even on a route in the shared namespace both see.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  ask,
  askAndStore,
  embedderRoute,
  keyObjects,
  manifestsOf,
  semanticRoute,
  startCountingUpstream,
  testKey,
  type CountingUpstream,
} from './semantic-fixtures.js';

const teamA1 = testKey('semscopeaone');
const teamA2 = testKey('semscopeatwo');
const teamB = testKey('semscopebone');

describe('semantic cache: scope', () => {
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
          embedderRoute(),
          // Routes in the shared namespace `default`: every key sees them.
          ...semanticRoute({ name: 'per-key', upstreamUrl: upstream.server.url }),
          ...semanticRoute({ name: 'per-namespace', upstreamUrl: upstream.server.url, scope: 'Namespace' }),
        ),
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('VirtualKey: another key of the namespace misses, the same key hits', async () => {
    const stored = await askAndStore(gateway, teamA1, 'per-key', 'How do I sort a list in Python?');
    expect((await ask(gateway, teamA2, 'per-key', 'How can I sort a Python list?')).cache).toBe('miss');
    const own = await ask(gateway, teamA1, 'per-key', 'How can I sort a Python list?');
    expect(own.cache).toBe('semantic-hit');
    expect(own.text).toBe(stored.text);
  });

  it('Namespace: keys of the namespace share, a key of another namespace never does', async () => {
    const stored = await askAndStore(gateway, teamA1, 'per-namespace', 'How do I reverse a string in Python?');
    const sibling = await ask(gateway, teamA2, 'per-namespace', "What's the way to reverse a Python string?");
    expect(sibling.cache).toBe('semantic-hit');
    expect(sibling.text).toBe(stored.text);
    const stranger = await ask(gateway, teamB, 'per-namespace', "What's the way to reverse a Python string?");
    expect(stranger.cache).toBe('miss');
    expect(stranger.text).not.toBe(stored.text);
  });
});
