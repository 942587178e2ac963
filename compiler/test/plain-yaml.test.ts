// The fast reader for plain YAML must agree with the `yaml` library (with the manifest options:
// YAML 1.1, timestamps kept as strings) on every text it accepts, and must leave to the library
// every text the library finds invalid, so errors keep their line and column. Checked on the
// repository's own YAML, on hand-picked corner cases, and on generated and mutated texts.
//
// Reproduce or widen a run: SWITCHYARD_FUZZ_SEED=<seed> SWITCHYARD_FUZZ_RUNS=<n> bash scripts/test.sh plain-yaml
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { readPlainYamlDocuments } from '../src/manifests/plain-yaml.js';
import { repoRoot } from './support/manifests.js';

const seed = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 20261207);
const numRuns = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 3000);

/** What the library makes of a text with the options parse-manifest-files uses; undefined when any document has an error. */
function library(text: string): unknown[] | undefined {
  const documents = parseAllDocuments(text, {
    version: '1.1',
    customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const list = Array.isArray(documents) ? documents : [];
  if (list.some((document) => document.errors.length > 0)) return undefined;
  try {
    return list.map((document) => document.toJS());
  } catch {
    return undefined;
  }
}

/** The property: the fast reader declines, or gives exactly the library's values for a text the library accepts. */
function agrees(text: string): boolean {
  const fast = readPlainYamlDocuments(text);
  return fast === undefined || isDeepStrictEqual(fast, library(text));
}

function yamlFilesUnder(directory: string, out: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yamlFilesUnder(path, out);
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

const MANIFEST = `---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: key-1, namespace: team-1}
spec:
  secretName: key-1
  allowedModels: ["model-*"]
  rateLimit: {requestsPerMinute: 6000}
---
apiVersion: v1
kind: Secret
metadata: {name: key-1, namespace: team-1}
stringData: {key: "sk-sy-team-1-key-1-0123456789abcdef"}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata:
  name: route-1
  namespace: team-1
  labels:
    app.kubernetes.io/name: switchyard # a comment
spec:
  model: model-1
  backends:
  - {name: a, provider: mock, model: echo}
  - name: b
    provider: mock
    model: echo2
    weight: 2
    baseURL: http://mock:8080/v1
  fallbackModels: [model-2, 'it''s', ""]
  cache:
    ttl: 5m
    enabled: true
    ratio: 0.25
    empty:
`;

describe('plain YAML reader', () => {
  it('reads generated manifests itself, with the library’s values', () => {
    const fast = readPlainYamlDocuments(MANIFEST);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(library(MANIFEST));
    expect(fast).toHaveLength(3);
  });

  it('agrees with the library on every YAML file of the repository, and reads the example manifests itself', () => {
    const files = yamlFilesUnder(repoRoot);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, agrees: agrees(text) }).toEqual({ file, agrees: true });
    }
    for (const name of ['demo-key.yaml', 'mock-gpt.yaml']) {
      const text = readFileSync(join(repoRoot, 'examples', 'standalone', name), 'utf8');
      expect({ name, read: readPlainYamlDocuments(text) !== undefined }).toEqual({ name, read: true });
    }
  });

  it.each([
    ['', []],
    ['# only a comment\n', []],
    ['a: 1\n---\n', [{ a: 1 }, null]],
    ['# c\n---\n---\na: 1\n', [null, { a: 1 }]],
    ['a: 1\n---\n# only\n---', [{ a: 1 }, null, null]],
    ['a:\n- 1\n- -2\nb: 2.5\n', [{ a: [1, -2], b: 2.5 }]],
    ['- a\n-\n  b: 1\n- - c\n  - d\n-\n', [['a', { b: 1 }, ['c', 'd'], null]]],
    ['k: [a, {b: c}, []]\nl: {}\n', [{ k: ['a', { b: 'c' }, []], l: {} }]],
    ['a: x:y\nb: a b  c # comment\n', [{ a: 'x:y', b: 'a b  c' }]],
    ['a: [TRUE, False, off, y, NULL, ~]\n', [{ a: [true, false, false, true, null, null] }]],
    ['a: \'# not a comment\'\nb: "x: y"\n', [{ a: '# not a comment', b: 'x: y' }]],
    ['-   a: 1\n    b:\n    - x\n', [[{ a: 1, b: ['x'] }]]],
    ['"on": 1\n\'y\':\n- "x": [a]\n', [{ on: 1, y: [{ x: ['a'] }] }]],
    ['a:\r\n  b: x # c\r\n---\r\n- 1\r\n', [{ a: { b: 'x' } }, [1]]],
    ['t: [20ms, 5m, 1.2.3, 2026-12-07, 0.5]\n', [{ t: ['20ms', '5m', '1.2.3', '2026-12-07', 0.5] }]],
  ])('reads %j as the library does', (text, expected) => {
    expect(readPlainYamlDocuments(text)).toStrictEqual(expected);
    expect(library(text)).toStrictEqual(expected);
  });

  it.each([
    // Outside the subset, although valid: the library reads these.
    'on: 1\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: multi\n  line\n',
    'a: "esc\\n"\n',
    'a: 0755\n',
    'a: 1_000\n',
    'a: 1:20\n',
    'a: 0x1f\n',
    'a: 1e3\n',
    'a: e12\n',
    'a: {b: 1}#c\n',
    'a: .inf\n',
    '"a\\"b": 1\n',
    'a: b\rc\n',
    'a:\n\tb: 1\n',
    '--- {a: 1}\n',
    '%YAML 1.1\n---\na: 1\n',
    'a: {b: 1,}\n',
    'a: [1,\n  2]\n',
    '<<: {a: 1}\n',
    '__proto__: 1\n',
    '  a: 1\n',
    // Invalid: the library reports these with their position.
    'a: b: c\n',
    'a: 1\n  b: 2\n',
    'a: 1\na: 2\n',
    'a: [unclosed\n',
    'a:\n  b: 1\n c: 2\n',
    'a: 1\n- b\n',
  ])('leaves %j to the library', (text) => {
    expect(readPlainYamlDocuments(text)).toBeUndefined();
  });

  it('agrees with the library on generated YAML-like texts', () => {
    const fragment = fc.constantFrom(
      '',
      ' ',
      '  ',
      '- ',
      '-',
      ': ',
      ':',
      'a',
      'b',
      'key',
      'x.y/z',
      'on',
      'yes',
      'No',
      'null',
      '~',
      'true',
      '0',
      '-1',
      '07',
      '1.5',
      '5m',
      '1:2',
      '0x1',
      '1e3',
      '_',
      '.5',
      '{',
      '}',
      '[',
      ']',
      ', ',
      ',',
      '"q"',
      "'s''t'",
      '"',
      "'",
      ' #c',
      '#',
      '&a',
      '*a',
      '!t',
      '|',
      '>',
      '?',
      '%',
      '\t',
      '\r',
      '\r\n',
      'é',
    );
    const value = fc.constantFrom(
      '',
      'v',
      'x y',
      '1',
      '-2',
      '0.5',
      '5m',
      'yes',
      '~',
      '{a: 1}',
      '{a: [b, c], d: {}}',
      '[a, 1, "s"]',
      '"s"',
      "'t'",
      ' #c',
      '{',
      '[a',
      '&a v',
      '|',
    );
    // Lines shaped like mapping entries and sequence items, at a few indentations, so that the
    // texts have structure (nested mappings, indentless sequences) as well as noise.
    const entry = fc
      .tuple(
        fc.constantFrom('', ' ', '  ', '    '),
        fc.constantFrom('', '- ', '-  ', '- - '),
        fc.constantFrom('a', 'b', 'c', 'on', '"q"', "'on'", 'x.y/z', 'e1'),
        fc.constantFrom(':', ': ', ':  ', ' :'),
        fc.array(value, { maxLength: 2 }),
      )
      .map(([indent, dash, key, colon, values]) => `${indent}${dash}${key}${colon}${values.join(' ')}`);
    const line = fc.oneof(
      fc.array(fragment, { maxLength: 7 }).map((parts) => parts.join('')),
      entry,
      entry,
    );
    const text = fc.array(fc.oneof(line, fc.constant('---')), { maxLength: 8 }).map((lines) => lines.join('\n'));
    fc.assert(fc.property(text, agrees), { seed, numRuns });
  });

  it('agrees with the library on mutated manifests', () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.nat({ max: 3 }),
      fc.constantFrom(' ', '  ', '\n', '-', ':', ',', '{', '}', '[', ']', '#', "'", '"', 'a', '1', '---\n', '- ', '\r\n', '\r'),
    );
    const mutated = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
      let text = MANIFEST;
      for (const [at, remove, insert] of edits) {
        const where = at % (text.length + 1);
        text = text.slice(0, where) + insert + text.slice(where + remove);
      }
      return text;
    });
    fc.assert(fc.property(mutated, agrees), { seed, numRuns });
  });
});
