// Gemini's `parameters` and `responseSchema` take an OpenAPI 3.0 subset, not JSON Schema: no
// `additionalProperties`, `$ref`, `const`, `oneOf`, type arrays or non-string enums, and only a
// few `format`s. Callers send JSON Schema (OpenAI, Anthropic, MCP tools), so this rewrites it
// into the closest schema Gemini accepts instead of letting the upstream reject the request.
//
// Choices (also in docs/providers/gemini.md):
//  - `type: [T, "null"]`, `anyOf/oneOf` with a null branch, `enum` with null -> `nullable: true`
//  - `oneOf` -> `anyOf` (Gemini has no exclusive union); a single remaining branch is inlined
//  - `allOf` is merged into one schema (properties, required, then other keywords)
//  - local `$ref` (`#/$defs/..`, `#/definitions/..`) is inlined; a recursive reference becomes
//    the referenced schema's type without children (Gemini schemas cannot recurse)
//  - `const` -> a one-value `enum`; a non-string enum is dropped and its values are appended to
//    the description so the model still sees them
//  - unsupported keywords are dropped: $schema, $id, additionalProperties, patternProperties,
//    exclusiveMinimum/Maximum, multipleOf, uniqueItems, not, if/then/else, contains, ...

import { invalidRequest } from '../../errors/gateway-error.js';
import type { GeminiSchema, GeminiSchemaType } from './gemini-wire-types.js';
import { isRecord, type JsonRecord } from '@switchyard/compiler';

const TYPE_NAMES: Record<string, GeminiSchemaType> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

const FORMATS_BY_TYPE: Partial<Record<GeminiSchemaType, ReadonlySet<string>>> = {
  STRING: new Set(['enum', 'date-time']),
  NUMBER: new Set(['float', 'double']),
  INTEGER: new Set(['int32', 'int64']),
};

const COUNT_KEYWORDS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

interface ConversionContext {
  root: JsonRecord;
  /** `$ref`s being expanded on the current path, to stop recursion. */
  expanding: string[];
}

/**
 * Converts one JSON Schema to Gemini's schema. `param` names the schema in the caller's request
 * (e.g. `tools[0].parameters`) and prefixes every error, which is a 400 GatewayError.
 */
export function convertJsonSchemaToGeminiSchema(schema: unknown, param: string): GeminiSchema {
  const root = isRecord(schema) ? schema : {};
  return convertNode(schema, param, { root, expanding: [] });
}

/** True for a schema that constrains nothing beyond "an object": Gemini rejects OBJECT parameters without properties. */
export function isEmptyObjectSchema(schema: GeminiSchema): boolean {
  return (
    (schema.type === 'OBJECT' || schema.type === undefined) &&
    (schema.properties === undefined || Object.keys(schema.properties).length === 0) &&
    schema.anyOf === undefined &&
    schema.nullable !== true
  );
}

function convertNode(node: unknown, path: string, context: ConversionContext): GeminiSchema {
  if (node === true || node === undefined) return {};
  if (node === false) throw invalidRequest(`${path}: the schema \`false\` (no value allowed) cannot be expressed for Gemini`, path);
  if (!isRecord(node)) throw invalidRequest(`${path} must be a JSON Schema object`, path);

  if (typeof node['$ref'] === 'string') return convertReference(node, node['$ref'], path, context);
  if (Array.isArray(node['allOf'])) return convertNode(mergeAllOf(node, path), path, context);

  const variants = Array.isArray(node['anyOf']) ? node['anyOf'] : Array.isArray(node['oneOf']) ? node['oneOf'] : undefined;
  if (variants !== undefined) return convertUnion(node, variants, path, context);

  const declaredTypes = readTypes(node, path);
  const nonNullTypes = declaredTypes.filter((t) => t !== 'null');
  const typeAllowsNull = declaredTypes.includes('null');
  if (nonNullTypes.length > 1) {
    // `type: ["string", "number"]`: one branch per type, each keeping the keywords that apply to it.
    const result: GeminiSchema = withAnnotations(node, {});
    result.anyOf = nonNullTypes.map((t) => convertNode({ ...node, type: t, description: undefined, title: undefined }, path, context));
    if (typeAllowsNull) result.nullable = true;
    return result;
  }

  const result: GeminiSchema = withAnnotations(node, {});
  const type = nonNullTypes[0] !== undefined ? TYPE_NAMES[nonNullTypes[0]] : inferType(node);
  if (type !== undefined) result.type = type;
  else if (typeAllowsNull) result.type = 'NULL';
  if (typeAllowsNull && type !== undefined) result.nullable = true;

  applyEnum(node, result);
  applyFormat(node, result);
  applyBounds(node, result);

  if (isRecord(node['properties'])) {
    const properties: Record<string, GeminiSchema> = {};
    for (const [name, child] of Object.entries(node['properties'])) {
      properties[name] = convertNode(child, `${path}.properties.${name}`, context);
    }
    result.properties = properties;
    if (Array.isArray(node['required'])) {
      const required = node['required'].filter((name): name is string => typeof name === 'string' && name in properties);
      if (required.length > 0) result.required = required;
    }
  }

  const items = node['items'] ?? node['prefixItems'];
  if (Array.isArray(items)) {
    // A tuple: Gemini has no positional items, so any listed item shape is accepted.
    const shapes = items.map((item, i) => convertNode(item, `${path}.items[${i}]`, context));
    if (shapes.length === 1) result.items = shapes[0];
    else if (shapes.length > 1) result.items = { anyOf: shapes };
  } else if (items !== undefined) {
    result.items = convertNode(items, `${path}.items`, context);
  }
  return result;
}

