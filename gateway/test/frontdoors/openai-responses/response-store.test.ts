import { describe, expect, it } from '@jest/globals';
import { InMemoryResponseStore, type StoredResponse } from '../../../src/frontdoors/openai-responses/response-store.js';

function stored(id: string, sizeBytes = 10): StoredResponse {
  return { id, messages: [{ role: 'user', content: [{ type: 'text', text: id }] }], sizeBytes };
}

function clock(start = 1_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

describe('in-memory response store', () => {
  it('finds an entry only under the scope that stored it', async () => {
    const store = new InMemoryResponseStore();
    await store.put('default/team-a', stored('resp_1'));
    expect((await store.get('default/team-a', 'resp_1'))?.id).toBe('resp_1');
    expect(await store.get('default/team-b', 'resp_1')).toBeUndefined();
    expect(await store.get('default/team-a', 'resp_2')).toBeUndefined();
  });

  it('forgets entries once their time to live has passed', async () => {
    const time = clock();
    const store = new InMemoryResponseStore({ ttlMs: 1_000, now: time.now });
    await store.put('k', stored('resp_1'));
    time.advance(999);
    expect(await store.get('k', 'resp_1')).toBeDefined();
    time.advance(1);
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('evicts the oldest entries beyond maxEntries', async () => {
    const store = new InMemoryResponseStore({ maxEntries: 2 });
    await store.put('k', stored('resp_1'));
    await store.put('k', stored('resp_2'));
    await store.put('k', stored('resp_3'));
    expect((await Promise.all([store.get('k', 'resp_1'), store.get('k', 'resp_2'), store.get('k', 'resp_3')])).map((e) => e?.id)).toEqual([
      undefined,
      'resp_2',
      'resp_3',
    ]);
    expect(store.size).toBe(2);
  });

  it('evicts the oldest entries beyond maxBytes, and never keeps one larger than the whole store', async () => {
    const store = new InMemoryResponseStore({ maxBytes: 100 });
    await store.put('k', stored('resp_1', 60));
    await store.put('k', stored('resp_2', 30));
    expect(store.totalBytes).toBe(90);
    await store.put('k', stored('resp_3', 30));
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(store.totalBytes).toBe(60);
    await store.put('k', stored('resp_huge', 101));
    expect(await store.get('k', 'resp_huge')).toBeUndefined();
    expect(store.totalBytes).toBe(60);
  });

  it('sweeps expired entries when storing, so they stop counting against the bounds', async () => {
    const time = clock();
    const store = new InMemoryResponseStore({ ttlMs: 1_000, now: time.now });
    await store.put('k', stored('resp_1', 5));
    await store.put('k', stored('resp_2', 5));
    time.advance(1_000);
    await store.put('k', stored('resp_3', 5));
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(5);
  });

  it('storing an id again replaces the entry', async () => {
    const store = new InMemoryResponseStore();
    await store.put('k', stored('resp_1', 10));
    await store.put('k', stored('resp_1', 25));
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(25);
  });

  it.each([
    ['maxEntries', { maxEntries: 0 }],
    ['maxBytes', { maxBytes: -1 }],
    ['ttlMs', { ttlMs: Number.NaN }],
  ])('refuses a non-positive %s', (name, options) => {
    expect(() => new InMemoryResponseStore(options)).toThrow(new RegExp(`${name} must be a positive number`));
  });
});
