// Shared pieces of the property-based (fuzz) tests: one seed for reproducible runs, bounded run
// counts, a per-input time bound, and an arbitrary that mutates a valid document (so inputs get
// past the first field check and into the decoders' depths).
//
// Reproduce or widen a run: SWITCHYARD_FUZZ_SEED=<seed> SWITCHYARD_FUZZ_RUNS=<n> bash scripts/test.sh fuzz
import { expect } from '@jest/globals';
import fc from 'fast-check';

const seed = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261207);
const runsOverride = process.env.SWITCHYARD_FUZZ_RUNS === undefined ? undefined : Number(process.env.SWITCHYARD_FUZZ_RUNS);

/** fast-check parameters: a fixed seed, `numRuns` unless overridden from the environment. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  return { seed, numRuns: runsOverride ?? numRuns, endOnFailure: true };
}

/**
 * The most one input may take to decode. Most inputs are a few kilobytes, which every decoder
 * handles in well under a millisecond; the deep-nesting templates reach ~150 KB and take tens of
 * milliseconds. The bound is generous for a loaded machine (one such input took 755 ms with the
 * load average near 10) and catches only super-linear blow-ups, which took seconds.
 */
const PER_INPUT_MS = 2_000;

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `decode` on one input: it may return or throw one of `allowed`; anything else (a
 * TypeError, a RangeError from a stack overflow) fails the property, as does taking longer than
 * PER_INPUT_MS. Returns what was thrown, or undefined.
 */
export function decodesOrThrowsTyped(decode: () => unknown, allowed: readonly ErrorClass[]): Error | undefined {
  const started = performance.now();
  let thrown: unknown;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(PER_INPUT_MS);
  if (thrown === undefined) return undefined;
  if (!allowed.some((type) => thrown instanceof type)) {
    throw new Error(`threw an untyped error: ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`);
  }
  return thrown as Error;
}

/** The same for an async decoder. */
export async function decodesOrRejectsTyped(decode: () => unknown, allowed: readonly ErrorClass[]): Promise<Error | undefined> {
  const started = performance.now();
  let thrown: unknown;
  try {
    await decode();
  } catch (error) {
    thrown = error;
  }
  expect(performance.now() - started).toBeLessThan(PER_INPUT_MS);
  if (thrown === undefined) return undefined;
  if (!allowed.some((type) => thrown instanceof type)) {
    throw new Error(`threw an untyped error: ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`);
  }
  return thrown as Error;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value` (the root is the empty path). */
function pathsOf(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) pathsOf(value[index] as Json, [...prefix, index], out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  }
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Sets (or, with `remove`, deletes) the value at `path`; the root cannot be removed. */
function setAt(root: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? root;
  let parent = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as unknown as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = replacement;
  }
  return root;
}

/** Values that tend to find the edges of field readers. */
const edgeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, '', ' ', '\u0000', '\ud800', [], {}, [null], { '': null }),
  fc.integer() as fc.Arbitrary<Json>,
  fc.double({ noNaN: true }) as fc.Arbitrary<Json>,
  fc.string({ maxLength: 20 }) as fc.Arbitrary<Json>,
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/**
 * `template` with one to four mutations: a value replaced by an edge value, a field or array item
 * removed, or a value swapped for a copy of another part of the document.
 */
export function mutated(template: Json): fc.Arbitrary<Json> {
  const mutation = fc.tuple(fc.nat(), fc.constantFrom('replace', 'remove', 'transplant'), edgeValue, fc.nat());
  return fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
    let document = clone(template);
    for (const [at, kind, value, from] of mutations) {
      const paths = pathsOf(document);
      const path = paths[at % paths.length] as Array<string | number>;
      if (kind === 'remove' && path.length > 0) document = setAt(document, path, undefined);
      else if (kind === 'transplant') {
        let source: Json = document;
        for (const key of paths[from % paths.length] as Array<string | number>)
          source = (source as Record<string | number, Json>)[key] as Json;
        document = setAt(document, path, clone(source));
      } else document = setAt(document, path, value);
    }
    return document;
  });
}

const PLACEHOLDER = '@@deep@@';

/**
 * `template` as JSON text with one value replaced by a schema-like object nested `levels` deep,
 * spliced in as text: building it as an object would overflow the stack in JSON.stringify and in
 * this file's own walks, which is what it exists to try on the decoders.
 */
function deepened(template: Json, levels = 3000): fc.Arbitrary<string> {
  const deep = `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;
  return fc.nat().map((at) => {
    const document = clone(template);
    const paths = pathsOf(document).filter((path) => path.length > 0);
    const path = paths[at % paths.length] as Array<string | number>;
    return JSON.stringify(setAt(document, path, PLACEHOLDER)).replace(JSON.stringify(PLACEHOLDER), deep);
  });
}

/** Arbitrary JSON, arbitrary objects and mutated templates, as the bytes a caller could send. */
export function jsonInputs(templates: readonly Json[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.oneof(...templates.map((template) => deepened(template))) },
    { weight: 6, arbitrary: fc.oneof(...templates.map(mutated)).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 })).map((value) => JSON.stringify(value)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
}

/** Bytes cut at the given points (fractions of the input): one input, delivered in chunks. */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

export type { Json };
