// Deterministic unit vectors from a hash of each input: equal inputs embed equally, different
// inputs differ, and no randomness leaks into tests.
import { createHash } from 'node:crypto';

export const DEFAULT_MOCK_EMBEDDING_DIMENSIONS = 256;

export function mockEmbedding(input: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}\u0000${input}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && values.length < dimensions; offset += 4) {
      values.push(digest.readUInt32BE(offset) / 0x7fffffff - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}
