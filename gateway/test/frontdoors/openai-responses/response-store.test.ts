import { describe, expect, it } from '@jest/globals';
import {
  InMemoryResponseStore,
  type InMemoryResponseStoreOptions,
  type StoredResponse,
  type StoredTurn,
} from '../../../src/frontdoors/openai-responses/response-store.js';

function turn(id: string, text: string = id, previous?: StoredResponse): StoredTurn {
  return { id, previous, appended: [{ role: 'user', content: [{ type: 'text', text }] }] };
}

function clock(start = 1_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** What one first turn with this text costs in a store of its own. */
async function costOf(text: string): Promise<number> {
  const store = new InMemoryResponseStore();
  await store.put('k', turn('resp_probe', text));
  return store.totalBytes;
}

/** A conversation of `turns` turns, each continuing the last as the front door does; returns the last response. */
async function converse(store: InMemoryResponseStore, prefix: string, turns: number, text: (i: number) => string): Promise<StoredResponse> {
  let previous: StoredResponse | undefined;
  for (let i = 1; i <= turns; i++) {
    await store.put('k', turn(`${prefix}_${i}`, text(i), previous));
    previous = await store.get('k', `${prefix}_${i}`);
    if (previous === undefined) throw new Error(`${prefix}_${i} was not kept`);
  }
  return previous as StoredResponse;
}

const textsOf = (response: StoredResponse | undefined): string[] =>
  (response?.messages ?? []).flatMap((message) => message.content.map((part) => (part.type === 'text' ? part.text : part.type)));

describe('in-memory response store', () => {
  it('finds an entry only under the scope that stored it', async () => {
    const store = new InMemoryResponseStore();
    await store.put('default/team-a', turn('resp_1'));
    expect((await store.get('default/team-a', 'resp_1'))?.id).toBe('resp_1');
    expect(await store.get('default/team-b', 'resp_1')).toBeUndefined();
    expect(await store.get('default/team-a', 'resp_2')).toBeUndefined();
  });

  it('forgets entries once their time to live has passed', async () => {
    const time = clock();
    const store = new InMemoryResponseStore({ ttlMs: 1_000, now: time.now });
    await store.put('k', turn('resp_1'));
    time.advance(999);
    expect(await store.get('k', 'resp_1')).toBeDefined();
    time.advance(1);
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.totalBytes).toBe(0);
  });

  it('evicts the oldest entries beyond maxEntries', async () => {
    const store = new InMemoryResponseStore({ maxEntries: 2 });
    await store.put('k', turn('resp_1'));
    await store.put('k', turn('resp_2'));
    await store.put('k', turn('resp_3'));
    expect((await Promise.all([store.get('k', 'resp_1'), store.get('k', 'resp_2'), store.get('k', 'resp_3')])).map((e) => e?.id)).toEqual([
      undefined,
      'resp_2',
      'resp_3',
    ]);
    expect(store.size).toBe(2);
  });

  it('evicts the oldest entries beyond maxBytes, and never keeps one larger than the whole store', async () => {
    const unit = await costOf('x'.repeat(1_000));
    const store = new InMemoryResponseStore({ maxBytes: Math.floor(2.5 * unit) });
    await store.put('k', turn('resp_1', 'x'.repeat(1_000)));
    await store.put('k', turn('resp_2', 'y'.repeat(1_000)));
    expect(store.totalBytes).toBe(2 * unit);
    await store.put('k', turn('resp_3', 'z'.repeat(1_000)));
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(store.totalBytes).toBe(2 * unit);
    await store.put('k', turn('resp_huge', 'h'.repeat(3 * unit)));
    expect(await store.get('k', 'resp_huge')).toBeUndefined();
    expect(store.totalBytes).toBe(2 * unit);
  });

  it('sweeps expired entries when storing, so they stop counting against the bounds', async () => {
    const time = clock();
    const store = new InMemoryResponseStore({ ttlMs: 1_000, now: time.now });
    await store.put('k', turn('resp_1', 'same'));
    await store.put('k', turn('resp_2', 'same'));
    time.advance(1_000);
    await store.put('k', turn('resp_3', 'same'));
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(await costOf('same'));
  });

  it('storing an id again replaces the entry', async () => {
    const store = new InMemoryResponseStore();
    await store.put('k', turn('resp_1', 'short'));
    await store.put('k', turn('resp_1', 'a longer text'));
    expect(store.size).toBe(1);
    expect(store.totalBytes).toBe(await costOf('a longer text'));
    expect(textsOf(await store.get('k', 'resp_1'))).toEqual(['a longer text']);
  });

  it('counts each turn of a conversation once, however many responses share it', async () => {
    const unit = await costOf('t'.repeat(1_000));
    const store = new InMemoryResponseStore();
    const last = await converse(store, 'resp_c', 10, () => 't'.repeat(1_000));
    expect(textsOf(last)).toHaveLength(10);
    expect(store.size).toBe(10);
    expect(store.totalBytes).toBe(10 * unit);
  });

  it('keeps counting the turns of an evicted response while later turns still reach them, and stops when they go', async () => {
    const unit = await costOf('t'.repeat(1_000));
    const store = new InMemoryResponseStore({ maxEntries: 2 });
    const last = await converse(store, 'resp_c', 5, (i) => `${i}`.padEnd(1_000, 't'));
    // Entries for turns 1 to 3 are gone; turn 5 still carries them, and so does the count.
    expect(store.size).toBe(2);
    expect(await store.get('k', 'resp_c_1')).toBeUndefined();
    expect(textsOf(await store.get('k', 'resp_c_5')).map((text) => text.slice(0, 1))).toEqual(['1', '2', '3', '4', '5']);
    expect(store.totalBytes).toBe(5 * unit);
    // Once the conversation's last entries go, so does all of it.
    await store.put('k', turn('resp_other_1', 'o'.repeat(1_000)));
    await store.put('k', turn('resp_other_2', 'o'.repeat(1_000)));
    expect(store.totalBytes).toBe(2 * unit);
    expect(textsOf(last)).toHaveLength(5);
  });

  it('evicts by what is really kept: a big first turn is not hidden behind small continuations', async () => {
    const big = await costOf('B'.repeat(50_000));
    const options: InMemoryResponseStoreOptions = { maxBytes: 3 * big };
    const store = new InMemoryResponseStore(options);
    for (let c = 0; c < 20; c++) {
      const first = `resp_${c}_1`;
      await store.put('k', turn(first, 'B'.repeat(50_000)));
      let previous = await store.get('k', first);
      for (let i = 2; i <= 4 && previous !== undefined; i++) {
        await store.put('k', turn(`resp_${c}_${i}`, 'small', previous));
        previous = await store.get('k', `resp_${c}_${i}`);
      }
      expect(store.totalBytes).toBeLessThanOrEqual(options.maxBytes as number);
    }
    // Only as many big turns as fit are still reachable, through whichever response.
    let reachable = 0;
    for (let c = 0; c < 20; c++) {
      const found = await Promise.all([1, 2, 3, 4].map((i) => store.get('k', `resp_${c}_${i}`)));
      if (found.some((response) => response !== undefined)) reachable += 1;
    }
    expect(reachable).toBeGreaterThan(0);
    expect(reachable).toBeLessThanOrEqual(3);
  });

  it('continues a response whose entry was evicted after it was read, counting its turns again', async () => {
    const unit = await costOf('t'.repeat(1_000));
    const store = new InMemoryResponseStore({ maxEntries: 1 });
    await store.put('k', turn('resp_1', 't'.repeat(1_000)));
    const first = await store.get('k', 'resp_1');
    await store.put('k', turn('resp_other', 'o'.repeat(1_000)));
    expect(store.totalBytes).toBe(unit);
    await store.put('k', turn('resp_2', 'u'.repeat(1_000), first));
    expect(textsOf(await store.get('k', 'resp_2'))).toEqual(['t'.repeat(1_000), 'u'.repeat(1_000)]);
    expect(store.totalBytes).toBe(2 * unit);
  });

  it('does not keep a conversation whose whole history exceeds maxBytes', async () => {
    const unit = await costOf('t'.repeat(1_000));
    const store = new InMemoryResponseStore({ maxBytes: Math.floor(3.5 * unit) });
    const third = await converse(store, 'resp_c', 3, () => 't'.repeat(1_000));
    await store.put('k', turn('resp_c_4', 't'.repeat(1_000), third));
    expect(await store.get('k', 'resp_c_4')).toBeUndefined();
    expect(store.totalBytes).toBeLessThanOrEqual(Math.floor(3.5 * unit));
  });

  it('counts text V8 keeps two bytes a character at two bytes a character', async () => {
    const latin = await costOf('e'.repeat(10_000));
    const wide = await costOf('\u20ac'.repeat(10_000));
    expect(wide - latin).toBe(10_000);
  });

  it.each([
    ['maxEntries', { maxEntries: 0 }],
    ['maxBytes', { maxBytes: -1 }],
    ['ttlMs', { ttlMs: Number.NaN }],
  ])('refuses a non-positive %s', (name, options) => {
    expect(() => new InMemoryResponseStore(options)).toThrow(new RegExp(`${name} must be a positive number`));
  });
});
