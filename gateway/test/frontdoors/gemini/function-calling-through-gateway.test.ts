// Function calling through the Gemini front door, both directions, streamed and not, to every
// backend family: declarations (Gemini schema) and toolConfig reach the provider in its terms,
// the provider's call comes back as a functionCall with an id, and the caller's functionResponse
// reaches the provider matched to that call (by id for OpenAI, Anthropic and Bedrock; by name for
// Gemini).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FunctionCallingConfigMode, Type, type Content, type FunctionCall, type GenerateContentParameters, type Tool } from '@google/genai';
import {
  cellName,
  lastUpstreamBody,
  modelFor,
  mockProviderText,
  providersInTree,
  scriptText,
  scriptToolCall,
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

const PROMPT = 'What is the weather in Paris?';
const weatherTool: Tool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING, description: 'City name' } }, required: ['city'] },
    },
  ],
};
const forceWeather = { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_weather'] } };

function firstTurn(provider: ProviderFamily): GenerateContentParameters {
  return { model: modelFor(provider), contents: PROMPT, config: { tools: [weatherTool], toolConfig: forceWeather } };
}

function secondTurn(provider: ProviderFamily, modelContent: Content, call: FunctionCall): GenerateContentParameters {
  const history: Content[] = [
    { role: 'user', parts: [{ text: PROMPT }] },
    modelContent,
    { role: 'user', parts: [{ functionResponse: { id: call.id, name: 'get_weather', response: { temperatureC: 18, sky: 'cloudy' } } }] },
  ];
  return { model: modelFor(provider), contents: history, config: { tools: [weatherTool] } };
}

function expectDeclarationsUpstream(provider: ProviderFamily): void {
  const upstream = lastUpstreamBody(rig, provider);
  const schema = { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'] };
  switch (provider) {
    case 'openai':
      expect(upstream).toMatchObject({
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: schema } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      break;
    case 'anthropic':
      expect(upstream).toMatchObject({
        tools: [{ name: 'get_weather', description: 'Current weather for a city', input_schema: schema }],
        tool_choice: { type: 'tool', name: 'get_weather' },
      });
      break;
    case 'gemini':
      expect(upstream).toMatchObject({
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                description: 'Current weather for a city',
                parameters: { type: 'OBJECT', properties: { city: { type: 'STRING', description: 'City name' } }, required: ['city'] },
              },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      });
      break;
    case 'bedrock':
      expect(upstream).toMatchObject({
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', description: 'Current weather for a city', inputSchema: { json: schema } } }],
          toolChoice: { tool: { name: 'get_weather' } },
        },
      });
      break;
    case 'mock':
      break;
  }
}

/** The provider received the caller's functionResponse as the answer to the call with this id. */
function expectResultMatchedUpstream(provider: ProviderFamily, callId: string): void {
  const upstream = lastUpstreamBody(rig, provider);
  switch (provider) {
    case 'openai':
      expect(upstream?.['messages']).toEqual([
        { role: 'user', content: PROMPT },
        expect.objectContaining({
          role: 'assistant',
          tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        }),
        { role: 'tool', tool_call_id: callId, content: '{"temperatureC":18,"sky":"cloudy"}' },
      ]);
      break;
    case 'anthropic':
      expect(upstream?.['messages']).toEqual([
        { role: 'user', content: [{ type: 'text', text: PROMPT }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: callId, name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [expect.objectContaining({ type: 'tool_result', tool_use_id: callId })] },
      ]);
      expect(JSON.stringify(upstream?.['messages'])).toContain('temperatureC');
      break;
    case 'gemini':
      expect(upstream?.['contents']).toEqual([
        { role: 'user', parts: [{ text: PROMPT }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperatureC: 18, sky: 'cloudy' } } }] },
      ]);
      break;
    case 'bedrock': {
      const messages = upstream?.['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
      expect(messages[1]?.content).toEqual([{ toolUse: { toolUseId: callId, name: 'get_weather', input: { city: 'Paris' } } }]);
      expect(messages[2]?.content[0]).toMatchObject({ toolResult: { toolUseId: callId } });
      break;
    }
    case 'mock':
      break;
  }
}

