// The in-process semantic index holds to --semantic-cache-max-bytes on the heap: filled with many
// times its bound of vectors across many partitions, the heap it keeps (measured after a full
// garbage collection, typed-array backing stores included) stays within the bound, and it still
// holds about as many entries as the bound allows.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { MemorySemanticIndex } from '../../../src/cache/semantic/memory-semantic-index.js';
import { unitVector } from '../../../src/cache/semantic/vectors.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const MAX_BYTES = 8 * 1024 * 1024;
const HEAP_NOISE_BYTES = 64 * 1024;

function retainedBytes(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function randomVector(seed: number, dimensions: number): Float32Array {
  const values: number[] = [];
  let state = seed * 2654435761;
  for (let i = 0; i < dimensions; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values.push(state / 2147483648 - 0.5);
  }
  return unitVector(values) as Float32Array;
}

describe('semantic index memory bound', () => {
  // The mock model's 256 dimensions, and OpenAI text-embedding-3-small's 1536.
  it.each([256, 1536])('keeps within its byte bound on the heap however much is added (%i dimensions)', async (dimensions) => {
    const before = retainedBytes();
    const index = new MemorySemanticIndex({ maxBytes: MAX_BYTES, nowMs: () => 0 });
    const added = Math.ceil((MAX_BYTES / (dimensions * 4)) * 6); // about 5 times what fits
    for (let i = 0; i < added; i++) {
      const answerKey = (i * 7919).toString(16).padStart(64, '0');
      await index.add(`partition-${i % 997}`.padEnd(64, '0'), { vector: randomVector(i, dimensions), answerKey }, 3_600_000, 256);
    }
    const after = retainedBytes();
    expect(index.bytes).toBeLessThanOrEqual(MAX_BYTES);
    // What it accounts for fits the bound, and it keeps most of what fits.
    expect(index.size).toBeGreaterThan((MAX_BYTES / (dimensions * 4 + 512)) * 0.8);
    // Measured: what the index really keeps alive is within the bound it accounts against. The
    // whole heap is measured, so code and type feedback V8 made for the loop above count too:
    // 64 KiB of room for them (a run measured 648 bytes over the bound), under 1% of it.
    expect(after - before).toBeLessThanOrEqual(MAX_BYTES + HEAP_NOISE_BYTES);
    // Still usable afterwards.
    expect(index.size).toBeGreaterThan(0);
  });
});
