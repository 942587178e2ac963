// Reasoning through the Responses front door with a provider that signs it (Anthropic extended
// thinking): the caller sees reasoning items with the thinking as summary text, and the signed
// thinking reaches Anthropic again on the next turn, whether the caller sends the items back
// itself (stateless, `include: ["reasoning.encrypted_content"]`) or continues with
// previous_response_id. Anthropic refuses a tool-use continuation whose thinking lost its signature.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { APP_KEY, startResponsesTestBed, type ResponsesTestBed } from './responses-backend-drivers.js';
import { responsesSchemaErrors } from './responses-schema-validator.js';

const THINKING = 'The user wants the weather, so I should call the tool.';
const SIGNATURE = 'EqQBCkgIARABGAIiQGsignatureFromAnthropic==';

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

let bed: ResponsesTestBed;
let client: OpenAI;

beforeAll(async () => {
  bed = await startResponsesTestBed();
  client = new OpenAI({ baseURL: `${bed.gateway.url}/v1`, apiKey: APP_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await bed?.close();
});
beforeEach(() => {
  bed.anthropic.reset();
  bed.anthropic.enqueue(
    {
      content: [
        { type: 'thinking', thinking: THINKING, signature: SIGNATURE },
        { type: 'tool_use', id: 'toolu_01Weather', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stopReason: 'tool_use',
    },
    { content: [{ type: 'text', text: 'It is sunny in Paris.' }] },
  );
});

/** The assistant turn Anthropic received on the second call. */
function secondAssistantTurn(): unknown {
  const body = bed.anthropic.messageRequests[1] as { messages: Array<{ role: string; content: unknown }> } | undefined;
  return body?.messages.find((message) => message.role === 'assistant')?.content;
}

const SIGNED_TURN = [
  { type: 'thinking', thinking: THINKING, signature: SIGNATURE },
  { type: 'tool_use', id: 'toolu_01Weather', name: 'get_weather', input: { city: 'Paris' } },
];

describe('responses front door: signed reasoning round trip with Anthropic', () => {
  it('stateless: reasoning items with encrypted_content, sent back as input, restore the signed thinking', async () => {
    const stream = client.responses.stream({
      model: 'resp-anthropic',
      input: 'Weather in Paris?',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      include: ['reasoning.encrypted_content'],
      store: false,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const first = await stream.finalResponse();
    expect(types).toContain('response.reasoning_summary_text.delta');
    expect(responsesSchemaErrors('Response', first)).toEqual([]);
    const [reasoning, call] = first.output;
    expect(reasoning).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: THINKING }] });
    expect(reasoning?.type === 'reasoning' && reasoning.encrypted_content).toMatch(/^sy1\./);
    expect(call).toMatchObject({ type: 'function_call', call_id: 'toolu_01Weather' });

    const second = await client.responses.create({
      model: 'resp-anthropic',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      store: false,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: 'toolu_01Weather', output: '18C' },
      ],
    });
    expect(second.output_text).toBe('It is sunny in Paris.');
    expect(secondAssistantTurn()).toEqual(SIGNED_TURN);
  });

  it('previous_response_id: the stored turn keeps the signature without the caller asking', async () => {
    const first = await client.responses.create({
      model: 'resp-anthropic',
      input: 'Weather in Paris?',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
    });
    expect(first.output[0]).toMatchObject({ type: 'reasoning', summary: [{ text: THINKING }] });
    expect(first.output[0]).not.toHaveProperty('encrypted_content');
    const second = await client.responses.create({
      model: 'resp-anthropic',
      tools: [weatherTool],
      reasoning: { effort: 'low' },
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'toolu_01Weather', output: '18C' }],
    });
    expect(second.output_text).toBe('It is sunny in Paris.');
    expect(secondAssistantTurn()).toEqual(SIGNED_TURN);
  });
});
