import { describe, expect, it } from '@jest/globals';
import { convertJsonSchemaToGeminiSchema, isEmptyObjectSchema } from '../../../src/wire/gemini/convert-json-schema-to-gemini-schema.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';

const cases: Array<{ name: string; input: unknown; expected: unknown }> = [
  {
    name: 'plain object with required and descriptions',
    input: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, days: { type: 'integer', minimum: 1, maximum: 14 } },
      required: ['city'],
    },
    expected: {
      type: 'OBJECT',
      properties: { city: { type: 'STRING', description: 'City name' }, days: { type: 'INTEGER', minimum: 1, maximum: 14 } },
      required: ['city'],
    },
  },
  {
    name: 'drops $schema, additionalProperties, $id, exclusive bounds, uniqueItems',
    input: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:x',
      type: 'object',
      additionalProperties: false,
      properties: {
        n: { type: 'number', exclusiveMinimum: 0, multipleOf: 2 },
        tags: { type: 'array', uniqueItems: true, items: { type: 'string' }, minItems: 1, maxItems: 3 },
      },
    },
    expected: {
      type: 'OBJECT',
      properties: { n: { type: 'NUMBER' }, tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: 1, maxItems: 3 } },
    },
  },
  {
    name: 'type array with null -> nullable',
    input: { type: ['string', 'null'], description: 'maybe' },
    expected: { type: 'STRING', description: 'maybe', nullable: true },
  },
  {
    name: 'anyOf with a null branch -> the branch, nullable',
    input: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'count' },
    expected: { type: 'INTEGER', description: 'count', nullable: true },
  },
  {
    name: 'oneOf of two shapes -> anyOf',
    input: { oneOf: [{ type: 'string' }, { type: 'object', properties: { id: { type: 'integer' } } }] },
    expected: { anyOf: [{ type: 'STRING' }, { type: 'OBJECT', properties: { id: { type: 'INTEGER' } } }] },
  },
  {
    name: 'anyOf with several shapes and null keeps nullable beside anyOf',
    input: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
    expected: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }], nullable: true },
  },
  {
    name: 'multi-type array -> anyOf of each type',
    input: { type: ['string', 'integer'], minimum: 0 },
    expected: { anyOf: [{ type: 'STRING' }, { type: 'INTEGER', minimum: 0 }] },
  },
  {
    name: 'string enum kept, format enum allowed',
    input: { type: 'string', enum: ['celsius', 'fahrenheit'], format: 'enum' },
    expected: { type: 'STRING', enum: ['celsius', 'fahrenheit'], format: 'enum' },
  },
  {
    name: 'enum without type is a string enum',
    input: { enum: ['a', 'b'] },
    expected: { type: 'STRING', enum: ['a', 'b'] },
  },
  {
    name: 'enum with null -> nullable string enum',
    input: { type: ['string', 'null'], enum: ['a', null] },
    expected: { type: 'STRING', nullable: true, enum: ['a'] },
  },
  {
    name: 'integer enum dropped, values moved to the description',
    input: { type: 'integer', enum: [1, 2, 3], description: 'Level.' },
    expected: { type: 'INTEGER', description: 'Level. Allowed values: 1, 2, 3.' },
  },
  {
    name: 'const string -> single-value enum',
    input: { const: 'fixed' },
    expected: { type: 'STRING', enum: ['fixed'] },
  },
  {
    name: 'unsupported string formats dropped, date-time kept',
    input: {
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        mail: { type: 'string', format: 'email' },
        id: { type: 'string', format: 'uuid', pattern: '^[a-f0-9-]+$' },
      },
    },
    expected: {
      type: 'OBJECT',
      properties: {
        at: { type: 'STRING', format: 'date-time' },
        mail: { type: 'STRING' },
        id: { type: 'STRING', pattern: '^[a-f0-9-]+$' },
      },
    },
  },
  {
    name: 'numeric formats kept only for their type',
    input: {
      type: 'object',
      properties: {
        f: { type: 'number', format: 'float' },
        i: { type: 'integer', format: 'int64' },
        bad: { type: 'integer', format: 'float' },
      },
    },
    expected: {
      type: 'OBJECT',
      properties: { f: { type: 'NUMBER', format: 'float' }, i: { type: 'INTEGER', format: 'int64' }, bad: { type: 'INTEGER' } },
    },
  },
  {
    name: 'required names that are not properties are dropped',
    input: { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'ghost'] },
    expected: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
  },
  {
    name: 'local $ref into $defs is inlined, sibling description wins',
    input: {
      type: 'object',
      properties: { home: { $ref: '#/$defs/address', description: 'Home address' } },
      $defs: { address: { type: 'object', description: 'An address', properties: { street: { type: 'string' } }, required: ['street'] } },
    },
    expected: {
      type: 'OBJECT',
      properties: {
        home: { type: 'OBJECT', description: 'Home address', properties: { street: { type: 'STRING' } }, required: ['street'] },
      },
    },
  },
  {
    name: '#/definitions refs work too',
    input: { type: 'array', items: { $ref: '#/definitions/n' }, definitions: { n: { type: 'number' } } },
    expected: { type: 'ARRAY', items: { type: 'NUMBER' } },
  },
  {
    name: 'recursive $ref stops at the type',
    input: {
      $ref: '#/$defs/node',
      $defs: {
        node: { type: 'object', properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } },
      },
    },
    expected: {
      type: 'OBJECT',
      properties: { value: { type: 'STRING' }, children: { type: 'ARRAY', items: { type: 'OBJECT' } } },
    },
  },
  {
    name: 'allOf is merged',
    input: {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'boolean' } }, required: ['b'] },
      ],
    },
    expected: { type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } }, required: ['a', 'b'] },
  },
  {
    name: 'tuple items -> anyOf items',
    input: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
    expected: { type: 'ARRAY', items: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] } },
  },
  {
    name: 'properties without type infer OBJECT; examples -> example; default kept',
    input: { properties: { q: { type: 'string', default: 'x', examples: ['y', 'z'] } } },
    expected: { type: 'OBJECT', properties: { q: { type: 'STRING', default: 'x', example: 'y' } } },
  },
  {
    name: 'map-like object keeps only OBJECT',
    input: { type: 'object', additionalProperties: { type: 'string' } },
    expected: { type: 'OBJECT' },
  },
  {
    name: 'boolean schema true means anything',
    input: { type: 'object', properties: { any: true } },
    expected: { type: 'OBJECT', properties: { any: {} } },
  },
];

