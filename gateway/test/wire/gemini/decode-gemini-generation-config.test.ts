import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { decodeGeminiGenerationConfig, type GenerationOptions } from '../../../src/wire/gemini/decode-gemini-generation-config.js';

describe('Gemini front door: generationConfig -> unified options', () => {
  const cases: Array<[string, unknown, GenerationOptions]> = [
    ['absent', undefined, {}],
    ['maxOutputTokens', { maxOutputTokens: 256 }, { maxOutputTokens: 256 }],
    ['temperature', { temperature: 0.7 }, { temperature: 0.7 }],
    ['topP', { topP: 0.95 }, { topP: 0.95 }],
    ['topK', { topK: 40 }, { topK: 40 }],
    ['stopSequences', { stopSequences: ['END', '###'] }, { stopSequences: ['END', '###'] }],
    ['empty stopSequences', { stopSequences: [] }, {}],
    ['seed', { seed: 1234 }, { seed: 1234 }],
    [
      'presencePenalty and frequencyPenalty',
      { presencePenalty: 0.5, frequencyPenalty: -0.5 },
      { presencePenalty: 0.5, frequencyPenalty: -0.5 },
    ],
    ['candidateCount 1', { candidateCount: 1 }, {}],
    ['responseMimeType text/plain', { responseMimeType: 'text/plain' }, {}],
    ['responseMimeType application/json', { responseMimeType: 'application/json' }, { responseFormat: { type: 'json_object' } }],
    [
      'responseSchema (Gemini schema) -> json_schema',
      {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { name: { type: 'STRING', nullable: true } }, required: ['name'] },
      },
      {
        responseFormat: {
          type: 'json_schema',
          name: 'response',
          schema: { type: 'object', properties: { name: { type: ['string', 'null'] } }, required: ['name'] },
        },
      },
    ],
    [
      'responseJsonSchema -> json_schema as it is',
      { responseMimeType: 'application/json', responseJsonSchema: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
      { responseFormat: { type: 'json_schema', name: 'response', schema: { type: 'array', items: { type: 'string' }, maxItems: 3 } } },
    ],
    ['responseModalities TEXT', { responseModalities: ['TEXT'] }, {}],
    ['thinkingBudget', { thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } }, { reasoning: { budgetTokens: 2048 } }],
    ['thinkingBudget 0 switches thinking off', { thinkingConfig: { thinkingBudget: 0 } }, { reasoning: { budgetTokens: 0 } }],
    ['thinkingBudget -1 is dynamic: reasoning with no budget', { thinkingConfig: { thinkingBudget: -1 } }, { reasoning: {} }],
    ['thinkingLevel', { thinkingConfig: { thinkingLevel: 'HIGH' } }, { reasoning: { effort: 'high' } }],
    ['thinkingLevel lower case', { thinkingConfig: { thinkingLevel: 'minimal' } }, { reasoning: { effort: 'minimal' } }],
    ['includeThoughts alone', { thinkingConfig: { includeThoughts: true } }, { reasoning: {} }],
    ['includeThoughts false alone asks for nothing', { thinkingConfig: { includeThoughts: false } }, {}],
    ['unknown fields are ignored', { mediaResolution: 'MEDIA_RESOLUTION_LOW', somethingNew: 1 }, {}],
  ];

  it.each(cases)('%s', (_name, config, expected) => {
    expect(decodeGeminiGenerationConfig(config)).toEqual(expected);
  });
});

describe('Gemini front door: invalid generationConfig is a 400 naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'fast', 'generationConfig'],
    ['candidateCount > 1', { candidateCount: 2 }, 'generationConfig.candidateCount'],
    ['maxOutputTokens 0', { maxOutputTokens: 0 }, 'generationConfig.maxOutputTokens'],
    ['maxOutputTokens not an integer', { maxOutputTokens: 1.5 }, 'generationConfig.maxOutputTokens'],
    ['temperature above 2', { temperature: 3 }, 'generationConfig.temperature'],
    ['topP above 1', { topP: 1.5 }, 'generationConfig.topP'],
    ['topK 0', { topK: 0 }, 'generationConfig.topK'],
    ['seed not an integer', { seed: 'x' }, 'generationConfig.seed'],
    ['stopSequences not a list', { stopSequences: 'END' }, 'generationConfig.stopSequences'],
    ['a stop sequence that is not a string', { stopSequences: ['a', 1] }, 'generationConfig.stopSequences[1]'],
    ['responseMimeType text/x.enum', { responseMimeType: 'text/x.enum' }, 'generationConfig.responseMimeType'],
    ['a schema without application/json', { responseSchema: { type: 'STRING' } }, 'generationConfig.responseMimeType'],
    [
      'both schemas',
      { responseMimeType: 'application/json', responseSchema: { type: 'STRING' }, responseJsonSchema: { type: 'string' } },
      'generationConfig.responseJsonSchema',
    ],
    [
      'a bad responseSchema type',
      { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { a: { type: 'DATE' } } } },
      'generationConfig.responseSchema.properties.a.type',
    ],
    [
      'responseJsonSchema not an object',
      { responseMimeType: 'application/json', responseJsonSchema: true },
      'generationConfig.responseJsonSchema',
    ],
    ['image output', { responseModalities: ['TEXT', 'IMAGE'] }, 'generationConfig.responseModalities[1]'],
    ['responseLogprobs', { responseLogprobs: true }, 'generationConfig.responseLogprobs'],
    ['logprobs', { logprobs: 3 }, 'generationConfig.logprobs'],
    ['thinkingBudget below -1', { thinkingConfig: { thinkingBudget: -2 } }, 'generationConfig.thinkingConfig.thinkingBudget'],
    ['an unknown thinkingLevel', { thinkingConfig: { thinkingLevel: 'EXTREME' } }, 'generationConfig.thinkingConfig.thinkingLevel'],
    [
      'thinkingBudget and thinkingLevel',
      { thinkingConfig: { thinkingBudget: 100, thinkingLevel: 'LOW' } },
      'generationConfig.thinkingConfig.thinkingLevel',
    ],
  ];

  it.each(cases)('%s', (_name, config, param) => {
    let caught: unknown;
    try {
      decodeGeminiGenerationConfig(config);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).kind).toBe('invalid_request');
    expect((caught as GatewayError).param).toBe(param);
    expect((caught as GatewayError).message).toContain(param);
  });
});
