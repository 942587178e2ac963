// Extracts the response schemas Switchyard's OpenAI-format output is validated against from the
// official OpenAI OpenAPI spec into openai-openapi-schemas.json (a 2020-12 JSON Schema with
// $defs), so tests need neither the 3 MB spec nor seconds of YAML parsing.
//
//   node gateway/src/wire/openai-chat/__fixtures__/extract-openapi-schemas.mjs <openai-openapi.yaml>
//
// OpenAPI 3.0 leftovers are normalized as the spec's README says: `nullable: true` becomes a
// null type (and a null enum member); `nullable` on a schema without `type` is dropped.
// Documentation keys are removed to keep the fixture small.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOTS = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'CreateEmbeddingResponse',
  'ErrorResponse',
  'ListModelsResponse',
];
const DROP_KEYS = new Set(['description', 'example', 'examples', 'title', 'discriminator', 'deprecated', 'default', 'format']);

const specPath = process.argv[2];
if (!specPath) {
  console.error('usage: extract-openapi-schemas.mjs <openai-openapi.yaml>');
  process.exit(2);
}
const spec = parse(readFileSync(specPath, 'utf8'));
const schemas = spec.components.schemas;

const defs = {};
const pending = [...ROOTS];
while (pending.length > 0) {
  const name = pending.pop();
  if (defs[name] !== undefined) continue;
  if (schemas[name] === undefined) throw new Error(`schema ${name} not in the spec`);
  defs[name] = normalize(schemas[name], pending);
}

const out = { $schema: 'https://json-schema.org/draft/2020-12/schema', $comment: `Extracted from the OpenAI OpenAPI spec by extract-openapi-schemas.mjs`, $defs: sortKeys(defs) };
const target = join(dirname(fileURLToPath(import.meta.url)), 'openai-openapi-schemas.json');
writeFileSync(target, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${Object.keys(defs).length} schemas to ${target}`);

function normalize(node, pending) {
  if (Array.isArray(node)) return node.map((item) => normalize(item, pending));
  if (node === null || typeof node !== 'object') return node;
  const result = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP_KEYS.has(key) || key.startsWith('x-')) continue;
    if (key === 'nullable') continue;
    if (key === '$ref') {
      const name = value.replace('#/components/schemas/', '');
      pending.push(name);
      result.$ref = `#/$defs/${name}`;
      continue;
    }
    // `properties` maps names to schemas: keep every name, even ones like `description`.
    if (key === 'properties') {
      result.properties = Object.fromEntries(Object.entries(value).map(([prop, schema]) => [prop, normalize(schema, pending)]));
      continue;
    }
    result[key] = normalize(value, pending);
  }
  if (node.nullable === true && typeof node.type === 'string') {
    result.type = [node.type, 'null'];
    if (Array.isArray(result.enum) && !result.enum.includes(null)) result.enum = [...result.enum, null];
  }
  if (node.nullable === true && node.$ref !== undefined) {
    // A nullable reference: the referenced schema or null.
    delete result.$ref;
    return { anyOf: [{ $ref: `#/$defs/${node.$ref.replace('#/components/schemas/', '')}` }, { type: 'null' }], ...result };
  }
  return result;
}

function sortKeys(record) {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
}
