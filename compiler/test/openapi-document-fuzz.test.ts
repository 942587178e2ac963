// Property: an MCPServer's OpenAPI document, mutated from a real one or arbitrary text, either
// compiles into tools or is refused as InvalidOpenAPIDocument naming the problem, within a bounded
// time; never another error (the kind step would report any other exception as Invalid, which
// would hide a crash, so only these two outcomes pass).
//
// Reproduce or widen a run: SWITCHYARD_FUZZ_SEED=<seed> SWITCHYARD_FUZZ_RUNS=<n> bash scripts/test.sh openapi-document-fuzz
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { MCPServerSpec } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { mcpServer } from './support/manifests.js';

const seed = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261207);
const numRuns = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 200);
/** Generous: a small document compiles in well under a millisecond. */
const PER_INPUT_MS = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TEMPLATE: Json = {
  openapi: '3.1.0',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets': {
      parameters: [{ $ref: '#/components/parameters/Limit' }],
      get: {
        operationId: 'listPets',
        summary: 'List',
        parameters: [{ name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' } } }],
      },
      post: { requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
    },
    '/pets/{id}': {
      get: { operationId: 'getPet', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] },
    },
  },
  components: {
    parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer' } } },
    schemas: {
      Pet: { type: 'object', properties: { name: { type: 'string', nullable: true }, parent: { $ref: '#/components/schemas/Pet' } } },
    },
  },
};

function pathsOf(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) pathsOf(value[index] as Json, [...prefix, index], out);
  } else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
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

const PATHS = pathsOf(TEMPLATE);
const interesting = fc.constantFrom<Json>(
  '#/components/schemas/Pet',
  '#/components',
  '#',
  'other.yaml#/x',
  '/a/{b}',
  'path',
  'cookie',
  'header',
  '__proto__',
  'application/json',
  [],
  {},
  null,
  { $ref: '#/components/schemas/Pet' },
  { $ref: '#/paths' },
);
const mutation = fc.record({
  path: fc.constantFrom(...PATHS),
  value: fc.option(fc.oneof(interesting, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>), { nil: undefined }),
});

function outcome(text: string): { reason: string | undefined; ms: number } {
  const started = performance.now();
  const spec = { url: undefined, openapi: { inline: text, baseURL: 'https://pets.example.com' } } as unknown as Partial<MCPServerSpec>;
  const result = compile({ objects: [mcpServer({ name: 'pets' }, spec)] });
  return { reason: conditionOf(result.diagnostics, 'MCPServer', 'default/pets', 'Accepted')?.reason, ms: performance.now() - started };
}

describe('OpenAPI documents (fuzz)', () => {
  it('mutated documents compile or are refused as InvalidOpenAPIDocument', () => {
    const seen = new Set<string | undefined>();
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, asYaml) => {
        let document: Json = structuredClone(TEMPLATE);
        for (const { path, value } of mutations) {
          try {
            document = withValueAt(document, path, value);
          } catch {
            // An earlier mutation removed the parent: skip this one.
          }
        }
        const { reason, ms } = outcome(asYaml ? stringify(document) : JSON.stringify(document));
        seen.add(reason);
        expect(['Accepted', 'InvalidOpenAPIDocument']).toContain(reason);
        expect(ms).toBeLessThan(PER_INPUT_MS);
      }),
      { seed, numRuns },
    );
    // The mutations reach both outcomes, or the property says little.
    expect([...seen].sort()).toEqual(['Accepted', 'InvalidOpenAPIDocument']);
  });

  it('arbitrary text is refused as InvalidOpenAPIDocument', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), (text) => {
        const { reason, ms } = outcome(text);
        expect(reason).toBe('InvalidOpenAPIDocument');
        expect(ms).toBeLessThan(PER_INPUT_MS);
      }),
      { seed, numRuns },
    );
  });
});
