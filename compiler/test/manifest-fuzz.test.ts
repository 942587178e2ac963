// Property: standalone manifest parsing and compilation, fed mutated example manifests or
// arbitrary YAML-ish text, either compiles or refuses with a ConfigError (one line naming the file
// and the problem), within a bounded time; never any other error.
//
// Reproduce or widen a run: SWITCHYARD_FUZZ_SEED=<seed> SWITCHYARD_FUZZ_RUNS=<n> bash scripts/test.sh manifest-fuzz
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { compileStandaloneFiles, ConfigError } from '../src/index.js';
import { repoRoot } from './support/manifests.js';

const seed = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261207);
const numRuns = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 200);
/** Generous: a handful of objects compiles in a few milliseconds. */
const PER_INPUT_MS = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const EXAMPLES: Json[] = ['demo-key.yaml', 'mock-gpt.yaml'].flatMap((name) =>
  parseAllDocuments(readFileSync(join(repoRoot, 'examples', 'standalone', name), 'utf8')).map((document) => document.toJSON() as Json),
);
const PROVIDER_ROUTE: Json[] = [
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai', namespace: 'team-a' }, stringData: { apiKey: 'sk-upstream' } },
  {
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ModelRoute',
    metadata: { name: 'gpt', namespace: 'team-a' },
    spec: {
      model: 'gpt-4o',
      backends: [{ name: 'a', provider: 'openai', model: 'gpt-4o', credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }] }],
      fallbackModels: ['mock-gpt'],
      cache: { ttl: '5m' },
    },
  },
];
const TEMPLATE: Json = [...EXAMPLES, ...PROVIDER_ROUTE];

function pathsOf(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) pathsOf(value[index] as Json, [...prefix, index], out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  }
  return out;
}

function withValueAt(root: Json, path: Array<string | number>, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? root;
  let parent = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as unknown as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement !== undefined) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return root;
}

const edgeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, '', '0', '-1', '1ms', '99999h', '${UNSET}', 'default', '*', 'v1', [], {}),
  fc.string({ maxLength: 16 }) as fc.Arbitrary<Json>,
  fc.integer() as fc.Arbitrary<Json>,
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** The template with one to four values replaced, removed or copied from elsewhere in it. */
const mutatedManifests = fc
  .array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'remove', 'transplant'), edgeValue, fc.nat()), { minLength: 1, maxLength: 4 })
  .map((mutations) => {
    let document = JSON.parse(JSON.stringify(TEMPLATE)) as Json;
    for (const [at, kind, value, from] of mutations) {
      const paths = pathsOf(document);
      const path = paths[at % paths.length] as Array<string | number>;
      if (kind === 'remove') document = withValueAt(document, path, undefined);
      else if (kind === 'transplant') {
        let source: Json = document;
        for (const key of paths[from % paths.length] as Array<string | number>)
          source = (source as Record<string | number, Json>)[key] as Json;
        document = withValueAt(document, path, JSON.parse(JSON.stringify(source)) as Json);
      } else document = withValueAt(document, path, value);
    }
    // JSON is YAML: one document per object, as a manifest file holds them.
    return (Array.isArray(document) ? document : [document]).map((object) => JSON.stringify(object)).join('\n---\n');
  });

/** Text built from YAML's own punctuation and the manifests' words. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '---\n',
        '\n',
        '  ',
        '- ',
        ': ',
        '{',
        '}',
        '[',
        ']',
        '"',
        "'",
        '&a ',
        '*a',
        '!!binary ',
        '? ',
        '|\n',
        '#',
        'kind: ',
        'apiVersion: ',
        'metadata:',
        'spec:',
        'name: x',
        'v1',
        'switchyard.dev/v1alpha1',
        'ModelRoute',
        'Secret',
        'VirtualKey',
        'Budget',
        'List',
        'items:',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 50 },
  )
  .map((pieces) => pieces.join(''));

function compilesOrConfigError(text: string): void {
  const started = performance.now();
  try {
    compileStandaloneFiles([{ path: 'fuzz.yaml', text }], { env: {} });
  } catch (error) {
    if (!(error instanceof ConfigError)) {
      throw new Error(`threw an untyped error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    expect(error.message).not.toContain('\n');
  }
  expect(performance.now() - started).toBeLessThan(PER_INPUT_MS);
}

describe('manifest compilation under fuzzing', () => {
  it('compiles the unmutated template', () => {
    expect(() =>
      compileStandaloneFiles([{ path: 'fuzz.yaml', text: (TEMPLATE as Json[]).map((o) => JSON.stringify(o)).join('\n---\n') }], {
        env: {},
      }),
    ).not.toThrow();
  });

  // What the fuzzing found, kept as plain cases: both threw a TypeError / ReferenceError before.
  it.each([
    [
      'a ModelRoute without metadata',
      '{"apiVersion":"switchyard.dev/v1alpha1","kind":"ModelRoute","spec":{"model":"m","backends":[]}}',
      /metadata: must be an object/,
    ],
    ['an alias to an anchor that was never set', 'apiVersion: v1\nkind: Secret\nmetadata: *missing\n', /invalid YAML/],
  ])('refuses %s with a ConfigError', (_name, text, message) => {
    expect(() => compileStandaloneFiles([{ path: 'fuzz.yaml', text }], { env: {} })).toThrow(ConfigError);
    expect(() => compileStandaloneFiles([{ path: 'fuzz.yaml', text }], { env: {} })).toThrow(message);
  });

  it('compiles mutated manifests or refuses them with a ConfigError', () => {
    fc.assert(fc.property(mutatedManifests, compilesOrConfigError), { seed, numRuns, endOnFailure: true });
  });

  it('refuses arbitrary YAML-ish text only with a ConfigError', () => {
    fc.assert(fc.property(fc.oneof(yamlish, fc.string({ maxLength: 200 })), compilesOrConfigError), { seed, numRuns, endOnFailure: true });
  });
});
