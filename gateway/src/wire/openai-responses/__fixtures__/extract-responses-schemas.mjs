// Extracts the schemas the Responses front door's output is validated against (the `Response`
// object, every streaming event, the error body) from the official OpenAI OpenAPI spec into
// openai-responses-schemas.json, a 2020-12 JSON Schema with $defs, so tests need neither the
// 3 MB spec nor seconds of YAML parsing.
//
//   node gateway/src/wire/openai-responses/__fixtures__/extract-responses-schemas.mjs <openai-openapi.yaml>
//
// Normalized the same way as wire/openai-chat/__fixtures__/extract-openapi-schemas.mjs (the
// Chat Completions fixture): `nullable: true` becomes a null type (and a null enum member),
// documentation keys and `discriminator` are dropped. The spec's one draft 2019-09 leftover,
// `$recursiveRef: "#"` (CompoundFilter nests itself), becomes a plain `$ref` to the schema it
// sits in, which is what it means there and what ajv's 2020-12 mode accepts.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOTS = ['Response', 'ResponseStreamEvent', 'ErrorResponse'];
const DROP_KEYS = new Set(['description', 'example', 'examples', 'title', 'discriminator', 'deprecated', 'default', 'format']);

const specPath = process.argv[2];
if (!specPath) {
  console.error('usage: extract-responses-schemas.mjs <openai-openapi.yaml>');
  process.exit(2);
}
const schemas = parse(readFileSync(specPath, 'utf8')).components.schemas;

const defs = {};
const pending = [...ROOTS];
while (pending.length > 0) {
  const name = pending.pop();
  if (defs[name] !== undefined) continue;
  if (schemas[name] === undefined) throw new Error(`schema ${name} not in the spec`);
  defs[name] = normalize(schemas[name], pending, name);
}

const out = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $comment: 'Extracted from the OpenAI OpenAPI spec by extract-responses-schemas.mjs',
  $defs: Object.fromEntries(Object.keys(defs).sort().map((name) => [name, defs[name]])),
};
const target = join(dirname(fileURLToPath(import.meta.url)), 'openai-responses-schemas.json');
writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${Object.keys(defs).length} schemas to ${target}`);

function normalize(node, pending, owner) {
  if (Array.isArray(node)) return node.map((item) => normalize(item, pending, owner));
  if (node === null || typeof node !== 'object') return node;
  const result = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP_KEYS.has(key) || key.startsWith('x-') || key === 'nullable' || key === '$recursiveAnchor') continue;
    if (key === '$recursiveRef') {
      if (value !== '#') throw new Error(`unexpected $recursiveRef ${value} in ${owner}`);
      result.$ref = `#/$defs/${owner}`;
      continue;
    }
    if (key === '$ref') {
      const name = value.replace('#/components/schemas/', '');
      pending.push(name);
      result.$ref = `#/$defs/${name}`;
      continue;
    }
    // `properties` maps names to schemas: keep every name, even ones like `description`.
    if (key === 'properties') {
      result.properties = Object.fromEntries(Object.entries(value).map(([prop, schema]) => [prop, normalize(schema, pending, owner)]));
      continue;
    }
    result[key] = normalize(value, pending, owner);
  }
  if (node.nullable === true && typeof node.type === 'string') {
    result.type = [node.type, 'null'];
    if (Array.isArray(result.enum) && !result.enum.includes(null)) result.enum = [...result.enum, null];
  }
  if (node.nullable === true && node.$ref !== undefined) {
    delete result.$ref;
    return { anyOf: [{ $ref: `#/$defs/${node.$ref.replace('#/components/schemas/', '')}` }, { type: 'null' }], ...result };
  }
  return result;
}
