// generationConfig.responseMimeType + responseSchema through the Gemini front door: each backend
// family receives the schema in its own terms (OpenAI response_format json_schema, Gemini
// responseSchema, Anthropic and Bedrock a forced JSON tool) and the caller gets the JSON text.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Type } from '@google/genai';
import {
  cellName,
  lastUpstreamBody,
  modelFor,
  providersInTree,
  scriptText,
  startRig,
  type ProviderFamily,
  type Rig,
} from './gemini-front-door-rig.js';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});
beforeEach(() => rig.reset());

const JSON_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: ['integer', 'null'] } },
  required: ['city'],
};
const ANSWER = '{"city":"Paris","population":2100000}';

function scriptJsonAnswer(provider: ProviderFamily): string {
  switch (provider) {
    case 'anthropic':
      rig.anthropic.enqueue({
        content: [{ type: 'tool_use', id: 'toolu_json', name: 'switchyard_json_response', input: JSON.parse(ANSWER) as unknown }],
        stopReason: 'tool_use',
      });
      return ANSWER;
    case 'bedrock':
      rig.bedrock?.enqueue({
        response: {
          id: 'json',
          model: 'claude',
          created: 0,
          content: [{ type: 'tool_call', id: 'tooluse_json', name: 'switchyard_json_response', arguments: ANSWER }],
          finishReason: 'tool_calls',
          usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 8, reasoningTokens: 0 },
        },
      });
      return ANSWER;
    default:
      return scriptText(rig, provider, ANSWER, { input: 10, cached: 0, output: 8, reasoning: 0 }, 'Largest city of France?');
  }
}

describe.each(providersInTree())('structured output', (provider) => {
  it(cellName(provider, 'responseSchema reaches the provider in its terms'), async () => {
    const expected = scriptJsonAnswer(provider);
    const response = await rig.client.models.generateContent({
      model: modelFor(provider),
      contents: 'Largest city of France?',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: Type.OBJECT,
          properties: { city: { type: Type.STRING }, population: { type: Type.INTEGER, nullable: true } },
          required: ['city'],
        },
      },
    });
    expect(response.text).toBe(expected);

    const upstream = lastUpstreamBody(rig, provider);
    switch (provider) {
      case 'openai':
        expect(upstream?.['response_format']).toEqual({
          type: 'json_schema',
          json_schema: expect.objectContaining({ name: 'response', schema: JSON_SCHEMA }),
        });
        break;
      case 'gemini':
        expect(upstream?.['generationConfig']).toEqual({
          responseMimeType: 'application/json',
          responseSchema: {
            type: 'OBJECT',
            properties: { city: { type: 'STRING' }, population: { type: 'INTEGER', nullable: true } },
            required: ['city'],
          },
        });
        break;
      case 'anthropic':
        expect(upstream?.['tools']).toEqual([expect.objectContaining({ name: 'switchyard_json_response', input_schema: JSON_SCHEMA })]);
        break;
      case 'bedrock':
        expect(JSON.stringify(upstream?.['toolConfig'])).toContain('switchyard_json_response');
        break;
      case 'mock':
        break;
    }
  });
});
