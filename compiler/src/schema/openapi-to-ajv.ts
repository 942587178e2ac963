// Turns a Kubernetes structural schema into a JSON Schema ajv can compile, keeping the API
// server's behaviour: objects reject unknown fields (kubectl's strict field validation), `nullable`
// admits null, int-or-string admits both, list-type `set` forbids duplicates. CEL rules and
// list-type `map` keys are checked in TypeScript (see cel-rules.ts), not here.

import type { OpenApiSchema } from './openapi-schema.js';

type AjvSchema = Record<string, unknown>;

const COPIED_KEYWORDS = [
  'description',
  'format',
  'required',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'default',
] as const;

export function openApiToAjv(node: OpenApiSchema): AjvSchema {
  const out: AjvSchema = {};
  for (const keyword of COPIED_KEYWORDS) {
    if (node[keyword] !== undefined) out[keyword] = node[keyword];
  }
  // OpenAPI v3.0 spells exclusive bounds as booleans beside minimum/maximum.
  if (node.exclusiveMinimum === true && node.minimum !== undefined) {
    delete out['minimum'];
    out['exclusiveMinimum'] = node.minimum;
  }
  if (node.exclusiveMaximum === true && node.maximum !== undefined) {
    delete out['maximum'];
    out['exclusiveMaximum'] = node.maximum;
  }

  if (node['x-kubernetes-int-or-string']) {
    out['type'] = node.nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
    return out;
  }
  if (node.type !== undefined) {
    out['type'] = node.nullable ? [node.type, 'null'] : node.type;
  }
  for (const junctor of ['anyOf', 'allOf', 'oneOf'] as const) {
    const branches = node[junctor];
    if (branches) out[junctor] = branches.map((branch) => openApiToAjv(branch));
  }
  if (node.not) out['not'] = openApiToAjv(node.not);

  if (node.properties) {
    out['properties'] = Object.fromEntries(Object.entries(node.properties).map(([name, child]) => [name, openApiToAjv(child)]));
  }
  if (typeof node.additionalProperties === 'object') {
    out['additionalProperties'] = openApiToAjv(node.additionalProperties);
  } else if (node.additionalProperties !== undefined) {
    out['additionalProperties'] = node.additionalProperties;
  } else if (node.type === 'object' && node.properties && !node['x-kubernetes-preserve-unknown-fields']) {
    out['additionalProperties'] = false;
  }
  if (node.items) out['items'] = openApiToAjv(node.items);
  if (node['x-kubernetes-list-type'] === 'set') out['uniqueItems'] = true;
  return out;
}
