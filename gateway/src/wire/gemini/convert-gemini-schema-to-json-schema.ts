// Gemini's OpenAPI 3.0 subset (`parameters`, `responseSchema`) -> JSON Schema, for the Gemini
// front door: the unified request carries JSON Schema, which every provider understands. The
// reverse of convert-json-schema-to-gemini-schema, chosen so that a Gemini schema sent through
// both comes back unchanged (apart from `propertyOrdering`, which JSON Schema has no word for).
//
//  - `type` names are case-insensitive (`STRING`, `string`); `TYPE_UNSPECIFIED` means no type
//  - `nullable: true` -> `type: [T, "null"]`, or a `{type: "null"}` branch of `anyOf`
//  - `example` -> `examples: [example]`
//  - `propertyOrdering` and keywords Gemini's Schema does not define are dropped
//  - a node that is not an object, an unknown `type`, or a keyword of the wrong JSON type is a
//    400 naming the field (`tools[0].functionDeclarations[1].parameters.properties.city.type`)

import { invalidRequest } from '../../errors/gateway-error.js';
import type { JsonSchema } from '../../unified/chat-request.js';
import { isRecord, type JsonRecord } from '@switchyard/compiler';

const JSON_TYPES: Record<string, string | undefined> = {
  STRING: 'string',
  NUMBER: 'number',
  INTEGER: 'integer',
  BOOLEAN: 'boolean',
  ARRAY: 'array',
  OBJECT: 'object',
  NULL: 'null',
  TYPE_UNSPECIFIED: undefined,
};

const COUNT_KEYWORDS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

/** `path` names the schema in the caller's request and prefixes every error. */
export function convertGeminiSchemaToJsonSchema(schema: unknown, path: string): JsonSchema {
  if (!isRecord(schema)) throw invalidRequest(`${path} must be a schema object`, path);
  const result: JsonSchema = {};
  const type = readType(schema, path);
  const nullable = readBoolean(schema, 'nullable', path) === true;

  if (typeof schema['title'] === 'string') result['title'] = schema['title'];
  else if (schema['title'] !== undefined) throw wrongType(path, 'title', 'a string');
  if (typeof schema['description'] === 'string') result['description'] = schema['description'];
  else if (schema['description'] !== undefined) throw wrongType(path, 'description', 'a string');
  if (schema['format'] !== undefined) {
    if (typeof schema['format'] !== 'string') throw wrongType(path, 'format', 'a string');
    result['format'] = schema['format'];
  }
  if (schema['enum'] !== undefined) {
    const values = schema['enum'];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw wrongType(path, 'enum', 'a list of strings');
    result['enum'] = nullable ? [...values, null] : [...values];
  }
  if (schema['default'] !== undefined) result['default'] = schema['default'];
  if (schema['example'] !== undefined) result['examples'] = [schema['example']];

  for (const keyword of ['minimum', 'maximum'] as const) {
    const value = schema[keyword];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(path, keyword, 'a number');
    result[keyword] = value;
  }
  for (const keyword of COUNT_KEYWORDS) {
    const value = readCount(schema[keyword], `${path}.${keyword}`);
    if (value !== undefined) result[keyword] = value;
  }
  if (schema['pattern'] !== undefined) {
    if (typeof schema['pattern'] !== 'string') throw wrongType(path, 'pattern', 'a string');
    result['pattern'] = schema['pattern'];
  }

  if (schema['properties'] !== undefined) {
    if (!isRecord(schema['properties'])) throw wrongType(path, 'properties', 'an object of schemas');
    const properties: JsonRecord = {};
    for (const [name, child] of Object.entries(schema['properties'])) {
      properties[name] = convertGeminiSchemaToJsonSchema(child, `${path}.properties.${name}`);
    }
    result['properties'] = properties;
  }
  if (schema['required'] !== undefined) {
    const required = schema['required'];
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) throw wrongType(path, 'required', 'a list of strings');
    result['required'] = [...required];
  }
  if (schema['items'] !== undefined) result['items'] = convertGeminiSchemaToJsonSchema(schema['items'], `${path}.items`);

  if (schema['anyOf'] !== undefined) {
    const variants = schema['anyOf'];
    if (!Array.isArray(variants)) throw wrongType(path, 'anyOf', 'a list of schemas');
    const converted = variants.map((variant, i) => convertGeminiSchemaToJsonSchema(variant, `${path}.anyOf[${i}]`));
    if (nullable && type === undefined) converted.push({ type: 'null' });
    result['anyOf'] = converted;
  }

  // Without a type, `nullable` adds nothing: an untyped schema already admits null.
  if (type !== undefined) result['type'] = nullable && type !== 'null' ? [type, 'null'] : type;
  return result;
}

function readType(schema: JsonRecord, path: string): string | undefined {
  const type = schema['type'];
  if (type === undefined) return undefined;
  if (typeof type !== 'string' || !(type.toUpperCase() in JSON_TYPES)) {
    throw invalidRequest(
      `${path}.type: ${JSON.stringify(type)} is not a Gemini schema type (STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT, NULL)`,
      `${path}.type`,
    );
  }
  return JSON_TYPES[type.toUpperCase()];
}

function readBoolean(schema: JsonRecord, keyword: string, path: string): boolean | undefined {
  const value = schema[keyword];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw wrongType(path, keyword, 'a boolean');
  return value;
}

// Google's JSON mapping sends int64 counts as strings ("minItems": "1"); both forms are accepted.
function readCount(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw invalidRequest(`${field} must be a non-negative integer`, field);
  }
  return count;
}

function wrongType(path: string, keyword: string, expected: string): Error {
  return invalidRequest(`${path}.${keyword} must be ${expected}`, `${path}.${keyword}`);
}
