// Extracts the schemas Switchyard's OpenAI-format output is validated against from the official
// OpenAI OpenAPI spec into a 2020-12 JSON Schema with $defs beside the codec it checks, so tests
// need neither the 3 MB spec nor seconds of YAML parsing:
//
//   node scripts/extract-openai-schemas.mjs <openai-openapi.yaml> chat        Chat Completions, embeddings, models, errors
//   node scripts/extract-openai-schemas.mjs <openai-openapi.yaml> responses   the Responses API's object and stream events
//
// OpenAPI 3.0 leftovers are normalized: `nullable: true` becomes a null type (and a null enum
// member, or `anyOf` with null beside a reference); documentation keys and `discriminator` are
// dropped. The spec's one draft 2019-09 leftover, `$recursiveRef: "#"` (CompoundFilter nests
// itself), becomes a plain `$ref` to the schema it sits in, which is what it means there and what
// ajv's 2020-12 mode accepts.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const WIRE = join(dirname(fileURLToPath(import.meta.url)), '..', 'gateway', 'src', 'wire');
const TARGETS = {
  chat: {
    roots: [
      'CreateChatCompletionResponse',
      'CreateChatCompletionStreamResponse',
      'CreateEmbeddingResponse',
      'ErrorResponse',
      'ListModelsResponse',
    ],
    output: join(WIRE, 'openai-chat', '__fixtures__', 'openai-openapi-schemas.json'),
    indent: 1,
  },
  responses: {
    roots: ['Response', 'ResponseStreamEvent', 'ErrorResponse'],
    output: join(WIRE, 'openai-responses', '__fixtures__', 'openai-responses-schemas.json'),
    indent: undefined,
  },
};
const DROP_KEYS = new Set(['description', 'example', 'examples', 'title', 'discriminator', 'deprecated', 'default', 'format']);

const [specPath, targetName] = process.argv.slice(2);
const target = TARGETS[targetName];
if (!specPath || target === undefined) {
  console.error(`usage: extract-openai-schemas.mjs <openai-openapi.yaml> ${Object.keys(TARGETS).join('|')}`);
  process.exit(2);
}
const schemas = parse(readFileSync(specPath, 'utf8')).components.schemas;

const defs = {};
const pending = [...target.roots];
while (pending.length > 0) {
  const name = pending.pop();
  if (defs[name] !== undefined) continue;
  if (schemas[name] === undefined) throw new Error(`schema ${name} not in the spec`);
  defs[name] = normalize(schemas[name], pending, name);
}

const out = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $comment: `Extracted from the OpenAI OpenAPI spec by scripts/extract-openai-schemas.mjs (${targetName})`,
  $defs: Object.fromEntries(
    Object.keys(defs)
      .sort()
      .map((name) => [name, defs[name]]),
  ),
};
writeFileSync(target.output, `${JSON.stringify(out, null, target.indent)}\n`);
console.log(`wrote ${Object.keys(defs).length} schemas to ${target.output}`);

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
  // A nullable reference: the referenced schema or null.
  if (node.nullable === true && node.$ref !== undefined) {
    delete result.$ref;
    return { anyOf: [{ $ref: `#/$defs/${node.$ref.replace('#/components/schemas/', '')}` }, { type: 'null' }], ...result };
  }
  return result;
}
