// The in-process semantic index: the best match at or above the threshold, entries that expire
// with their ttl, at most maxEntriesPerPartition per partition (the oldest go first), partitions
// that never see each other's entries, and least recently used partitions evicted first.
import { describe, expect, it } from '@jest/globals';
import { MemorySemanticIndex } from '../../../src/cache/semantic/memory-semantic-index.js';
import { similarity, unitVector } from '../../../src/cache/semantic/vectors.js';

const v = (...values: number[]): Float32Array => unitVector(values) as Float32Array;

describe('MemorySemanticIndex', () => {
  it('finds the most similar entry at or above the threshold', async () => {
    const index = new MemorySemanticIndex({ maxBytes: 1 << 20, nowMs: () => 0 });
    await index.add('p', { vector: v(1, 0, 0), answerKey: 'x' }, 1000, 10);
    await index.add('p', { vector: v(1, 1, 0), answerKey: 'y' }, 1000, 10);
    const query = v(1, 0.9, 0);
    const match = await index.search('p', query, 0.5);
    expect(match?.answerKey).toBe('y');
    expect(match?.similarity).toBeCloseTo(similarity(query, v(1, 1, 0)), 6);
    expect(await index.search('p', v(0, 0, 1), 0.5)).toBeUndefined();
    expect(await index.search('other', query, 0.5)).toBeUndefined();
  });

  it('drops entries whose ttl has passed', async () => {
    let now = 0;
    const index = new MemorySemanticIndex({ maxBytes: 1 << 20, nowMs: () => now });
    await index.add('p', { vector: v(1, 0), answerKey: 'x' }, 1000, 10);
    now = 999;
    expect((await index.search('p', v(1, 0), 0.9))?.answerKey).toBe('x');
    now = 1000;
    expect(await index.search('p', v(1, 0), 0.9)).toBeUndefined();
    expect(index.size).toBe(0);
    expect(index.bytes).toBe(0);
  });

  it('keeps at most maxEntries per partition, the newest', async () => {
    const index = new MemorySemanticIndex({ maxBytes: 1 << 20, nowMs: () => 0 });
    for (let i = 0; i < 5; i++) await index.add('p', { vector: v(1, i), answerKey: `k${i}` }, 1000, 3);
    expect(index.size).toBe(3);
    expect(await index.search('p', v(1, 0), 0.9999)).toBeUndefined();
    expect((await index.search('p', v(1, 4), 0.9999))?.answerKey).toBe('k4');
  });

  it('replaces the vector of an answer stored again', async () => {
    const index = new MemorySemanticIndex({ maxBytes: 1 << 20, nowMs: () => 0 });
    await index.add('p', { vector: v(1, 0), answerKey: 'x' }, 1000, 10);
    await index.add('p', { vector: v(0, 1), answerKey: 'x' }, 1000, 10);
    expect(index.size).toBe(1);
    expect(await index.search('p', v(1, 0), 0.9)).toBeUndefined();
  });

  it('evicts the least recently used partition first when over its bytes', async () => {
    const oneEntry = 2 * 4 + 512 + 400; // floats, entry and partition overhead
    const index = new MemorySemanticIndex({ maxBytes: oneEntry * 2, nowMs: () => 0 });
    await index.add('a', { vector: v(1, 0), answerKey: 'a' }, 1000, 10);
    await index.add('b', { vector: v(1, 0), answerKey: 'b' }, 1000, 10);
    await index.search('a', v(1, 0), 0.9); // a is now the most recently used
    await index.add('c', { vector: v(1, 0), answerKey: 'c' }, 1000, 10);
    expect(await index.search('b', v(1, 0), 0.9)).toBeUndefined();
    expect((await index.search('a', v(1, 0), 0.9))?.answerKey).toBe('a');
    expect((await index.search('c', v(1, 0), 0.9))?.answerKey).toBe('c');
    expect(index.bytes).toBeLessThanOrEqual(oneEntry * 2);
  });
});
