import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeGeminiTools, type DecodedGeminiTools } from '../../../src/wire/gemini/decode-gemini-tools.js';

const weather = {
  name: 'weather',
  description: 'Weather for a city',
  parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
};
const time = { name: 'time' };
const weatherTool = {
  name: 'weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const timeTool = { name: 'time', parameters: { type: 'object', properties: {} } };
const both = [{ functionDeclarations: [weather, time] }];

function config(mode: string, allowedFunctionNames?: string[]): unknown {
  return { functionCallingConfig: allowedFunctionNames === undefined ? { mode } : { mode, allowedFunctionNames } };
}

describe('Gemini front door: tools and toolConfig -> unified tools and tool choice', () => {
  const cases: Array<[string, unknown, unknown, DecodedGeminiTools]> = [
    ['no tools', undefined, undefined, {}],
    ['declarations, Gemini schema converted to JSON Schema', both, undefined, { tools: [weatherTool, timeTool] }],
    [
      'parametersJsonSchema is taken as it is',
      [
        {
          functionDeclarations: [
            {
              name: 'f',
              parametersJsonSchema: { type: 'object', properties: { x: { type: 'integer', minimum: 1 } }, additionalProperties: false },
            },
          ],
        },
      ],
      undefined,
      {
        tools: [
          { name: 'f', parameters: { type: 'object', properties: { x: { type: 'integer', minimum: 1 } }, additionalProperties: false } },
        ],
      },
    ],
    [
      'declarations across several Tool objects',
      [{ functionDeclarations: [weather] }, { functionDeclarations: [time] }],
      undefined,
      { tools: [weatherTool, timeTool] },
    ],
    ['AUTO', both, config('AUTO'), { tools: [weatherTool, timeTool], toolChoice: { type: 'auto' } }],
    ['MODE_UNSPECIFIED is auto', both, config('MODE_UNSPECIFIED'), { tools: [weatherTool, timeTool], toolChoice: { type: 'auto' } }],
    ['lower-case mode', both, config('any'), { tools: [weatherTool, timeTool], toolChoice: { type: 'required' } }],
    ['NONE', both, config('NONE'), { tools: [weatherTool, timeTool], toolChoice: { type: 'none' } }],
    ['ANY', both, config('ANY'), { tools: [weatherTool, timeTool], toolChoice: { type: 'required' } }],
    [
      'ANY with one allowed function forces it',
      both,
      config('ANY', ['time']),
      { tools: [timeTool], toolChoice: { type: 'tool', name: 'time' } },
    ],
    [
      'ANY with several allowed functions offers only those, one required',
      [{ functionDeclarations: [weather, time, { name: 'news' }] }],
      config('ANY', ['weather', 'time']),
      { tools: [weatherTool, timeTool], toolChoice: { type: 'required' } },
    ],
    ['VALIDATED is auto', both, config('VALIDATED'), { tools: [weatherTool, timeTool], toolChoice: { type: 'auto' } }],
    [
      'VALIDATED with allowed functions offers only those',
      both,
      config('VALIDATED', ['weather']),
      { tools: [weatherTool], toolChoice: { type: 'auto' } },
    ],
    ['AUTO without tools sends nothing', undefined, config('AUTO'), {}],
    ['toolConfig without functionCallingConfig', both, {}, { tools: [weatherTool, timeTool] }],
  ];

  it.each(cases)('%s', (_name, tools, toolConfig, expected) => {
    expect(decodeGeminiTools(tools, toolConfig)).toEqual(expected);
  });
});

describe('Gemini front door: invalid tools are 400s naming the field', () => {
  const cases: Array<[string, unknown, unknown, string]> = [
    ['tools not a list', { functionDeclarations: [] }, undefined, 'tools'],
    ['googleSearch', [{ googleSearch: {} }], undefined, 'tools[0].googleSearch'],
    ['codeExecution beside declarations', [{ functionDeclarations: [time], codeExecution: {} }], undefined, 'tools[0].codeExecution'],
    ['functionDeclarations not a list', [{ functionDeclarations: time }], undefined, 'tools[0].functionDeclarations'],
    ['a declaration without name', [{ functionDeclarations: [{ description: 'x' }] }], undefined, 'tools[0].functionDeclarations[0].name'],
    [
      'a name declared twice',
      [{ functionDeclarations: [time] }, { functionDeclarations: [time] }],
      undefined,
      'tools[1].functionDeclarations[0].name',
    ],
    [
      'both parameters and parametersJsonSchema',
      [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT' }, parametersJsonSchema: { type: 'object' } }] }],
      undefined,
      'tools[0].functionDeclarations[0].parametersJsonSchema',
    ],
    [
      'parametersJsonSchema not an object',
      [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: 'object' }] }],
      undefined,
      'tools[0].functionDeclarations[0].parametersJsonSchema',
    ],
    [
      'a bad type deep in parameters',
      [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { city: { type: 'TEXT' } } } }] }],
      undefined,
      'tools[0].functionDeclarations[0].parameters.properties.city.type',
    ],
    ['an unknown mode', both, config('SOMETIMES'), 'toolConfig.functionCallingConfig.mode'],
    ['allowed names with AUTO', both, config('AUTO', ['time']), 'toolConfig.functionCallingConfig.allowedFunctionNames'],
    [
      'an allowed name that is not declared',
      both,
      config('ANY', ['time', 'news']),
      'toolConfig.functionCallingConfig.allowedFunctionNames[1]',
    ],
    ['ANY without any declarations', undefined, config('ANY'), 'toolConfig.functionCallingConfig.mode'],
    ['toolConfig not an object', both, 'ANY', 'toolConfig'],
  ];

  it.each(cases)('%s', (_name, tools, toolConfig, param) => {
    let caught: unknown;
    try {
      decodeGeminiTools(tools, toolConfig);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).kind).toBe('invalid_request');
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).message).toContain(param);
  });
});