describe.each(providersInTree())('function calling', (provider) => {
  it(cellName(provider, 'function call out and functionResponse back, not streamed'), async () => {
    const expected = scriptToolCall(rig, provider, { id: 'call_weather_1', name: 'get_weather', args: { city: 'Paris' } });
    const first = await rig.client.models.generateContent(firstTurn(provider));
    expectDeclarationsUpstream(provider);

    expect(first.candidates?.[0]?.finishReason).toBe('STOP');
    const call = first.functionCalls?.[0];
    expect(first.functionCalls).toHaveLength(1);
    expect(call).toMatchObject({ name: expected.name, args: expected.args });
    expect(call?.id).toEqual(expect.any(String));
    if (provider !== 'gemini' && provider !== 'mock') expect(call?.id).toBe('call_weather_1');

    if (provider === 'mock') {
      // The mock calls the forced tool with {} and answers the follow-up with an echo of the prompt.
      const second = await rig.client.models.generateContent(
        secondTurn(provider, first.candidates?.[0]?.content as Content, call as FunctionCall),
      );
      expect(second.text).toBe(mockProviderText(PROMPT));
      return;
    }
    const answer = scriptText(rig, provider, 'It is 18C and cloudy in Paris.', { input: 30, cached: 0, output: 9, reasoning: 0 }, PROMPT);
    const second = await rig.client.models.generateContent(
      secondTurn(provider, first.candidates?.[0]?.content as Content, call as FunctionCall),
    );
    expect(second.text).toBe(answer);
    expectResultMatchedUpstream(provider, call?.id as string);
  });

  it(cellName(provider, 'function call out and functionResponse back, streamed'), async () => {
    const expected = scriptToolCall(rig, provider, { id: 'call_weather_2', name: 'get_weather', args: { city: 'Paris' } });
    const stream = await rig.client.models.generateContentStream(firstTurn(provider));
    const calls: FunctionCall[] = [];
    const modelParts: NonNullable<Content['parts']> = [];
    let finishReason: string | undefined;
    for await (const chunk of stream) {
      calls.push(...(chunk.functionCalls ?? []));
      modelParts.push(...(chunk.candidates?.[0]?.content?.parts ?? []).filter((part) => part.functionCall !== undefined));
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    }
    expectDeclarationsUpstream(provider);
    expect(finishReason).toBe('STOP');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: expected.name, args: expected.args });
    if (provider !== 'gemini' && provider !== 'mock') expect(calls[0]?.id).toBe('call_weather_2');

    const modelContent: Content = { role: 'model', parts: modelParts };
    const followUp = secondTurn(provider, modelContent, calls[0] as FunctionCall);
    const answer =
      provider === 'mock'
        ? mockProviderText(PROMPT)
        : scriptText(rig, provider, 'Cloudy, 18C.', { input: 30, cached: 0, output: 5, reasoning: 0 }, PROMPT);
    let text = '';
    for await (const chunk of await rig.client.models.generateContentStream(followUp)) text += chunk.text ?? '';
    expect(text).toBe(answer);
    if (provider !== 'mock') expectResultMatchedUpstream(provider, calls[0]?.id as string);
  });
});

describe('thought signatures', () => {
  it(cellName('gemini', 'a Gemini 3 thoughtSignature on a function call reaches the caller and goes back upstream unchanged'), async () => {
    rig.gemini.enqueue({ capture: 'google-tool-call' });
    const weather: Tool = {
      functionDeclarations: [{ name: 'weather', parameters: { type: Type.OBJECT, properties: { location: { type: Type.STRING } } } }],
    };
    const first = await rig.client.models.generateContent({
      model: modelFor('gemini'),
      contents: 'Weather in San Francisco?',
      config: { tools: [weather] },
    });
    const modelContent = first.candidates?.[0]?.content as Content;
    const signature = 'EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5';
    expect(modelContent.parts).toEqual([
      { functionCall: { id: expect.any(String), name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: signature },
    ]);
    expect(first.usageMetadata).toEqual({ promptTokenCount: 29, candidatesTokenCount: 15, thoughtsTokenCount: 893, totalTokenCount: 937 });

    scriptText(rig, 'gemini', 'Foggy.', { input: 40, cached: 0, output: 2, reasoning: 0 }, '');
    await rig.client.models.generateContent({
      model: modelFor('gemini'),
      contents: [
        { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
        modelContent,
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { sky: 'fog' } } }] },
      ],
      config: { tools: [weather] },
    });
    expect(lastUpstreamBody(rig, 'gemini')?.['contents']).toEqual([
      { role: 'user', parts: [{ text: 'Weather in San Francisco?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: signature }] },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { sky: 'fog' } } }] },
    ]);
  });
});