function convertReference(node: JsonRecord, ref: string, path: string, context: ConversionContext): GeminiSchema {
  const target = resolveLocalReference(context.root, ref);
  if (!isRecord(target))
    throw invalidRequest(`${path}: $ref ${JSON.stringify(ref)} does not point into this schema's $defs/definitions`, path);
  const { $ref: _ref, ...siblings } = node;
  if (context.expanding.includes(ref)) {
    // Recursive schema: stop here with the shape's type only.
    const degraded = withAnnotations({ ...target, ...siblings }, {});
    const type = readTypes(target, path).find((t) => t !== 'null');
    const mapped = type !== undefined ? TYPE_NAMES[type] : inferType(target);
    if (mapped !== undefined) degraded.type = mapped;
    return degraded;
  }
  context.expanding.push(ref);
  try {
    return convertNode({ ...target, ...siblings }, path, context);
  } finally {
    context.expanding.pop();
  }
}

function resolveLocalReference(root: JsonRecord, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const rawSegment of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(rawSegment).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isRecord(current) || !(segment in current)) return undefined;
    current = current[segment];
  }
  return current;
}

function convertUnion(node: JsonRecord, variants: unknown[], path: string, context: ConversionContext): GeminiSchema {
  const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = node;
  const nonNull = variants.filter((variant) => !isNullSchema(variant));
  const allowsNull = nonNull.length < variants.length;
  if (nonNull.length === 0) return withAnnotations(node, { type: 'NULL' });
  const keyword = Array.isArray(node['anyOf']) ? 'anyOf' : 'oneOf';
  const hasOwnShape = Object.keys(rest).some((key) => !ANNOTATION_KEYS.has(key));
  if (nonNull.length === 1 && !hasOwnShape) {
    const index = variants.indexOf(nonNull[0]);
    const inlined = convertNode(nonNull[0], `${path}.${keyword}[${index}]`, context);
    const annotated = withAnnotations(node, inlined);
    if (allowsNull) annotated.nullable = true;
    return annotated;
  }
  const result: GeminiSchema = hasOwnShape ? convertNode(rest, path, context) : withAnnotations(node, {});
  result.anyOf = nonNull.map((variant) => convertNode(variant, `${path}.${keyword}[${variants.indexOf(variant)}]`, context));
  if (allowsNull) result.nullable = true;
  return result;
}

function mergeAllOf(node: JsonRecord, path: string): JsonRecord {
  const { allOf, ...merged } = node;
  const parts = allOf as unknown[];
  const properties: JsonRecord = isRecord(merged['properties']) ? { ...merged['properties'] } : {};
  const required = new Set<string>(
    Array.isArray(merged['required']) ? merged['required'].filter((r): r is string => typeof r === 'string') : [],
  );
  parts.forEach((part, i) => {
    if (!isRecord(part)) throw invalidRequest(`${path}.allOf[${i}] must be a JSON Schema object`, `${path}.allOf[${i}]`);
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isRecord(value)) Object.assign(properties, value);
      else if (key === 'required' && Array.isArray(value)) {
        for (const r of value) if (typeof r === 'string') required.add(r);
      } else if (!(key in merged)) merged[key] = value;
    }
  });
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  if (required.size > 0) merged['required'] = [...required];
  return merged;
}