describe('convertJsonSchemaToGeminiSchema', () => {
  it.each(cases)('$name', ({ input, expected }) => {
    expect(convertJsonSchemaToGeminiSchema(input, 'tools[0].parameters')).toEqual(expected);
  });

  const errors: Array<{ name: string; input: unknown; param: string; message: RegExp }> = [
    {
      name: 'unknown type',
      input: { type: 'object', properties: { a: { type: 'text' } } },
      param: 'tools[0].parameters.properties.a.type',
      message: /"text" is not a JSON Schema type/,
    },
    {
      name: 'remote $ref',
      input: { $ref: 'https://example.com/s.json' },
      param: 'tools[0].parameters',
      message: /\$ref .* does not point/,
    },
    { name: 'missing $def', input: { $ref: '#/$defs/nope' }, param: 'tools[0].parameters', message: /does not point/ },
    {
      name: 'false schema',
      input: { type: 'object', properties: { x: false } },
      param: 'tools[0].parameters.properties.x',
      message: /cannot be expressed/,
    },
    { name: 'non-object schema', input: 'string', param: 'tools[0].parameters', message: /must be a JSON Schema object/ },
  ];

  it.each(errors)('rejects $name with a 400 naming the field', ({ input, param, message }) => {
    let thrown: unknown;
    try {
      convertJsonSchemaToGeminiSchema(input, 'tools[0].parameters');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).param).toBe(param);
    expect((thrown as GatewayError).message).toMatch(message);
  });

  it.each([
    [{ type: 'OBJECT' as const }, true],
    [{ type: 'OBJECT' as const, properties: {} }, true],
    [{}, true],
    [{ type: 'OBJECT' as const, properties: { a: { type: 'STRING' as const } } }, false],
    [{ type: 'STRING' as const }, false],
    [{ type: 'OBJECT' as const, nullable: true }, false],
  ])('isEmptyObjectSchema(%j) = %s', (schema, expected) => {
    expect(isEmptyObjectSchema(schema)).toBe(expected);
  });
});
