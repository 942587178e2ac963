import { describe, expect, it } from '@jest/globals';
import { encodeGeminiGenerateContentRequest } from '../../../src/wire/gemini/encode-gemini-generate-content-request.js';
import { geminiModelGeneration } from '../../../src/wire/gemini/convert-to-gemini-generation-config.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import type { UnifiedChatRequest } from '../../../src/unified/chat-request.js';

function request(overrides: Partial<UnifiedChatRequest>): UnifiedChatRequest {
  return { model: 'public-model', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, ...overrides };
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};

const cases: Array<{ name: string; model?: string; request: Partial<UnifiedChatRequest>; expected: Record<string, unknown> }> = [
  {
    name: 'sampling parameters -> generationConfig',
    request: {
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.25,
    },
    expected: {
      generationConfig: {
        maxOutputTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stopSequences: ['END'],
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: -0.25,
      },
    },
  },
  {
    name: 'no options -> no generationConfig',
    request: { stopSequences: [] },
    expected: { generationConfig: undefined },
  },
  {
    name: 'json_object -> responseMimeType',
    request: { responseFormat: { type: 'json_object' } },
    expected: { generationConfig: { responseMimeType: 'application/json' } },
  },
  {
    name: 'json_schema -> responseMimeType + converted responseSchema',
    request: {
      responseFormat: {
        type: 'json_schema',
        name: 'person',
        schema: { type: 'object', properties: { age: { type: ['integer', 'null'] } }, additionalProperties: false },
      },
    },
    expected: {
      generationConfig: {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { age: { type: 'INTEGER', nullable: true } } },
      },
    },
  },
  {
    name: 'text response format sends nothing',
    request: { responseFormat: { type: 'text' } },
    expected: { generationConfig: undefined },
  },
  {
    name: 'reasoning budget -> thinkingBudget + includeThoughts',
    request: { reasoning: { budgetTokens: 2048 } },
    expected: { generationConfig: { thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } } },
  },
  {
    name: 'budget 0 switches thinking off without includeThoughts',
    request: { reasoning: { budgetTokens: 0 } },
    expected: { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } },
  },
  {
    name: 'effort on Gemini 3 -> thinkingLevel',
    model: 'gemini-3-pro-preview',
    request: { reasoning: { effort: 'low' } },
    expected: { generationConfig: { thinkingConfig: { thinkingLevel: 'low', includeThoughts: true } } },
  },
  {
    name: 'effort on Gemini 2.5 -> budget',
    model: 'gemini-2.5-flash',
    request: { reasoning: { effort: 'medium' } },
    expected: { generationConfig: { thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } } },
  },
  {
    name: 'tools -> functionDeclarations; a no-argument tool omits parameters',
    request: { tools: [weatherTool, { name: 'now', parameters: { type: 'object', properties: {} } }] },
    expected: {
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather',
              parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
            },
            { name: 'now' },
          ],
        },
      ],
      toolConfig: undefined,
    },
  },
  {
    name: 'tool_choice auto -> AUTO',
    request: { tools: [weatherTool], toolChoice: { type: 'auto' } },
    expected: { toolConfig: { functionCallingConfig: { mode: 'AUTO' } } },
  },
  {
    name: 'tool_choice none -> NONE',
    request: { tools: [weatherTool], toolChoice: { type: 'none' } },
    expected: { toolConfig: { functionCallingConfig: { mode: 'NONE' } } },
  },
  {
    name: 'tool_choice required -> ANY',
    request: { tools: [weatherTool], toolChoice: { type: 'required' } },
    expected: { toolConfig: { functionCallingConfig: { mode: 'ANY' } } },
  },
  {
    name: 'tool_choice naming a tool -> ANY + allowedFunctionNames',
    request: { tools: [weatherTool], toolChoice: { type: 'tool', name: 'get_weather' } },
    expected: { toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } } },
  },
  {
    name: 'tool_choice none without tools sends nothing',
    request: { toolChoice: { type: 'none' } },
    expected: { tools: undefined, toolConfig: undefined },
  },
  {
    name: 'safetySettings from providerOptions.gemini pass through',
    request: { providerOptions: { gemini: { safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }] } } },
    expected: { safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }] },
  },
  {
    name: 'system messages -> systemInstruction beside contents',
    request: {
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'u' }] },
      ],
    },
    expected: { systemInstruction: { parts: [{ text: 'sys' }] }, contents: [{ role: 'user', parts: [{ text: 'u' }] }] },
  },
];

describe('encodeGeminiGenerateContentRequest', () => {
  it.each(cases)('$name', ({ model, request: overrides, expected }) => {
    const body = encodeGeminiGenerateContentRequest(request(overrides), model ?? 'gemini-2.5-flash') as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) expect(body[key]).toEqual(value);
    expect(Array.isArray(body['contents'])).toBe(true);
  });

  it('the signature sentinel depends on the model generation', () => {
    const replay = request({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c', content: [{ type: 'text', text: 'r' }] }] },
      ],
    });
    const signatureOf = (model: string) => encodeGeminiGenerateContentRequest(replay, model).contents[1]?.parts[0]?.thoughtSignature;
    expect(signatureOf('gemini-3-flash-preview')).toBe('skip_thought_signature_validator');
    expect(signatureOf('gemini-flash-latest')).toBe('skip_thought_signature_validator');
    expect(signatureOf('gemini-2.5-pro')).toBeUndefined();
  });

  it.each([
    ['gemini-2.5-flash', 2],
    ['gemini-3-pro-preview', 3],
    ['gemini-3.1-pro-preview', 3],
    ['models/gemini-2.0-flash-001', 2],
    ['gemini-flash-latest', undefined],
    ['tunedModels/my-model', undefined],
  ])('geminiModelGeneration(%s) = %s', (model, generation) => {
    expect(geminiModelGeneration(model)).toBe(generation);
  });

  const errors: Array<{ name: string; request: Partial<UnifiedChatRequest>; param: string }> = [
    {
      name: 'tool_choice names an unknown tool',
      request: { tools: [weatherTool], toolChoice: { type: 'tool', name: 'nope' } },
      param: 'tool_choice',
    },
    { name: 'tool_choice required without tools', request: { toolChoice: { type: 'required' } }, param: 'tool_choice' },
    { name: 'a tool name Gemini rejects', request: { tools: [{ ...weatherTool, name: 'get weather' }] }, param: 'tools[0].name' },
    {
      name: 'a tool schema that cannot convert',
      request: { tools: [{ ...weatherTool, parameters: { type: 'object', properties: { a: { type: 'date' } } } }] },
      param: 'tools[0].parameters.properties.a.type',
    },
    {
      name: 'a malformed safety setting',
      request: { providerOptions: { gemini: { safetySettings: [{ category: 'X' }] } } },
      param: 'safetySettings[0]',
    },
    {
      name: 'a response schema that cannot convert',
      request: { responseFormat: { type: 'json_schema', name: 'x', schema: { $ref: '#/nowhere' } } },
      param: 'response_format.json_schema.schema',
    },
  ];

  it.each(errors)('rejects $name with a 400 naming $param', ({ request: overrides, param }) => {
    let thrown: unknown;
    try {
      encodeGeminiGenerateContentRequest(request(overrides), 'gemini-2.5-flash');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).param).toBe(param);
  });
});