const ANNOTATION_KEYS = new Set([
  'title',
  'description',
  'default',
  'example',
  'examples',
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
]);

function withAnnotations(node: JsonRecord, target: GeminiSchema): GeminiSchema {
  if (typeof node['title'] === 'string') target.title = node['title'];
  if (typeof node['description'] === 'string') target.description = node['description'];
  if (node['default'] !== undefined) target.default = node['default'];
  if (node['example'] !== undefined) target.example = node['example'];
  else if (Array.isArray(node['examples']) && node['examples'].length > 0) target.example = node['examples'][0];
  return target;
}

function readTypes(node: JsonRecord, path: string): string[] {
  const type = node['type'];
  if (type === undefined) return [];
  const types = Array.isArray(type) ? type : [type];
  for (const t of types) {
    if (typeof t !== 'string' || !(t in TYPE_NAMES)) {
      throw invalidRequest(`${path}.type: ${JSON.stringify(t)} is not a JSON Schema type`, `${path}.type`);
    }
  }
  return types as string[];
}

function inferType(node: JsonRecord): GeminiSchemaType | undefined {
  if (isRecord(node['properties'])) return 'OBJECT';
  if (node['items'] !== undefined || node['prefixItems'] !== undefined) return 'ARRAY';
  const values = Array.isArray(node['enum']) ? node['enum'] : 'const' in node ? [node['const']] : undefined;
  if (values !== undefined && values.length > 0 && values.every((v) => typeof v === 'string' || v === null)) return 'STRING';
  return undefined;
}

function applyEnum(node: JsonRecord, result: GeminiSchema): void {
  const values = Array.isArray(node['enum']) ? node['enum'] : 'const' in node ? [node['const']] : undefined;
  if (values === undefined) return;
  const nonNull = values.filter((v) => v !== null);
  if (nonNull.length < values.length && result.type !== undefined && result.type !== 'NULL') result.nullable = true;
  if (nonNull.length === 0) return;
  if (nonNull.every((v): v is string => typeof v === 'string') && (result.type === undefined || result.type === 'STRING')) {
    result.type = 'STRING';
    result.enum = nonNull;
    return;
  }
  const allowed = `Allowed values: ${nonNull.map((v) => JSON.stringify(v)).join(', ')}.`;
  result.description = result.description === undefined ? allowed : `${result.description} ${allowed}`;
}

function applyFormat(node: JsonRecord, result: GeminiSchema): void {
  const format = node['format'];
  if (typeof format !== 'string' || result.type === undefined) return;
  if (FORMATS_BY_TYPE[result.type]?.has(format)) result.format = format;
}

// Each bound only where it means something, so a branch split from a multi-type schema keeps
// only its own (Gemini rejects e.g. minimum on a STRING).
const BOUNDS_BY_TYPE: Record<string, ReadonlyArray<string>> = {
  NUMBER: ['minimum', 'maximum'],
  INTEGER: ['minimum', 'maximum'],
  STRING: ['minLength', 'maxLength', 'pattern'],
  ARRAY: ['minItems', 'maxItems'],
  OBJECT: ['minProperties', 'maxProperties'],
};

function applyBounds(node: JsonRecord, result: GeminiSchema): void {
  const applies = (keyword: string): boolean => result.type === undefined || (BOUNDS_BY_TYPE[result.type]?.includes(keyword) ?? false);
  if (typeof node['minimum'] === 'number' && applies('minimum')) result.minimum = node['minimum'];
  if (typeof node['maximum'] === 'number' && applies('maximum')) result.maximum = node['maximum'];
  for (const keyword of COUNT_KEYWORDS) {
    const value = node[keyword];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && applies(keyword)) result[keyword] = value;
  }
  if (typeof node['pattern'] === 'string' && applies('pattern')) result.pattern = node['pattern'];
}

function isNullSchema(schema: unknown): boolean {
  return (
    isRecord(schema) &&
    (schema['type'] === 'null' || (Array.isArray(schema['enum']) && schema['enum'].length === 1 && schema['enum'][0] === null))
  );
}
