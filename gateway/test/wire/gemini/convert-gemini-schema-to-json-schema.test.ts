import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { convertGeminiSchemaToJsonSchema } from '../../../src/wire/gemini/convert-gemini-schema-to-json-schema.js';
import { convertJsonSchemaToGeminiSchema } from '../../../src/wire/gemini/convert-json-schema-to-gemini-schema.js';

describe('Gemini schema -> JSON Schema', () => {
  const cases: Array<[string, unknown, Record<string, unknown>]> = [
    ['each type', { type: 'INTEGER' }, { type: 'integer' }],
    ['lower-case type names', { type: 'boolean' }, { type: 'boolean' }],
    ['TYPE_UNSPECIFIED is no type', { type: 'TYPE_UNSPECIFIED', description: 'anything' }, { description: 'anything' }],
    ['NULL', { type: 'NULL' }, { type: 'null' }],
    ['nullable', { type: 'STRING', nullable: true }, { type: ['string', 'null'] }],
    [
      'nullable enum admits null',
      { type: 'STRING', format: 'enum', enum: ['a', 'b'], nullable: true },
      { type: ['string', 'null'], format: 'enum', enum: ['a', 'b', null] },
    ],
    ['nullable without a type adds nothing', { nullable: true, description: 'd' }, { description: 'd' }],
    [
      'nullable anyOf gets a null branch',
      { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }], nullable: true },
      { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
    ],
    [
      'object with properties, required and annotations',
      {
        type: 'OBJECT',
        title: 'Place',
        description: 'A place',
        properties: { city: { type: 'STRING', example: 'Paris' } },
        required: ['city'],
        propertyOrdering: ['city'],
      },
      {
        type: 'object',
        title: 'Place',
        description: 'A place',
        properties: { city: { type: 'string', examples: ['Paris'] } },
        required: ['city'],
      },
    ],
    [
      'array with bounds; counts given as strings (Google int64 JSON)',
      { type: 'ARRAY', items: { type: 'NUMBER', format: 'double', minimum: 0, maximum: 1 }, minItems: '1', maxItems: 5 },
      { type: 'array', items: { type: 'number', format: 'double', minimum: 0, maximum: 1 }, minItems: 1, maxItems: 5 },
    ],
    [
      'string bounds and pattern',
      { type: 'STRING', minLength: 2, maxLength: 8, pattern: '^[a-z]+$', default: 'ab' },
      { type: 'string', minLength: 2, maxLength: 8, pattern: '^[a-z]+$', default: 'ab' },
    ],
    ['object bounds', { type: 'OBJECT', minProperties: 1, maxProperties: 3 }, { type: 'object', minProperties: 1, maxProperties: 3 }],
    ['unknown keywords are dropped', { type: 'OBJECT', additionalProperties: false, $ref: '#/x' }, { type: 'object' }],
  ];

  it.each(cases)('%s', (_name, schema, expected) => {
    expect(convertGeminiSchemaToJsonSchema(schema, 'p')).toEqual(expected);
  });

  // What a Gemini caller declares reaches a Gemini backend unchanged (propertyOrdering aside).
  const roundTrips: Array<[string, Record<string, unknown>]> = [
    [
      'a nested object',
      {
        type: 'OBJECT',
        properties: {
          a: { type: 'STRING', description: 'x' },
          b: { type: 'ARRAY', items: { type: 'INTEGER', format: 'int64' }, maxItems: 2 },
        },
        required: ['a'],
      },
    ],
    ['a nullable string enum', { type: 'STRING', format: 'enum', enum: ['x', 'y'], nullable: true }],
    ['a union', { anyOf: [{ type: 'STRING' }, { type: 'OBJECT', properties: { n: { type: 'NUMBER', minimum: 0 } } }] }],
    ['an example', { type: 'STRING', example: 'hello', title: 'T' }],
  ];

  it.each(roundTrips)('round trip through JSON Schema: %s', (_name, schema) => {
    expect(convertJsonSchemaToGeminiSchema(convertGeminiSchemaToJsonSchema(schema, 'p'), 'p')).toEqual(schema);
  });

  const errors: Array<[string, unknown, string]> = [
    ['not an object', 'STRING', 'p'],
    ['an unknown type', { type: 'DATE' }, 'p.type'],
    ['a nested unknown type', { type: 'OBJECT', properties: { when: { type: 'DATE' } } }, 'p.properties.when.type'],
    ['items not an object', { type: 'ARRAY', items: 'STRING' }, 'p.items'],
    ['enum of numbers', { type: 'STRING', enum: [1, 2] }, 'p.enum'],
    ['required not a list of strings', { type: 'OBJECT', required: 'a' }, 'p.required'],
    ['a negative count', { type: 'ARRAY', minItems: -1 }, 'p.minItems'],
    ['nullable not a boolean', { type: 'STRING', nullable: 'yes' }, 'p.nullable'],
    ['anyOf not a list', { anyOf: { type: 'STRING' } }, 'p.anyOf'],
    ['a bad anyOf branch', { anyOf: [{ type: 'STRING' }, { type: 'WORD' }] }, 'p.anyOf[1].type'],
  ];

  it.each(errors)('%s is a 400 naming the field', (_name, schema, param) => {
    let caught: unknown;
    try {
      convertGeminiSchemaToJsonSchema(schema, 'p');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
  });
});
