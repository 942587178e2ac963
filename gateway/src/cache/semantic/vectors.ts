// Embeddings as the semantic index keeps them: float32, scaled to unit length once when stored,
// so a cosine similarity is one dot product at lookup. In Redis they travel as base64 of the
// little-endian float32 bytes (Lua strings are binary-safe, but the connection's arguments are
// text).
import { endianness } from 'node:os';

/** A unit-length float32 copy; undefined for a vector with no length (all zeros, NaN). */
export function unitVector(values: readonly number[]): Float32Array | undefined {
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  const vector = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) vector[i] = (values[i] as number) / norm;
  return vector;
}

/** Cosine similarity of two unit vectors; -1 when their dimensions differ (never a match). */
export function similarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  // Four running sums: independent additions the CPU can overlap (about twice as fast as one sum).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = a.length - (a.length % 4);
  let i = 0;
  for (; i < end; i += 4) {
    s0 += (a[i] as number) * (b[i] as number);
    s1 += (a[i + 1] as number) * (b[i + 1] as number);
    s2 += (a[i + 2] as number) * (b[i + 2] as number);
    s3 += (a[i + 3] as number) * (b[i + 3] as number);
  }
  for (; i < a.length; i++) s0 += (a[i] as number) * (b[i] as number);
  return s0 + s1 + s2 + s3;
}

export function encodeVector(vector: Float32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString('base64');
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Undefined when the text is not a whole number of float32 values. */
export function decodeVector(text: string): Float32Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
  // On a little-endian host (every platform Node ships for but s390x) the bytes are the floats:
  // one copy into an aligned buffer instead of a read per value.
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer);
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
