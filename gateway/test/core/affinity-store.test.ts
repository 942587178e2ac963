// The affinity store's bound and expiry: it never holds more than its documented number of
// conversations (least recently used forgotten first), and an entry ends `ttl` after its last use.
import { describe, expect, it } from '@jest/globals';
import { AFFINITY_MAX_ENTRIES, AffinityStore } from '../../src/table/affinity.js';

describe('affinity store', () => {
  it('holds at most AFFINITY_MAX_ENTRIES conversations, forgetting the least recently used first', () => {
    const store = new AffinityStore();
    const now = 1_000;
    for (let i = 0; i < AFFINITY_MAX_ENTRIES + 50; i++) store.remember('ns/r', `c${i}`, 'a', undefined, 60_000, now);
    expect(store.size).toBe(AFFINITY_MAX_ENTRIES);
    // The first 50 went; the 51st is the oldest kept. Using it makes it the most recent.
    expect(store.lookup('ns/r', 'c0', now)).toBeUndefined();
    expect(store.lookup('ns/r', 'c50', now)?.backend).toBe('a');
    store.remember('ns/r', 'c50', 'b', 'ns/secret/key', 60_000, now);
    store.remember('ns/r', 'extra', 'a', undefined, 60_000, now);
    expect(store.lookup('ns/r', 'c50', now)).toEqual({ backend: 'b', credential: 'ns/secret/key', expiresAtMs: now + 60_000 });
    expect(store.lookup('ns/r', 'c51', now)).toBeUndefined();
  });

  it('ends an entry ttl after its last use and keeps routes apart', () => {
    const store = new AffinityStore(10);
    store.remember('ns/r', 'c', 'a', undefined, 5_000, 0);
    expect(store.lookup('ns/other', 'c', 1)).toBeUndefined();
    expect(store.lookup('ns/r', 'c', 4_999)?.backend).toBe('a');
    store.remember('ns/r', 'c', 'a', undefined, 5_000, 4_999);
    expect(store.lookup('ns/r', 'c', 9_998)?.backend).toBe('a');
    expect(store.lookup('ns/r', 'c', 9_999)).toBeUndefined();
    expect(store.size).toBe(0);
  });
});
