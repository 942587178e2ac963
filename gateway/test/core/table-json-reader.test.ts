// The entry-by-entry table decoder must yield exactly what JSON.parse of the whole JSON yields,
// member order included, however gunzip cuts the bytes into chunks; and refuse what is not a
// whole JSON object.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { gunzipTableJson, TableJsonReader } from '../../src/control-plane/table-json-reader.js';

const TABLES: Array<[string, string]> = [
  [
    'compact',
    JSON.stringify({ version: 3, hash: 'abc', compiledAt: '2026-12-07T00:00:00Z', keys: [{ id: 'a/k', n: [1, 2] }], routes: {} }),
  ],
  [
    'whitespace and scalars of every kind',
    `{ "version" : 12 ,\n "hash":"h",\t"flag": true, "none": null, "neg": -1.5e3,\r\n "list": [ 1 , "two" , null, false, {"x": [ ]} ] ,
      "record": { "a" : { "b" : "}" } , "c": [ "]" ] , "d": 7 , "e" : "plain" } }`,
  ],
  [
    'strings with escapes, braces and multi-byte characters',
    JSON.stringify({
      keys: [
        { id: 'ns/"quoted"', labels: { 'x\\y': '{[}]', ü: 'snow ☃ and 𝄞' } },
        { id: 'ns/\\', s: '\\"' },
      ],
      routes: { 'ns/r\n1': { model: 'a,b:c' }, 'ns/é': { model: '' } },
      empty: {},
      emptyList: [],
    }),
  ],
  ['an own __proto__ member', '{"routes": {"__proto__": {"id": "x"}, "b": {"id": "y"}}, "__proto__": 1}'],
  ['numeric-looking names', '{"modelsByNamespace": {"2": {"b": "r"}, "10": {"a": "r"}, "x": {}}}'],
];

function readInChunks(json: string, size: number): Record<string, unknown> {
  const bytes = Buffer.from(json, 'utf8');
  const reader = new TableJsonReader();
  for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  return reader.finish();
}

describe('table JSON reader', () => {
  it.each(TABLES)('%s: the same value as JSON.parse, whatever the chunk size', (_name, json) => {
    const expected = JSON.parse(json) as Record<string, unknown>;
    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      const read = readInChunks(json, size);
      expect(read).toEqual(expected);
      // Same member order (what JSON.stringify shows), and __proto__ an own member as JSON.parse makes it.
      expect(JSON.stringify(read)).toBe(JSON.stringify(expected));
      expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    }
  });

  it('hands every entry of a collection to the hook and stores what it returns', async () => {
    const seen: string[] = [];
    const { table, bytes } = await gunzipTableJson(
      gzipSync(JSON.stringify({ version: 1, keys: [{ id: 'k1' }, { id: 'k2' }], routes: { r: { id: 'r' } } })),
      (collection, entry) => {
        seen.push(`${collection}:${(entry as { id: string }).id}`);
        return { ...(entry as object), seen: true };
      },
    );
    expect(seen).toEqual(['keys:k1', 'keys:k2', 'routes:r']);
    expect(table).toEqual({
      version: 1,
      keys: [
        { id: 'k1', seen: true },
        { id: 'k2', seen: true },
      ],
      routes: { r: { id: 'r', seen: true } },
    });
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify({ version: 1, keys: [{ id: 'k1' }, { id: 'k2' }], routes: { r: { id: 'r' } } })));
  });

  it.each([
    ['cut short', '{"version": 1, "keys": [{"id": "a"}'],
    ['not an object', '[1, 2]'],
    ['bytes after the end', '{"version": 1} x'],
    ['a broken entry', '{"keys": [{"id": }]}'],
    ['a broken member', '{"version": 1x, "keys": []}'],
  ])('refuses JSON that is %s', async (_name, json) => {
    await expect(gunzipTableJson(gzipSync(json))).rejects.toThrow();
  });
});
